//! The search engine shared by the solvers: a [`Model`] prices moves exactly and incrementally;
//! [`Search`] keeps the chosen set and runs the greedy start, swap local search and iterated local
//! search; [`Control`] holds the budget, the clock and the progress hook.

use super::coverage::{NONE, index_u32};
use super::{Phase, Progress, ProgressHook, SolveOptions, Termination};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

/// An `f64` with the total order of [`f64::total_cmp`], for heaps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Key(pub(crate) f64);

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Budget, clock and progress hook of one solve.
pub(crate) struct Control<'h, 'a> {
    hook: &'h mut ProgressHook<'a>,
    start: Instant,
    time_limit: Option<Duration>,
    /// The work budget of the whole solve.
    pub(crate) effort: u64,
    /// Where the current phase must stop (≤ `effort`; the budget's end unless a solver splits it).
    pub(crate) work_end: u64,
    next_report: u64,
    phase: Option<Phase>,
    /// Set once the search must stop for a reason other than the budget.
    pub(crate) stop: Option<Termination>,
}

impl<'h, 'a> Control<'h, 'a> {
    pub(crate) fn new(hook: &'h mut ProgressHook<'a>, options: &SolveOptions) -> Self {
        Self {
            hook,
            start: Instant::now(),
            time_limit: options.time_limit,
            effort: options.effort.max(1),
            work_end: options.effort.max(1),
            next_report: 0,
            phase: None,
            stop: None,
        }
    }

    /// Time since the solve started.
    pub(crate) fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// Checks the clock, reports progress when due (every 0.5 % of the budget or on a phase
    /// change) and returns whether the search may go on. Running out of budget is the caller's
    /// test; this only handles time and cancellation.
    pub(crate) fn tick(&mut self, work: u64, phase: Phase, best_objective: f64) -> bool {
        if self.stop.is_some() {
            return false;
        }
        if self.time_limit.is_some_and(|limit| self.start.elapsed() >= limit) {
            self.stop = Some(Termination::TimeLimit);
            return false;
        }
        if self.phase != Some(phase) || work >= self.next_report {
            self.phase = Some(phase);
            self.next_report = work.saturating_add(self.effort / 200);
            let fraction = (work as f64 / self.effort as f64).min(1.0);
            if let ControlFlow::Break(()) = (self.hook)(&Progress { fraction, phase, best_objective }) {
                self.stop = Some(Termination::Cancelled);
                return false;
            }
        }
        true
    }

    /// Reports completion (fraction 1) unless the search was cancelled.
    pub(crate) fn finish(&mut self, best_objective: f64) {
        if self.stop != Some(Termination::Cancelled) {
            let phase = self.phase.unwrap_or(Phase::Search);
            let _ = (self.hook)(&Progress { fraction: 1.0, phase, best_objective });
        }
    }
}

/// An objective to maximise over sets of open candidates `0 .. m()`, kept up to date under
/// opening and closing so that every swap can be priced exactly:
///
/// value(S − s + t) − value(S) = gain(t) − loss(s) + extra(s, t)
///
/// where `gain(t)` is what opening `t` alone adds, `loss(s)` what closing `s` alone loses, and
/// `extra(s, t)` (≥ 0) corrects for demand that `s` serves and `t` would take over. Implementations
/// are submodular: gains only shrink as sites open.
pub(crate) trait Model {
    /// Number of candidates.
    fn m(&self) -> usize;
    /// Current objective value.
    fn value(&self) -> f64;
    /// Gains of every candidate (chosen ones included, meaningless there).
    fn gains(&self) -> &[f64];
    /// `loss(s)` of chosen candidate `s`.
    fn loss(&self, s: u32) -> f64;
    /// Opens `t` (closed); returns the work done. Pushes onto `dirty` every open candidate
    /// (other than `t`) whose `extra(s, ·)` changed.
    fn open(&mut self, t: u32, dirty: &mut Vec<u32>) -> u64;
    /// Closes `s` (open); returns the work done. Pushes onto `dirty` every open candidate whose
    /// `extra(s, ·)` changed.
    fn close(&mut self, s: u32, dirty: &mut Vec<u32>) -> u64;
    /// Calls `f(t, x)` for contributions `x` to `extra(s, t)` (a `t` may come several times and
    /// includes chosen candidates); returns the work done.
    fn for_each_extra(&self, s: u32, f: impl FnMut(u32, f64)) -> u64;
    /// Absolute tolerance below which value differences are noise.
    fn eps(&self) -> f64;
}

