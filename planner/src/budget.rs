//! What one analysis may spend: a wall-clock deadline, a memory allowance for the large
//! intermediate tables (candidate × demand pairs, travel-time rows), a thread count, and a cancel
//! flag that its owner (a request whose client went away, a server shutting down) may raise.
//!
//! A [`Budget`] is checked at phase boundaries and inside the long loops of
//! [`crate::coverage::analyse_within`] and [`crate::plan::plan_within`]; once spent or cancelled,
//! the computation stops at its next check with [`BudgetExceeded`] instead of running on. Clones
//! share one allowance. [`Budget::unlimited`] (the default) never stops anything.
//!
//! The thread count is how many threads the data-parallel loops of this crate may use on the
//! calling thread ([`threads`], [`limit_threads`]); by default every core, up to 8.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, OnceLock};
use std::time::{Duration, Instant};

/// Why a budgeted computation stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BudgetExceeded {
    /// Its owner cancelled it.
    #[error("the computation was cancelled")]
    Cancelled,
    /// It ran past its time limit.
    #[error("the computation ran past its time limit of {limit_ms} ms")]
    Time {
        /// The limit, milliseconds.
        limit_ms: u64,
    },
    /// Its intermediate tables grew past the memory allowance.
    #[error("the computation needed more than its memory allowance of {limit_bytes} bytes")]
    Memory {
        /// The allowance, bytes.
        limit_bytes: u64,
    },
}

/// Limits of a [`Budget`]; `None` means no limit of that kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BudgetLimits {
    /// Time on the budget's clock from its start, after which checks fail (wall-clock time for
    /// [`Budget::new`]; e.g. the CPU time of the thread running the work for
    /// [`Budget::with_clock`]).
    pub time: Option<Duration>,
    /// Bytes the computation's large tables may hold at once ([`Budget::charge_bytes`]).
    pub memory_bytes: Option<u64>,
}

/// A monotonic clock: time since some fixed origin.
pub type Clock = fn() -> Duration;

/// Wall-clock time since the first call in this process.
#[must_use]
pub fn wall_clock() -> Duration {
    static ORIGIN: LazyLock<Instant> = LazyLock::new(Instant::now);
    ORIGIN.elapsed()
}

#[derive(Debug)]
struct Inner {
    cancelled: AtomicBool,
    limits: BudgetLimits,
    bytes: AtomicU64,
    clock: Clock,
    start: OnceLock<Duration>,
}

/// A shared, thread-safe allowance of time and memory with a cancel flag. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Budget(Option<Arc<Inner>>);

impl Budget {
    /// A budget that never runs out and cannot be cancelled.
    #[must_use]
    pub const fn unlimited() -> Self {
        Self(None)
    }

    /// A budget with these limits on the wall clock, started now.
    #[must_use]
    pub fn new(limits: BudgetLimits) -> Self {
        let b = Self::with_clock(limits, wall_clock);
        b.start_clock();
        b
    }

    /// A budget whose time limit is measured on `clock` from [`Budget::start_clock`]; until
    /// then its time is not counted. A per-thread CPU clock must be started, and checked, on the
    /// thread that does the work.
    #[must_use]
    pub fn with_clock(limits: BudgetLimits, clock: Clock) -> Self {
        Self(Some(Arc::new(Inner {
            cancelled: AtomicBool::new(false),
            limits,
            bytes: AtomicU64::new(0),
            clock,
            start: OnceLock::new(),
        })))
    }

    /// Starts the time limit now, on the budget's clock (only the first call counts).
    pub fn start_clock(&self) {
        if let Some(i) = &self.0 {
            let _ = i.start.set((i.clock)());
        }
    }

    /// Time spent on the budget's clock since it started (zero before).
    #[must_use]
    pub fn elapsed(&self) -> Duration {
        self.0.as_ref().and_then(|i| i.start.get().map(|s| (i.clock)().saturating_sub(*s))).unwrap_or_default()
    }

    /// The limits (all `None` for [`Budget::unlimited`]).
    #[must_use]
    pub fn limits(&self) -> BudgetLimits {
        self.0.as_ref().map(|i| i.limits).unwrap_or_default()
    }

    /// Asks the computation to stop at its next check. No effect on an unlimited budget.
    pub fn cancel(&self) {
        if let Some(i) = &self.0 {
            i.cancelled.store(true, Ordering::Relaxed);
        }
    }

