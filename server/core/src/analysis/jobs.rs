//! Plan jobs: an in-process registry of site-planning runs with progress and cancellation.
//!
//! A job is checked and resolved when submitted (bad input is refused at once, never a failed
//! job), then runs on a blocking thread: the coverage analysis first (phase `coverage`), then the
//! optimiser, whose progress hook updates the job and stops it when cancelled. At most
//! `Limits::max_concurrent_plans` jobs are queued or running at once; finished jobs stay in memory
//! for `Limits::finished_job_ttl_s` seconds and at most `Limits::finished_jobs_kept` of them (their
//! results are kept in storage as `plan_…` analyses). Dropping the registry cancels every job.

use super::{AnalysisError, CandidatesInput, PlanRequest, Prepared, SIGN_IN_HINT, check_list, new_id, prepare_for};
use crate::config::{Limits, TierBudget};
use crate::state::AppState;
use crate::work::WorkPool;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use utoipa::ToSchema;
use yizhan_planner::budget::Budget;
use yizhan_planner::geodesy::LonLat;
use yizhan_planner::optimize::{Phase, Progress, SolveOptions};
use yizhan_planner::plan::{
    BYTES_PER_PAIR, Candidate, Candidates, Objective, PlanParams, PlanResult, estimate_pairs, plan_within,
};
use yizhan_store::{AnalysisKind, JsonText, SavedAnalysis};

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Accepted, not started.
    Queued,
    /// Running.
    Running,
    /// Finished with a result.
    Done,
    /// Stopped by an error.
    Failed,
    /// Cancelled (`DELETE`, or the server shut down).
    Cancelled,
}

impl JobStatus {
    /// Whether the job has ended.
    #[must_use]
    pub const fn is_finished(self) -> bool {
        matches!(self, Self::Done | Self::Failed | Self::Cancelled)
    }
}

/// A job's progress.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct JobProgress {
    /// `queued`, `coverage`, `greedy`, `bound`, `improve`, `done`.
    pub phase: String,
    /// Share of the current run's work done, 0 ..= 1.
    pub fraction: f64,
}

/// Why a job failed.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct JobFailure {
    /// Machine-readable code (`invalid_body`, `internal_error`…).
    pub code: String,
    /// Explanation.
    pub message: String,
    /// The request field at fault, if any.
    pub field: Option<String>,
}

/// A snapshot of a job.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobView {
    /// `plan_…`.
    pub id: String,
    /// Where it is.
    pub status: JobStatus,
    /// Progress.
    pub progress: JobProgress,
    /// The plan, once done.
    #[schema(value_type = Option<Object>)]
    pub result: Option<PlanResult>,
    /// The error, if failed.
    pub error: Option<JobFailure>,
    /// The request as submitted.
    #[schema(value_type = Object)]
    pub request: serde_json::Value,
    /// When it was submitted (UTC).
    pub created_at: DateTime<Utc>,
    /// Who started it: a token id, or `anonymous`.
    pub created_by: String,
}

/// One job.
#[derive(Debug)]
pub struct Job {
    id: String,
    request: serde_json::Value,
    created_at: DateTime<Utc>,
    owner: String,
    cancel: AtomicBool,
    budget: Budget,
    /// The phase the worker reports (0: not started; else 1 + index in [`LIVE_PHASES`]).
    live_phase: AtomicU8,
    /// The worker's fraction done, `f64` bits.
    live_fraction: AtomicU64,
    inner: Mutex<JobInner>,
}

/// Phases a running job reports.
const LIVE_PHASES: [&str; 4] = ["coverage", "greedy", "bound", "improve"];