/// A swap move: close chosen site `out`, open candidate `inn`; `delta` is the change of value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Swap {
    pub(crate) delta: f64,
    pub(crate) out: u32,
    pub(crate) inn: u32,
}

/// How many of the best non-chosen candidates (by gain) the swap scan keeps at hand.
const TOP: usize = 32;

/// Whether `(v, j)` beats `(best, best_j)`: larger value, then smaller index.
#[inline]
fn beats(v: f64, j: u32, best: f64, best_j: u32) -> bool {
    v > best || (v == best && j < best_j)
}

/// A chosen set over a [`Model`], with the scratch space of the swap scan.
pub(crate) struct Search<M> {
    pub(crate) model: M,
    /// Chosen candidates, in no particular order.
    pub(crate) sel: Vec<u32>,
    pos: Vec<u32>,
    /// Work done so far, in elementary steps.
    pub(crate) work: u64,
    extra: Vec<f64>,
    mark: Vec<u32>,
    stamp: u32,
    touched: Vec<u32>,
    top: Vec<u32>,
    /// Per chosen candidate `s`: `extra(s, t)` for every `t` with a contribution, valid unless
    /// `stale[s]`.
    partners: Vec<Vec<(u32, f64)>>,
    stale: Vec<bool>,
    dirty: Vec<u32>,
}

impl<M: Model> Search<M> {
    /// Starts from the model's (empty) chosen set; `work` is what building the model cost.
    pub(crate) fn new(model: M, work: u64) -> Self {
        let m = model.m();
        Self {
            model,
            sel: Vec::new(),
            pos: vec![NONE; m],
            work,
            extra: vec![0.0; m],
            mark: vec![0; m],
            stamp: 0,
            touched: Vec::new(),
            top: Vec::new(),
            partners: vec![Vec::new(); m],
            stale: vec![true; m],
            dirty: Vec::new(),
        }
    }

    /// Marks the candidates the model reported as changed.
    fn flush_dirty(&mut self) {
        for &s in &self.dirty {
            self.stale[s as usize] = true;
        }
        self.dirty.clear();
    }

    /// Current objective value.
    pub(crate) fn value(&self) -> f64 {
        self.model.value()
    }

    /// Whether candidate `j` is chosen.
    #[inline]
    pub(crate) fn is_chosen(&self, j: u32) -> bool {
        self.pos[j as usize] != NONE
    }

    /// Opens candidate `t` (not chosen).
    pub(crate) fn add(&mut self, t: u32) {
        self.pos[t as usize] = index_u32(self.sel.len());
        self.sel.push(t);
        self.work += self.model.open(t, &mut self.dirty);
        self.stale[t as usize] = true;
        self.flush_dirty();
    }

    /// Closes chosen site `s`.
    pub(crate) fn remove(&mut self, s: u32) {
        let p = self.pos[s as usize] as usize;
        self.sel.swap_remove(p);
        if let Some(&moved) = self.sel.get(p) {
            self.pos[moved as usize] = index_u32(p);
        }
        self.pos[s as usize] = NONE;
        self.partners[s as usize] = Vec::new();
        self.work += self.model.close(s, &mut self.dirty);
        self.flush_dirty();
    }

