#![allow(clippy::unwrap_used)]
use yizhan_planner::budget::Budget;

use super::*;

fn registry(kept: usize, ttl_s: u64) -> Jobs {
    Jobs::new(Limits { finished_jobs_kept: kept, finished_job_ttl_s: ttl_s, ..Limits::default() })
}

fn add(jobs: &Jobs, id: &str, status: JobStatus) -> Arc<Job> {
    let job = Arc::new(Job::queued(
        id.to_owned(),
        serde_json::json!({"sites": 1}),
        "anonymous".to_owned(),
        Budget::unlimited(),
    ));
    if status.is_finished() {
        job.finish(status, None, None);
    } else if status == JobStatus::Running {
        job.set_progress("greedy", 0.25);
    }
    lock(&jobs.jobs).insert(id.to_owned(), Arc::clone(&job));
    job
}

#[test]
fn dropping_the_registry_cancels_every_job() {
    let jobs = registry(10, 3600);
    let a = add(&jobs, "plan_a", JobStatus::Running);
    let b = add(&jobs, "plan_b", JobStatus::Queued);
    assert!(!a.cancel.load(Ordering::Relaxed));
    drop(jobs);
    assert!(a.cancel.load(Ordering::Relaxed) && b.cancel.load(Ordering::Relaxed));
}

#[test]
fn only_queued_and_running_jobs_count_against_the_limit() {
    let jobs = registry(10, 3600);
    add(&jobs, "plan_a", JobStatus::Running);
    add(&jobs, "plan_b", JobStatus::Queued);
    add(&jobs, "plan_c", JobStatus::Done);
    add(&jobs, "plan_d", JobStatus::Cancelled);
    assert_eq!(jobs.active(), 2);
    let view = jobs.get("plan_a").unwrap().view();
    assert_eq!(view.status, JobStatus::Running);
    assert_eq!(view.progress, JobProgress { phase: "greedy".into(), fraction: 0.25 });
    // Cancelling a running job is accepted once it is asked; a finished one refuses.
    assert!(jobs.get("plan_a").unwrap().cancel());
    assert!(!jobs.get("plan_c").unwrap().cancel());
}

#[test]
fn finished_jobs_are_kept_by_count_and_age() {
    let jobs = registry(2, 3600);
    for id in ["plan_1", "plan_2", "plan_3", "plan_4"] {
        add(&jobs, id, JobStatus::Done);
        std::thread::sleep(Duration::from_millis(2));
    }
    add(&jobs, "plan_run", JobStatus::Running);
    // The two newest finished jobs and the running one stay.
    assert!(jobs.get("plan_1").is_none() && jobs.get("plan_2").is_none());
    assert!(jobs.get("plan_3").is_some() && jobs.get("plan_4").is_some() && jobs.get("plan_run").is_some());
    let expired = registry(10, 0);
    add(&expired, "plan_old", JobStatus::Failed);
    add(&expired, "plan_live", JobStatus::Queued);
    assert!(expired.get("plan_old").is_none());
    assert!(expired.get("plan_live").is_some());
}
