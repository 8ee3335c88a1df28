//! Heavy work off the request path: one bounded pool of low-priority worker threads for every
//! CPU-heavy task (boundary validation, coverage analyses, plans, reports, scenario indexes,
//! maps and tiles built from analyses), so that riders' `/api/v1/nearest` keeps its latency
//! whatever else arrives.
//!
//! * **Global cap.** At most [`PoolConfig::workers`] tasks run at once, each on one thread
//!   (the planner's data-parallel loops are limited to one thread with
//!   [`yizhan_planner::budget::limit_threads`]), at the lowest scheduling priority (nice 19), so
//!   the async runtime's threads that answer riders always win the CPU.
//! * **Queue with a timeout.** At most [`PoolConfig::queue`] tasks wait for a worker; one more is
//!   refused at once ([`WorkError::QueueFull`], 429 with `Retry-After`); a task that waited
//!   [`PoolConfig::queue_timeout`] without a worker is refused ([`WorkError::Timeout`], 503 with
//!   `Retry-After`).
//! * **Budgets.** Each task runs under a [`Budget`] whose time limit counts the CPU time of the
//!   worker thread running it ([`WorkPool::budget`]), so a loaded machine does not make a task
//!   fail, and a task cannot spend more CPU than its caller's allowance.
//! * **Cancellation.** When the future awaiting a task is dropped (the client went away), the
//!   task's budget is cancelled and the task stops at its next check; the worker stays busy until
//!   then, so the pool's count of running tasks is always true. [`WorkPool::close`] (shutdown)
//!   refuses new tasks and cancels every running and queued one.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, mpsc};
use std::time::Duration;
use tokio::sync::{Semaphore, oneshot};

pub use crate::config::PoolConfig;
use yizhan_planner::budget::{Budget, BudgetLimits, limit_threads};

/// Why a task did not run to its end.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WorkError {
    /// As many tasks as may wait are already waiting.
    #[error("the server is busy: {waiting} heavy tasks are already waiting; retry in {retry_after_s} s")]
    QueueFull {
        /// Tasks waiting.
        waiting: usize,
        /// Suggested wait before a retry, seconds.
        retry_after_s: u64,
    },
    /// No worker became free within the queue timeout.
    #[error("the server is busy: no worker became free within {waited_s} s; retry in {retry_after_s} s")]
    Timeout {
        /// How long the task waited, seconds.
        waited_s: u64,
        /// Suggested wait before a retry, seconds.
        retry_after_s: u64,
    },
    /// The server is shutting down.
    #[error("the server is shutting down")]
    ShuttingDown,
    /// The task panicked (a bug; the worker survives).
    #[error("a heavy task failed: {0}")]
    Panicked(String),
}

impl WorkError {
    /// Seconds a client should wait before retrying, when a retry may succeed.
    #[must_use]
    pub fn retry_after_s(&self) -> Option<u64> {
        match self {
            Self::QueueFull { retry_after_s, .. } | Self::Timeout { retry_after_s, .. } => Some(*retry_after_s),
            Self::ShuttingDown => Some(5),
            Self::Panicked(_) => None,
        }
    }
}

type Task = Box<dyn FnOnce() + Send>;