    /// Changes the chosen set to `target` with as few closings and openings as possible.
    pub(crate) fn set_solution(&mut self, target: &[u32]) {
        let mut keep = vec![false; self.model.m()];
        for &j in target {
            keep[j as usize] = true;
        }
        let closing: Vec<u32> = self.sel.iter().copied().filter(|&s| !keep[s as usize]).collect();
        for s in closing {
            self.remove(s);
        }
        for &j in target {
            if !self.is_chosen(j) {
                self.add(j);
            }
        }
    }

    /// The best non-chosen candidate to open (largest gain, then smallest index).
    fn best_add(&mut self) -> Option<(f64, u32)> {
        self.work += self.model.m() as u64;
        let mut best: Option<(f64, u32)> = None;
        for (j, &g) in self.model.gains().iter().enumerate() {
            let j = index_u32(j);
            if !self.is_chosen(j) && best.is_none_or(|(bg, bj)| beats(g, j, bg, bj)) {
                best = Some((g, j));
            }
        }
        best
    }

    /// Opens sites greedily (largest gain first, ties by index) until `p` are chosen, no candidate
    /// adds more than the tolerance, or the value reaches `stop_at`. Gains are exact and only
    /// shrink as sites open, so a lazy max-heap finds each pick: a popped entry whose stored gain
    /// still equals the current gain is the maximum.
    pub(crate) fn greedy(&mut self, p: usize, stop_at: Option<f64>) {
        let eps = self.model.eps();
        let gains = self.model.gains();
        let mut heap: BinaryHeap<(Key, Reverse<u32>)> = (0..self.model.m())
            .map(index_u32)
            .filter(|&j| self.pos[j as usize] == NONE)
            .map(|j| (Key(gains[j as usize]), Reverse(j)))
            .collect();
        self.work += self.model.m() as u64;
        while self.sel.len() < p && stop_at.is_none_or(|target| self.value() < target - eps) {
            let Some((Key(stored), Reverse(j))) = heap.pop() else { break };
            self.work += 1;
            let g = self.model.gains()[j as usize];
            if g != stored {
                heap.push((Key(g), Reverse(j)));
                continue;
            }
            if g <= eps {
                break;
            }
            self.add(j);
        }
    }

    /// Collects the best non-chosen candidates by gain (up to [`TOP`]), descending, ties by index.
    fn collect_top(&mut self) {
        let gain = self.model.gains();
        let pos = &self.pos;
        self.top.clear();
        self.top.extend((0..self.model.m()).map(index_u32).filter(|&j| pos[j as usize] == NONE));
        self.work += self.model.m() as u64;
        let order = |a: &u32, b: &u32| gain[*b as usize].total_cmp(&gain[*a as usize]).then(a.cmp(b));
        if self.top.len() > TOP {
            self.top.select_nth_unstable_by(TOP - 1, order);
            self.top.truncate(TOP);
        }
        self.top.sort_unstable_by(order);
    }

    /// Recomputes the cached `extra(s, ·)` list of chosen candidate `s`.
    fn refresh_partners(&mut self, s: u32) {
        self.touched.clear();
        let (extra, touched) = (&mut self.extra, &mut self.touched);
        self.work += self.model.for_each_extra(s, |t, x| {
            if x > 0.0 {
                let e = &mut extra[t as usize];
                if *e == 0.0 {
                    touched.push(t);
                }
                *e += x;
            }
        });
        let list = &mut self.partners[s as usize];
        list.clear();
        for &t in &self.touched {
            list.push((t, std::mem::take(&mut self.extra[t as usize])));
        }
        self.work += list.len() as u64;
        self.stale[s as usize] = false;
    }