#[derive(Debug)]
struct JobInner {
    status: JobStatus,
    progress: JobProgress,
    result: Option<PlanResult>,
    error: Option<JobFailure>,
    finished: Option<Instant>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Job {
    fn queued(id: String, request: serde_json::Value, owner: String, budget: Budget) -> Self {
        Self {
            id,
            request,
            created_at: Utc::now(),
            owner,
            cancel: AtomicBool::new(false),
            budget,
            live_phase: AtomicU8::new(0),
            live_fraction: AtomicU64::new(0),
            inner: Mutex::new(JobInner {
                status: JobStatus::Queued,
                progress: JobProgress { phase: "queued".to_owned(), fraction: 0.0 },
                result: None,
                error: None,
                finished: None,
            }),
        }
    }

    /// Its id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Who started it: a token id, or `anonymous`.
    #[must_use]
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// A snapshot.
    #[must_use]
    pub fn view(&self) -> JobView {
        let inner = lock(&self.inner);
        let phase = usize::from(self.live_phase.load(Ordering::Acquire));
        let (status, progress) = if inner.status.is_finished() || phase == 0 {
            (inner.status, inner.progress.clone())
        } else {
            let fraction = f64::from_bits(self.live_fraction.load(Ordering::Relaxed));
            let name = LIVE_PHASES.get(phase - 1).copied().unwrap_or("improve");
            (JobStatus::Running, JobProgress { phase: name.to_owned(), fraction })
        };
        JobView {
            id: self.id.clone(),
            status,
            progress,
            result: inner.result.clone(),
            error: inner.error.clone(),
            request: self.request.clone(),
            created_at: self.created_at,
            created_by: self.owner.clone(),
        }
    }

    /// Asks the job to stop; returns whether it was still queued or running.
    pub fn cancel(&self) -> bool {
        self.cancel.store(true, Ordering::Relaxed);
        self.budget.cancel();
        !lock(&self.inner).status.is_finished()
    }

    /// Records progress from the worker thread: atomics only, never a lock the request threads
    /// wait on (a low-priority worker preempted while holding one would stall them).
    fn set_progress(&self, phase: &str, fraction: f64) {
        let code = LIVE_PHASES.iter().position(|p| *p == phase).map_or(LIVE_PHASES.len(), |i| i + 1);
        self.live_fraction.store(fraction.clamp(0.0, 1.0).to_bits(), Ordering::Relaxed);
        self.live_phase.store(u8::try_from(code).unwrap_or(u8::MAX), Ordering::Release);
    }

    fn finish(&self, status: JobStatus, result: Option<PlanResult>, error: Option<JobFailure>) {
        let mut inner = lock(&self.inner);
        inner.status = status;
        inner.progress =
            JobProgress { phase: if status == JobStatus::Done { "done" } else { "stopped" }.to_owned(), fraction: 1.0 };
        inner.result = result;
        inner.error = error;
        inner.finished = Some(Instant::now());
    }
}

/// The registry of plan jobs.
#[derive(Debug)]
pub struct Jobs {
    limits: Limits,
    jobs: Mutex<HashMap<String, Arc<Job>>>,
}

impl Drop for Jobs {
    fn drop(&mut self) {
        self.cancel_all();
    }
}

/// A checked plan: the resolved analysis inputs and the planner's parameters.
#[derive(Debug, Clone)]
pub struct CheckedPlan {
    /// The analysis inputs.
    pub prepared: Prepared,
    /// The planner's parameters.
    pub params: PlanParams,
}

/// Validates a plan request and resolves its inputs with no budget beyond the server's limits
/// (the command line): see [`check_plan_for`].
///
/// # Errors
/// [`AnalysisError`] naming the field at fault.
pub async fn check_plan(state: &AppState, req: &PlanRequest) -> Result<CheckedPlan, AnalysisError> {
    check_plan_for(state, req, &TierBudget::UNLIMITED).await
}

/// Validates a plan request for a caller with budget `tier` and resolves its inputs (area,
/// stations, demand): list sizes, the cells of the grid and the candidate × demand pairs the plan
/// would store (estimated from the cells within reach of each candidate) are refused beyond the
/// budget before any work starts.
///
/// # Errors
/// [`AnalysisError`] naming the field at fault.
pub async fn check_plan_for(
    state: &AppState,
    req: &PlanRequest,
    tier: &TierBudget,
) -> Result<CheckedPlan, AnalysisError> {
    let invalid = |field: &'static str, message: String| AnalysisError::Invalid { field, message };
    check_list("exclude", req.exclude.len(), tier)?;
    check_list("fixed", req.fixed.len(), tier)?;
    if let Some(CandidatesInput::List(list)) = &req.candidates {
        check_list("candidates", list.len(), tier)?;
    }
    let minutes = req.minutes.as_ref().map_or_else(|| vec![10.0], super::Minutes::to_vec);
    if minutes.len() != 1 {
        return Err(invalid("minutes", format!("a plan takes one threshold in minutes, got {}", minutes.len())));
    }
    let sites = match req.sites {
        None => 5,
        Some(p) if p < 1 => return Err(invalid("sites", format!("sites must be at least 1, got {p}"))),
        Some(p) => usize::try_from(p).unwrap_or(usize::MAX),
    };
    if sites > state.config.limits.max_candidates {
        return Err(AnalysisError::TooLarge {
            field: "sites",
            message: format!("at most {} sites may be asked for", state.config.limits.max_candidates),
        });
    }
    let objective = match req.objective.as_deref().unwrap_or("max_cover") {
        "max_cover" => Objective::MaxCover { sites },
        "p_median" => Objective::PMedian { sites },
        "min_sites" => {
            let target_share = req.target_share.unwrap_or(0.95);
            if !(target_share > 0.0 && target_share <= 1.0) {
                return Err(invalid("target_share", format!("target_share {target_share} is not in (0, 1]")));
            }
            Objective::MinSites { target_share, max_sites: req.sites.map_or(200, |_| sites) }
        }
        other => {
            return Err(invalid(
                "objective",
                format!("unknown objective {other:?} (expected max_cover, min_sites or p_median)"),
            ));
        }
    };
    if req.target_share.is_some() && !matches!(objective, Objective::MinSites { .. }) {
        return Err(invalid("target_share", "target_share applies to the min_sites objective only".to_owned()));
    }
    let candidates = match &req.candidates {
        None => Candidates::Cells,
        Some(CandidatesInput::Keyword(k)) if k == "cells" => Candidates::Cells,
        Some(CandidatesInput::Keyword(k)) => {
            return Err(invalid("candidates", format!("{k:?} is not \"cells\" or a list of sites")));
        }
        Some(CandidatesInput::List(list)) => {
            if list.len() > state.config.limits.max_candidates {
                return Err(AnalysisError::TooLarge {
                    field: "candidates",
                    message: format!(
                        "{} candidates given, more than the limit of {}",
                        list.len(),
                        state.config.limits.max_candidates
                    ),
                });
            }
            let mut out = Vec::with_capacity(list.len());
            for (i, c) in list.iter().enumerate() {
                let pos = LonLat::new(c.lon, c.lat)
                    .map_err(|e| invalid("candidates", format!("candidates[{i}] ({}): {e}", c.id)))?;
                out.push(Candidate { id: c.id.clone(), name: c.name.clone(), pos });
            }
            Candidates::List(out)
        }
    };
    let mut fixed = Vec::with_capacity(req.fixed.len());
    for (i, [lon, lat]) in req.fixed.iter().enumerate() {
        fixed.push(LonLat::new(*lon, *lat).map_err(|e| invalid("fixed", format!("fixed[{i}]: {e}")))?);
    }
    let prepared = prepare_for(state, &req.coverage(), tier).await?;
    // The candidate × demand pairs, from the cells the grid will have and the reach of the
    // threshold (p-median reaches twice as far).
    let cells = prepared.cells_estimate;
    let n_candidates = match &candidates {
        Candidates::Cells => cells,
        Candidates::List(l) => l.len(),
    };
    let cutoff_s = minutes[0] * 60.0 * if matches!(objective, Objective::PMedian { .. }) { 2.0 } else { 1.0 };
    let reach_m = match &prepared.network {
        Some(net) => {
            let b = crate::network::reach_bound(net);
            b.speed_m_s * cutoff_s + b.zero_time_m + 2.0 * net.snap_options().max_distance_m
        }
        None => prepared.eta.reach_m(cutoff_s, prepared.params.mode),
    };
    let pairs = estimate_pairs(cells, n_candidates, reach_m, prepared.params.resolution.to_h3());
    if pairs > tier.max_pairs || pairs.saturating_mul(BYTES_PER_PAIR) > tier.max_memory_bytes {
        return Err(AnalysisError::TooLarge {
            field: "minutes",
            message: format!(
                "the plan would weigh about {pairs} candidate × demand pairs ({n_candidates} candidates, each reaching \
                 about {} of the {cells} cells within {:.1} km), more than the {} allowed; choose fewer minutes, a \
                 coarser resolution, a smaller area or a list of candidates{SIGN_IN_HINT}",
                pairs / (n_candidates.max(1) as u64),
                reach_m / 1000.0,
                tier.max_pairs.min(tier.max_memory_bytes / BYTES_PER_PAIR)
            ),
        });
    }
    let params = PlanParams {
        objective,
        threshold_s: minutes[0] * 60.0,
        candidates,
        exclude: req.exclude.clone(),
        fixed,
        filter: prepared.params.filter,
        solve: SolveOptions {
            effort: SolveOptions::default().effort.min(state.config.limits.max_plan_effort),
            ..SolveOptions::default()
        },
    };
    Ok(CheckedPlan { prepared, params })
}

/// Runs a checked plan on this thread, unmetered: see [`run_plan_within`].
///
/// # Errors
/// [`AnalysisError`].
pub fn run_plan(
    plan_in: &CheckedPlan,
    progress: &mut dyn FnMut(&str, f64) -> ControlFlow<()>,
) -> Result<PlanResult, AnalysisError> {
    run_plan_within(plan_in, progress, &Budget::unlimited())
}

/// Runs a checked plan on this thread within `budget`: the coverage analysis, then the planner.
/// `progress` gets the phase and fraction; returning `Break` stops the planner (the best plan so
/// far is kept).
///
/// # Errors
/// [`AnalysisError`]; [`AnalysisError::OverBudget`] once the budget is spent,
/// [`AnalysisError::Cancelled`] when it is cancelled.
pub fn run_plan_within(
    plan_in: &CheckedPlan,
    progress: &mut dyn FnMut(&str, f64) -> ControlFlow<()>,
    budget: &Budget,
) -> Result<PlanResult, AnalysisError> {
    if progress("coverage", 0.0).is_break() {
        return Err(AnalysisError::Cancelled);
    }
    let analysis = plan_in.prepared.analyse_within(budget)?;
    let p = &plan_in.prepared;
    let mut hook = |pr: &Progress| {
        let phase = match pr.phase {
            Phase::Greedy => "greedy",
            Phase::Bound => "bound",
            _ => "improve",
        };
        progress(phase, pr.fraction)
    };
    plan_within(&analysis, &p.stations, p.network.as_deref(), &p.eta, &plan_in.params, &mut hook, budget)
        .map_err(AnalysisError::from_plan)
}

impl Jobs {
    /// An empty registry with these limits.
    #[must_use]
    pub fn new(limits: Limits) -> Self {
        Self { limits, jobs: Mutex::new(HashMap::new()) }
    }

