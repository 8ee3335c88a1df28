use super::*;
use std::sync::atomic::AtomicU32;
use std::time::Instant;
use yizhan_planner::budget::BudgetExceeded;

fn pool(workers: usize, queue: usize, timeout_ms: u64) -> Arc<WorkPool> {
    Arc::new(WorkPool::new(PoolConfig {
        workers,
        queue,
        queue_timeout: Duration::from_millis(timeout_ms),
        low_priority: true,
        ..PoolConfig::default()
    }))
}

/// Spins until the budget says stop; answers why.
fn spin(b: &Budget) -> BudgetExceeded {
    loop {
        if let Err(e) = b.check() {
            return e;
        }
        std::hint::spin_loop();
    }
}

#[tokio::test]
async fn runs_tasks_on_one_thread_each_at_low_priority() {
    let p = pool(2, 4, 1000);
    let (threads, nice) = p
        .run("test", Budget::unlimited(), |_| {
            let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
            // Field 19 (1-based) is the nice value; the command name (field 2) may hold spaces.
            let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
            let nice: i32 = after.split_whitespace().nth(16).and_then(|v| v.parse().ok()).unwrap_or(0);
            (yizhan_planner::budget::threads(), nice)
        })
        .await
        .unwrap();
    assert_eq!(threads, 1);
    assert_eq!(nice, 19, "heavy work runs at the lowest priority");
}

#[tokio::test]
async fn cpu_time_limit_stops_a_task() {
    let p = pool(1, 1, 1000);
    let limits = BudgetLimits { time: Some(Duration::from_millis(50)), ..BudgetLimits::default() };
    let t = Instant::now();
    let why = p.run("test", WorkPool::budget(limits), spin).await.unwrap();
    assert_eq!(why, BudgetExceeded::Time { limit_ms: 50 });
    assert!(t.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_full_queue_is_refused_and_a_long_wait_times_out() {
    let p = pool(1, 1, 300);
    let gate = Budget::new(BudgetLimits::default());
    let blocker = {
        let (p, g) = (Arc::clone(&p), gate.clone());
        tokio::spawn(async move { p.run("test", g, spin).await })
    };
    while p.running() < 1 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // One may wait; it times out after 300 ms.
    let waiter = {
        let p = Arc::clone(&p);
        tokio::spawn(async move { p.run("test", Budget::unlimited(), |_| ()).await })
    };
    while p.waiting() < 1 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let refused = p.run("test", Budget::unlimited(), |_| ()).await.unwrap_err();
    assert!(matches!(refused, WorkError::QueueFull { .. }), "{refused:?}");
    assert_eq!(refused.retry_after_s(), Some(2));
    let timed_out = waiter.await.unwrap().unwrap_err();
    assert!(matches!(timed_out, WorkError::Timeout { .. }), "{timed_out:?}");
    gate.cancel();
    assert_eq!(blocker.await.unwrap().unwrap(), BudgetExceeded::Cancelled);
    assert_eq!(p.run("test", Budget::unlimited(), |_| 7).await.unwrap(), 7);
}

#[tokio::test]
async fn dropping_the_caller_cancels_the_task_and_frees_the_worker() {
    let p = pool(1, 1, 5000);
    let stopped = Arc::new(AtomicU32::new(0));
    let s = Arc::clone(&stopped);
    let fut = {
        let p = Arc::clone(&p);
        async move {
            p.run("test", Budget::new(BudgetLimits::default()), move |b| {
                let why = spin(b);
                s.store(1, Ordering::SeqCst);
                why
            })
            .await
        }
    };
    // Give up after 100 ms, as a client that disconnects.
    assert!(tokio::time::timeout(Duration::from_millis(100), fut).await.is_err());
    let t = Instant::now();
    while stopped.load(Ordering::SeqCst) == 0 && t.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(stopped.load(Ordering::SeqCst), 1, "the task stopped");
    assert_eq!(p.run("test", Budget::unlimited(), |_| 1).await.unwrap(), 1);
}

#[tokio::test]
async fn close_cancels_running_tasks_and_refuses_new_ones() {
    let p = pool(1, 2, 5000);
    let running = {
        let p = Arc::clone(&p);
        tokio::spawn(async move { p.run("test", Budget::new(BudgetLimits::default()), spin).await })
    };
    while p.running() < 1 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    p.close();
    assert_eq!(running.await.unwrap().unwrap(), BudgetExceeded::Cancelled);
    assert_eq!(p.run("test", Budget::unlimited(), |_| ()).await.unwrap_err(), WorkError::ShuttingDown);
}

#[tokio::test]
async fn a_panic_is_an_error_and_the_worker_survives() {
    let p = pool(1, 1, 1000);
    let err = p.run("test", Budget::unlimited(), |_| -> u8 { panic!("boom") }).await.unwrap_err();
    assert_eq!(err, WorkError::Panicked("boom".to_owned()));
    assert_eq!(p.run("test", Budget::unlimited(), |_| 2).await.unwrap(), 2);
}