    /// Whether [`Budget::cancel`] was called.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.0.as_ref().is_some_and(|i| i.cancelled.load(Ordering::Relaxed))
    }

    /// Fails when cancelled, past the deadline, or over the memory allowance.
    ///
    /// # Errors
    /// [`BudgetExceeded`].
    pub fn check(&self) -> Result<(), BudgetExceeded> {
        let Some(i) = &self.0 else { return Ok(()) };
        if i.cancelled.load(Ordering::Relaxed) {
            return Err(BudgetExceeded::Cancelled);
        }
        if let Some(limit_bytes) = i.limits.memory_bytes
            && i.bytes.load(Ordering::Relaxed) > limit_bytes
        {
            return Err(BudgetExceeded::Memory { limit_bytes });
        }
        if let (Some(limit), Some(start)) = (i.limits.time, i.start.get())
            && (i.clock)().saturating_sub(*start) >= limit
        {
            return Err(BudgetExceeded::Time { limit_ms: u64::try_from(limit.as_millis()).unwrap_or(u64::MAX) });
        }
        Ok(())
    }

    /// Records `bytes` more held by the computation's tables, then [`Budget::check`]s.
    ///
    /// # Errors
    /// [`BudgetExceeded`] (the bytes stay charged: the computation is expected to stop).
    pub fn charge_bytes(&self, bytes: u64) -> Result<(), BudgetExceeded> {
        if let Some(i) = &self.0 {
            i.bytes.fetch_add(bytes, Ordering::Relaxed);
        }
        self.check()
    }

    /// Returns `bytes` charged earlier (a table was freed).
    pub fn release_bytes(&self, bytes: u64) {
        if let Some(i) = &self.0 {
            let _ = i.bytes.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| Some(b.saturating_sub(bytes)));
        }
    }

    /// Bytes charged now.
    #[must_use]
    pub fn charged_bytes(&self) -> u64 {
        self.0.as_ref().map_or(0, |i| i.bytes.load(Ordering::Relaxed))
    }
}

thread_local! {
    static THREAD_LIMIT: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Threads the data-parallel loops of this crate use when called from this thread: the limit set
/// with [`limit_threads`], else every core (at most 8).
#[must_use]
pub fn threads() -> usize {
    THREAD_LIMIT
        .with(Cell::get)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
        .clamp(1, 8)
}

/// Runs `f` with the data-parallel loops it calls (on this thread) limited to `n` threads
/// (`n` ≥ 1; 1 runs them on this thread alone). The previous limit is restored afterwards.
pub fn limit_threads<T>(n: usize, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<usize>);
    impl Drop for Restore {
        fn drop(&mut self) {
            THREAD_LIMIT.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(THREAD_LIMIT.with(|c| c.replace(Some(n.max(1)))));
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlimited_never_fails() {
        let b = Budget::unlimited();
        b.cancel();
        assert_eq!(b.charge_bytes(u64::MAX), Ok(()));
        assert!(!b.is_cancelled());
    }

    #[test]
    fn memory_allowance_and_release() {
        let b = Budget::new(BudgetLimits { memory_bytes: Some(100), ..BudgetLimits::default() });
        assert_eq!(b.charge_bytes(60), Ok(()));
        assert_eq!(b.clone().charge_bytes(60), Err(BudgetExceeded::Memory { limit_bytes: 100 }));
        b.release_bytes(60);
        assert_eq!(b.check(), Ok(()));
        assert_eq!(b.charged_bytes(), 60);
    }

    #[test]
    fn deadline_and_cancel() {
        let b = Budget::new(BudgetLimits { time: Some(Duration::ZERO), ..BudgetLimits::default() });
        assert_eq!(b.check(), Err(BudgetExceeded::Time { limit_ms: 0 }));
        let c = Budget::new(BudgetLimits::default());
        let shared = c.clone();
        assert_eq!(c.check(), Ok(()));
        shared.cancel();
        assert_eq!(c.check(), Err(BudgetExceeded::Cancelled));
    }

    #[test]
    fn custom_clock_counts_from_its_start() {
        fn stopped() -> Duration {
            Duration::from_secs(5)
        }
        let b = Budget::with_clock(BudgetLimits { time: Some(Duration::ZERO), ..BudgetLimits::default() }, stopped);
        assert_eq!(b.check(), Ok(()), "not started: time is not counted");
        b.start_clock();
        assert_eq!(b.check(), Err(BudgetExceeded::Time { limit_ms: 0 }));
        assert_eq!(b.elapsed(), Duration::ZERO);
    }

    #[test]
    fn thread_limit_is_scoped() {
        let outside = threads();
        assert_eq!(limit_threads(1, threads), 1);
        assert_eq!(limit_threads(3, || limit_threads(1, threads)), 1);
        assert_eq!(threads(), outside);
    }
}