    fn prune(&self, jobs: &mut HashMap<String, Arc<Job>>) {
        let ttl = Duration::from_secs(self.limits.finished_job_ttl_s);
        jobs.retain(|_, j| lock(&j.inner).finished.is_none_or(|t| t.elapsed() < ttl));
        let mut finished: Vec<(Instant, String)> =
            jobs.iter().filter_map(|(id, j)| lock(&j.inner).finished.map(|t| (t, id.clone()))).collect();
        if finished.len() > self.limits.finished_jobs_kept {
            finished.sort();
            let excess = finished.len() - self.limits.finished_jobs_kept;
            for (_, id) in finished.into_iter().take(excess) {
                jobs.remove(&id);
            }
        }
    }

    /// Cancels every queued and running job (the server is shutting down).
    pub fn cancel_all(&self) {
        for job in lock(&self.jobs).values() {
            job.cancel();
        }
    }

    /// Jobs queued or running.
    #[must_use]
    pub fn active(&self) -> usize {
        lock(&self.jobs).values().filter(|j| !lock(&j.inner).status.is_finished()).count()
    }

    /// One job, if still in memory.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<Arc<Job>> {
        let mut jobs = lock(&self.jobs);
        self.prune(&mut jobs);
        jobs.get(id).cloned()
    }