/// The heavy-work pool (see the module docs).
#[derive(Debug)]
pub struct WorkPool {
    config: PoolConfig,
    sender: Mutex<Option<mpsc::Sender<Task>>>,
    slots: Arc<Semaphore>,
    waiting: AtomicUsize,
    closed: AtomicBool,
    next_id: AtomicU64,
    /// Budgets of the tasks waiting or running, to cancel them all at shutdown.
    active: Mutex<HashMap<u64, Budget>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// CPU time of the calling thread (wall-clock time where the system has no thread clock).
fn thread_cpu_clock() -> Duration {
    cpu_time::ThreadTime::try_now().map_or_else(|_| yizhan_planner::budget::wall_clock(), |t| t.as_duration())
}

impl WorkPool {
    /// Starts the pool's worker threads.
    ///
    /// # Panics
    /// Never on a working system: only if the OS refuses to start a thread.
    #[must_use]
    pub fn new(config: PoolConfig) -> Self {
        let workers = config.workers.max(1);
        let (tx, rx) = mpsc::channel::<Task>();
        let rx = Arc::new(Mutex::new(rx));
        for n in 0..workers {
            let rx = Arc::clone(&rx);
            let low = config.low_priority;
            let spawned = std::thread::Builder::new().name(format!("{}-{n}", config.name)).spawn(move || {
                if low
                    && let Err(e) = thread_priority::set_current_thread_priority(thread_priority::ThreadPriority::Min)
                {
                    tracing::debug!(error = ?e, "cannot lower the priority of a heavy-work thread");
                }
                loop {
                    let task = lock(&rx).recv();
                    match task {
                        Ok(task) => task(),
                        Err(_) => break,
                    }
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a heavy-work thread");
            }
        }
        Self {
            config: PoolConfig { workers, ..config },
            sender: Mutex::new(Some(tx)),
            slots: Arc::new(Semaphore::new(workers)),
            waiting: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
            next_id: AtomicU64::new(0),
            active: Mutex::new(HashMap::new()),
        }
    }

    /// The pool's sizes.
    #[must_use]
    pub fn config(&self) -> PoolConfig {
        self.config
    }

    /// A budget with these limits whose time is the CPU time of the worker that runs the task.
    #[must_use]
    pub fn budget(limits: BudgetLimits) -> Budget {
        Budget::with_clock(limits, thread_cpu_clock)
    }

    /// Tasks waiting for a worker.
    #[must_use]
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Tasks running.
    #[must_use]
    pub fn running(&self) -> usize {
        if self.closed.load(Ordering::Relaxed) {
            return lock(&self.active).len().min(self.config.workers);
        }
        self.config.workers.saturating_sub(self.slots.available_permits())
    }

    /// Runs `f` on a worker under `budget` (its clock started on the worker) and answers its
    /// result. Dropping the returned future cancels `budget`.
    ///
    /// # Errors
    /// [`WorkError::QueueFull`], [`WorkError::Timeout`], [`WorkError::ShuttingDown`],
    /// [`WorkError::Panicked`].
    pub async fn run<T, F>(&self, class: &'static str, budget: Budget, f: F) -> Result<T, WorkError>
    where
        T: Send + 'static,
        F: FnOnce(&Budget) -> T + Send + 'static,
    {
        if self.closed.load(Ordering::Relaxed) {
            return Err(WorkError::ShuttingDown);
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let _guard = CancelOnDrop { pool: self, id, budget: budget.clone() };
        lock(&self.active).insert(id, budget.clone());
        let permit = {
            let waiting = self.waiting.fetch_add(1, Ordering::AcqRel);
            let _waiting = Decrement(&self.waiting);
            if waiting >= self.config.queue && self.slots.available_permits() == 0 {
                return Err(WorkError::QueueFull { waiting, retry_after_s: 2 });
            }
            match tokio::time::timeout(self.config.queue_timeout, Arc::clone(&self.slots).acquire_owned()).await {
                Err(_) => {
                    return Err(WorkError::Timeout {
                        waited_s: self.config.queue_timeout.as_secs(),
                        retry_after_s: self.config.queue_timeout.as_secs().max(1),
                    });
                }
                Ok(Err(_)) => return Err(WorkError::ShuttingDown),
                Ok(Ok(p)) => p,
            }
        };
        let (tx, rx) = oneshot::channel();
        let task_budget = budget;
        let task: Task = Box::new(move || {
            task_budget.start_clock();
            let started = std::time::Instant::now();
            let out = std::panic::catch_unwind(AssertUnwindSafe(|| limit_threads(1, || f(&task_budget))));
            crate::metrics::heavy_task_done(class, started.elapsed(), task_budget.elapsed());
            // Free the worker's slot before answering: whoever sees the answer sees the slot free.
            drop(permit);
            let _ = tx.send(out);
        });
        {
            let sender = lock(&self.sender);
            let Some(sender) = sender.as_ref() else { return Err(WorkError::ShuttingDown) };
            if sender.send(task).is_err() {
                return Err(WorkError::ShuttingDown);
            }
        }
        match rx.await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(panic)) => {
                let msg = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "panic".to_owned());
                tracing::error!(class, message = %msg, "a heavy task panicked");
                Err(WorkError::Panicked(msg))
            }
            Err(_) => Err(WorkError::ShuttingDown),
        }
    }

    /// Refuses new tasks and cancels every waiting and running one (they stop at their next
    /// budget check). Idempotent.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        self.slots.close();
        for budget in lock(&self.active).values() {
            budget.cancel();
        }
        lock(&self.sender).take();
    }
}

impl Drop for WorkPool {
    fn drop(&mut self) {
        self.close();
    }
}

struct Decrement<'a>(&'a AtomicUsize);

impl Drop for Decrement<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Cancels a task's budget when the future awaiting it goes away (finished or dropped), and
/// forgets it.
struct CancelOnDrop<'a> {
    pool: &'a WorkPool,
    id: u64,
    budget: Budget,
}

impl Drop for CancelOnDrop<'_> {
    fn drop(&mut self) {
        self.budget.cancel();
        lock(&self.pool.active).remove(&self.id);
    }
}

#[cfg(test)]
#[path = "work_tests.rs"]
mod tests;