    /// The best swap over the whole neighbourhood (largest delta; ties: smaller closing index, then
    /// smaller opening index), or `None` if nothing is chosen or nothing is left to open.
    ///
    /// For each chosen `s`, the best partner is the better of the best candidate with an
    /// `extra(s, t)` contribution (gain + extra, from the cached list, recomputed only when the
    /// model reported a change) and the best one without (gain alone), found as the first such
    /// entry of the top-gain list.
    pub(crate) fn best_swap(&mut self) -> Option<Swap> {
        self.collect_top();
        let m = self.model.m();
        let n_free = m - self.sel.len();
        let mut best: Option<Swap> = None;
        let mut order: Vec<u32> = self.sel.clone();
        order.sort_unstable();
        for s in order {
            if self.stale[s as usize] {
                self.refresh_partners(s);
            }
            self.stamp = self.stamp.wrapping_add(1);
            if self.stamp == 0 {
                self.mark.fill(0);
                self.stamp = 1;
            }
            let stamp = self.stamp;
            let gain = self.model.gains();
            let (mut bv, mut bt) = (f64::NEG_INFINITY, NONE);
            let list = &self.partners[s as usize];
            self.work += list.len() as u64;
            for &(t, x) in list {
                self.mark[t as usize] = stamp;
                let v = gain[t as usize] + x;
                if self.pos[t as usize] == NONE && beats(v, t, bv, bt) {
                    (bv, bt) = (v, t);
                }
            }
            match self.top.iter().find(|&&t| self.mark[t as usize] != stamp) {
                Some(&t) if beats(gain[t as usize], t, bv, bt) => (bv, bt) = (gain[t as usize], t),
                Some(_) => {}
                None if self.top.len() < n_free => {
                    self.work += m as u64;
                    for (t, &v) in gain.iter().enumerate() {
                        let t = index_u32(t);
                        if self.pos[t as usize] == NONE && self.mark[t as usize] != stamp && beats(v, t, bv, bt) {
                            (bv, bt) = (v, t);
                        }
                    }
                }
                None => {}
            }
            if bt == NONE {
                continue;
            }
            let delta = bv - self.model.loss(s);
            if best.is_none_or(|b| delta > b.delta) {
                best = Some(Swap { delta, out: s, inn: bt });
            }
        }
        best
    }

    /// Best-improvement local search: opens sites while fewer than `p` are chosen and one adds
    /// value, then applies the best swap while it gains more than the tolerance. Returns `false`
    /// if `control` or the budget (`control.work_end`) stopped it before a local optimum.
    pub(crate) fn local_search(&mut self, p: usize, control: &mut Control<'_, '_>, best_so_far: f64) -> bool {
        let eps = self.model.eps();
        while self.sel.len() < p {
            match self.best_add() {
                Some((g, t)) if g > eps => self.add(t),
                _ => break,
            }
        }
        loop {
            if self.work >= control.work_end || !control.tick(self.work, Phase::Search, best_so_far.max(self.value())) {
                return false;
            }
            match self.best_swap() {
                Some(m) if m.delta > eps => {
                    self.remove(m.out);
                    self.add(m.inn);
                }
                _ => return true,
            }
        }
    }

    /// Closes chosen sites while the value stays at least `floor` (within tolerance), the one
    /// losing least first (ties by index).
    pub(crate) fn drop_redundant(&mut self, floor: f64) {
        let eps = self.model.eps();
        loop {
            self.work += self.sel.len() as u64;
            let model = &self.model;
            let value = model.value();
            let redundant = self
                .sel
                .iter()
                .copied()
                .filter(|&s| value - model.loss(s) >= floor - eps)
                .min_by(|&a, &b| model.loss(a).total_cmp(&model.loss(b)).then(a.cmp(&b)));
            match redundant {
                Some(s) => self.remove(s),
                None => return,
            }
        }
    }