    /// Checks a plan request against the caller's budget `tier` and starts it as a job owned by
    /// `owner` (a token id, or `anonymous`).
    ///
    /// # Errors
    /// [`AnalysisError`] for bad input or a request over the budget; [`AnalysisError::Busy`] when
    /// `max_concurrent_plans` jobs are already queued or running.
    pub async fn submit(
        &self,
        state: Arc<AppState>,
        req: PlanRequest,
        tier: &TierBudget,
        owner: &str,
    ) -> Result<Arc<Job>, AnalysisError> {
        self.ensure_capacity()?;
        let checked = check_plan_for(&state, &req, tier).await?;
        let job = Arc::new(Job::queued(
            new_id("plan_"),
            serde_json::to_value(&req).unwrap_or_default(),
            owner.to_owned(),
            WorkPool::budget(tier.limits()),
        ));
        {
            let mut jobs = lock(&self.jobs);
            self.prune(&mut jobs);
            let active = jobs.values().filter(|j| !lock(&j.inner).status.is_finished()).count();
            if active >= self.limits.max_concurrent_plans {
                return Err(self.busy());
            }
            jobs.insert(job.id.clone(), Arc::clone(&job));
        }
        let runner = Arc::clone(&job);
        tokio::spawn(async move { execute(state, runner, checked).await });
        Ok(job)
    }

    fn ensure_capacity(&self) -> Result<(), AnalysisError> {
        if self.active() >= self.limits.max_concurrent_plans { Err(self.busy()) } else { Ok(()) }
    }

    fn busy(&self) -> AnalysisError {
        AnalysisError::Busy(format!(
            "{} plan jobs are already queued or running, the most this server runs at once; retry when one \
             finishes or cancel one",
            self.limits.max_concurrent_plans
        ))
    }
}

async fn execute(state: Arc<AppState>, job: Arc<Job>, checked: CheckedPlan) {
    let worker = Arc::clone(&job);
    let outcome = state
        .work
        .run("plan", job.budget.clone(), move |budget| {
            let mut progress = |phase: &str, fraction: f64| {
                worker.set_progress(phase, fraction);
                if worker.cancel.load(Ordering::Relaxed) { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
            };
            run_plan_within(&checked, &mut progress, budget)
        })
        .await;
    let cancelled = job.cancel.load(Ordering::Relaxed);
    match outcome {
        Ok(Ok(result)) => {
            let saved = SavedAnalysis {
                id: job.id.clone(),
                kind: AnalysisKind::Plan,
                request: job.request.clone(),
                result: JsonText::of(&result),
                created_at: job.created_at,
                created_by: job.owner.clone(),
            };
            if cancelled {
                job.finish(JobStatus::Cancelled, Some(result), None);
            } else if let Err(e) = state.store.put_analysis(&saved).await {
                tracing::error!(job = %job.id, error = %e, "cannot store a finished plan");
                job.finish(JobStatus::Failed, None, Some(failure(&AnalysisError::Store(e))));
            } else {
                job.finish(JobStatus::Done, Some(result), None);
                let limits = &state.config.limits;
                let max_age = Duration::from_secs(limits.analyses_max_age_s);
                if let Err(e) = state.store.prune_analyses(AnalysisKind::Plan, limits.plan_results_kept, max_age).await
                {
                    tracing::warn!(error = %e, "cannot prune old plan results");
                }
            }
        }
        Ok(Err(_)) if cancelled => job.finish(JobStatus::Cancelled, None, None),
        Ok(Err(e)) => job.finish(JobStatus::Failed, None, Some(failure(&e))),
        Err(e) => {
            let e = AnalysisError::Work(e);
            job.finish(JobStatus::Failed, None, Some(failure(&e)));
        }
    }
}

fn failure(e: &AnalysisError) -> JobFailure {
    let code = match e {
        AnalysisError::NotFound { .. } => "not_found",
        AnalysisError::Invalid { .. } => "invalid_body",
        AnalysisError::TooLarge { .. } => "too_large",
        AnalysisError::OverBudget { .. } => "over_budget",
        AnalysisError::Cancelled => "cancelled",
        AnalysisError::Work(_) => "busy",
        _ => "internal_error",
    };
    JobFailure { code: code.to_owned(), message: e.to_string(), field: e.field().map(str::to_owned) }
}

#[cfg(test)]
#[path = "jobs_tests.rs"]
mod tests;