    /// Greedy resequencing of the current chosen set: returns `(candidate, marginal, loss)` in
    /// rank order, where `marginal` is the gain of the site when added after the ones ranked
    /// before it (largest first, ties by index) and `loss` is its loss in the full set. Leaves the
    /// chosen set unchanged.
    pub(crate) fn rank(&mut self) -> Vec<(u32, f64, f64)> {
        let mut rest = std::mem::take(&mut self.sel);
        rest.sort_unstable();
        let full = rest.clone();
        for &s in &full {
            self.pos[s as usize] = NONE;
            self.work += self.model.close(s, &mut self.dirty);
        }
        self.flush_dirty();
        let mut ranked = Vec::with_capacity(rest.len());
        while !rest.is_empty() {
            let gains = self.model.gains();
            let mut k = 0;
            for (q, &j) in rest.iter().enumerate() {
                if beats(gains[j as usize], j, gains[rest[k] as usize], rest[k]) {
                    k = q;
                }
            }
            let j = rest.remove(k);
            ranked.push((j, gains[j as usize], 0.0));
            self.add(j);
        }
        for entry in &mut ranked {
            entry.2 = self.model.loss(entry.0);
        }
        ranked
    }
}

/// Largest number of sites one perturbation closes and reopens.
const MAX_KICK: usize = 20;

/// Acceptance band of the iterated local search: a new local optimum becomes the current solution
/// when its value is within this fraction of the best value found.
const ACCEPT_BAND: f64 = 0.01;

/// Iterated local search from the current solution (assumed to be a local optimum with `p`
/// sites, or to have reached everything reachable). Each round closes `k` random chosen sites
/// (k uniform in 1 ..= min(p, 20)), opens `k` replacements, each drawn from the three best gains
/// (never one just closed), and descends to a local optimum. The result becomes the current
/// solution when its value is within 1 % of the best found (threshold accepting, which lets the
/// search cross between basins); otherwise the search returns to the current solution. Stops when
/// the budget is spent, when the value reaches `upper_bound` or `stop_at` (within tolerance), or
/// when `control` says so; the search is left at the best solution found. Returns the number of
/// rounds run.
pub(crate) fn iterated_local_search<M: Model>(
    search: &mut Search<M>,
    p: usize,
    seed: u64,
    upper_bound: f64,
    stop_at: Option<f64>,
    control: &mut Control<'_, '_>,
) -> u64 {
    let eps = search.model.eps();
    let done = |v: f64| v >= upper_bound - eps || stop_at.is_some_and(|t| v >= t - eps);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut best = search.sel.clone();
    let mut best_value = search.value();
    let mut current = best.clone();
    let mut rounds = 0;
    let m = search.model.m();
    if search.sel.is_empty() || search.sel.len() == m || done(best_value) {
        return rounds;
    }
    let k_max = p.min(MAX_KICK).min(search.sel.len());
    let mut closed: Vec<u32> = Vec::new();
    while search.work < control.work_end && control.tick(search.work, Phase::Search, best_value) {
        rounds += 1;
        let k = rng.random_range(1..=k_max);
        closed.clear();
        for _ in 0..k {
            let s = search.sel[rng.random_range(0..search.sel.len())];
            search.remove(s);
            closed.push(s);
        }
        for _ in 0..k {
            let mut picks: [(f64, u32); 3] = [(f64::NEG_INFINITY, NONE); 3];
            for (j, &g) in search.model.gains().iter().enumerate() {
                let j = index_u32(j);
                if search.pos[j as usize] != NONE || !beats(g, j, picks[2].0, picks[2].1) || closed.contains(&j) {
                    continue;
                }
                picks[2] = (g, j);
                picks.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            }
            search.work += m as u64;
            let n = picks.iter().filter(|(g, j)| *j != NONE && *g > eps).count();
            if n == 0 {
                break;
            }
            search.add(picks[rng.random_range(0..n)].1);
        }
        let finished = search.local_search(p, control, best_value);
        if !finished && control.stop.is_some() {
            break;
        }
        let value = search.value();
        if value > best_value + eps {
            best.clone_from(&search.sel);
            best_value = value;
            if done(best_value) {
                break;
            }
        }
        if value >= best_value * (1.0 - ACCEPT_BAND) - eps {
            current.clone_from(&search.sel);
        } else {
            search.set_solution(&current);
        }
    }
    search.set_solution(&best);
    rounds
}
