//! p-median: choose `p` new sites that minimise demand-weighted travel time, from sparse
//! (candidate, demand, time) pairs within a cutoff.
//!
//! Each demand item travels to its nearest station — existing or new — or, when none is within
//! the cutoff, is charged the *unserved* cost. The solver maximises the saving against the
//! stations that exist (equivalent to minimising the weighted cost) with the same engine as
//! maximal covering: swap moves priced from each item's best and second-best station
//! (Whitaker's fast interchange as refined by Resende & Werneck, *A fast swap-based local search
//! procedure for location problems*, Ann. Oper. Res. 150, 2007), greedy start and iterated local
//! search.

use super::coverage::{Coverage, Csr, NONE, index_u32};
use super::problem::{check_weights, mark_excluded};
use super::search::{Control, Model, Search, iterated_local_search};
use super::{OptimizeError, Phase, ProgressHook, SolveOptions, Termination};
use std::time::Duration;

/// Travel costs from candidates to demand items, stored only for pairs within a cutoff: for each
/// candidate, ascending demand indices with one cost each (seconds for travel times; any unit
/// ≥ 0 works, and the objective is in weight × that unit).
#[derive(Debug, Clone, PartialEq)]
pub struct SparseCosts {
    n_demand: usize,
    pairs: Csr,
    costs: Vec<f64>,
}

impl SparseCosts {
    /// Costs from per-candidate lists of `(demand index, cost)` pairs, any order; a repeated pair
    /// keeps its smallest cost.
    ///
    /// # Errors
    /// [`OptimizeError::DemandOutOfRange`], [`OptimizeError::BadCost`] for a NaN or negative
    /// cost, [`OptimizeError::TooLarge`].
    pub fn from_pairs<I, S>(n_demand: usize, rows: I) -> Result<Self, OptimizeError>
    where
        I: IntoIterator<Item = S>,
        S: IntoIterator<Item = (u32, f64)>,
    {
        if n_demand > super::MAX_ITEMS {
            return Err(OptimizeError::TooLarge { what: "demand items", count: n_demand });
        }
        let mut pairs = Csr::empty();
        let mut costs = Vec::new();
        let mut row: Vec<(u32, f64)> = Vec::new();
        for (candidate, list) in rows.into_iter().enumerate() {
            if candidate >= super::MAX_ITEMS {
                return Err(OptimizeError::TooLarge { what: "candidates", count: candidate + 1 });
            }
            row.clear();
            row.extend(list);
            for (k, &(index, cost)) in row.iter().enumerate() {
                if index as usize >= n_demand {
                    return Err(OptimizeError::DemandOutOfRange { candidate, index, n_demand });
                }
                if cost.is_nan() || cost < 0.0 {
                    return Err(OptimizeError::BadCost { what: "cost pair", index: costs.len() + k, value: cost });
                }
            }
            row.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
            row.dedup_by_key(|e| e.0);
            pairs.push_row(row.iter().map(|e| e.0));
            costs.extend(row.iter().map(|e| e.1));
        }
        Ok(Self { n_demand, pairs, costs })
    }

    /// Straight-line travel times in the plane: candidate `j` reaches demand `i` in
    /// `distance / speed_m_s` seconds, stored when that is at most `cutoff_s`. Coordinates are
    /// projected metres; `speed_m_s` is the effective speed (mode speed ÷ detour factor, see
    /// [`crate::eta`]).
    ///
    /// # Errors
    /// As [`Coverage::planar_radius`]; [`OptimizeError::BadCost`] for a speed or cutoff that is
    /// not a positive finite number.
    pub fn planar_travel_time(
        demand: &[[f64; 2]],
        candidates: &[[f64; 2]],
        speed_m_s: f64,
        cutoff_s: f64,
    ) -> Result<Self, OptimizeError> {
        for (what, value) in [("speed", speed_m_s), ("cutoff", cutoff_s)] {
            if !(value.is_finite() && value > 0.0) {
                return Err(OptimizeError::BadCost { what, index: 0, value });
            }
        }
        let within = Coverage::planar_radius(demand, candidates, speed_m_s * cutoff_s)?;
        let pairs = within.csr().clone();
        let mut costs = Vec::with_capacity(pairs.indices.len());
        for (j, c) in candidates.iter().enumerate() {
            costs.extend(pairs.row(j).iter().map(|&i| {
                let d = demand[i as usize];
                (d[0] - c[0]).hypot(d[1] - c[1]) / speed_m_s
            }));
        }
        Ok(Self { n_demand: demand.len(), pairs, costs })
    }

    /// Number of demand items.
    #[must_use]
    pub fn n_demand(&self) -> usize {
        self.n_demand
    }

    /// Number of candidates.
    #[must_use]
    pub fn n_candidates(&self) -> usize {
        self.pairs.rows()
    }

    /// Number of stored pairs.
    #[must_use]
    pub fn nnz(&self) -> usize {
        self.costs.len()
    }

    /// The `(demand index, cost)` pairs of `candidate`, by ascending demand index.
    ///
    /// # Panics
    /// If `candidate >= self.n_candidates()`.
    pub fn pairs_of(&self, candidate: usize) -> impl Iterator<Item = (u32, f64)> + '_ {
        let range = self.pairs.offsets[candidate]..self.pairs.offsets[candidate + 1];
        self.pairs.indices[range.clone()].iter().copied().zip(self.costs[range].iter().copied())
    }
}

/// A p-median problem: weights, sparse costs, the cost charged to demand with no station within
/// the cutoff, the cost to the nearest existing station, and excluded candidates.
#[derive(Debug, Clone)]
pub struct CostProblem<'a> {
    weights: &'a [f64],
    costs: &'a SparseCosts,
    unserved_cost: f64,
    existing: Vec<f64>,
    excluded: Vec<bool>,
}

/// Demand-weighted travel cost for one set of stations.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct MedianSummary {
    /// Σ weight × cost to the nearest station (or the unserved cost), weight × seconds.
    pub weighted_cost: f64,
    /// `weighted_cost / total_weight`: the weighted mean cost, seconds (0 when the total is 0).
    pub mean_cost: f64,
    /// Weight of the demand items whose cost is below the unserved cost.
    pub served_weight: f64,
    /// Weight of all demand items.
    pub total_weight: f64,
}

/// One proposed site of a p-median plan, ranked by greedy resequencing as [`super::RankedSite`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct MedianSite {
    /// 1-based rank.
    pub rank: u32,
    /// Index of the candidate.
    pub candidate: u32,
    /// Reduction of the weighted cost (weight × seconds) this site brings given existing stations
    /// and the sites ranked before it; the marginal savings sum to
    /// `before.weighted_cost − after.weighted_cost`.
    pub marginal_saving: f64,
    /// Increase of the weighted cost if only this site were dropped from the plan.
    pub unique_saving: f64,
}

/// A p-median plan.
#[derive(Debug, Clone, PartialEq)]
pub struct MedianSolution {
    /// The proposed sites, ranked. Fewer than `p` when more sites would save nothing.
    pub sites: Vec<MedianSite>,
    /// Cost with existing stations only.
    pub before: MedianSummary,
    /// Cost with existing stations and the proposed sites.
    pub after: MedianSummary,
    /// Why the search stopped ([`Termination::Optimal`] only when every demand item is at its
    /// cheapest allowed candidate).
    pub termination: Termination,
    /// Iterated local search rounds run.
    pub rounds: u64,
    /// Work spent, in the elementary steps of [`SolveOptions::effort`].
    pub work: u64,
    /// Wall-clock time of the solve.
    pub elapsed: Duration,
}

impl<'a> CostProblem<'a> {
    /// A problem over `weights` (≥ 0, one per demand item) and `costs`, where demand with no
    /// station within the stored pairs costs `unserved_cost` (e.g. the cutoff, or a penalty above
    /// it). No existing stations, every candidate allowed.
    ///
    /// # Errors
    /// [`OptimizeError::LengthMismatch`], [`OptimizeError::BadWeight`],
    /// [`OptimizeError::BadCost`] for an unserved cost that is NaN, negative or infinite.
    pub fn new(weights: &'a [f64], costs: &'a SparseCosts, unserved_cost: f64) -> Result<Self, OptimizeError> {
        check_weights(weights, costs.n_demand)?;
        if !(unserved_cost.is_finite() && unserved_cost >= 0.0) {
            return Err(OptimizeError::BadCost { what: "unserved cost", index: 0, value: unserved_cost });
        }
        Ok(Self { weights, costs, unserved_cost, existing: Vec::new(), excluded: Vec::new() })
    }

    /// Sets each demand item's cost to its nearest existing station (seconds; `f64::INFINITY`
    /// where none is known). Costs above the unserved cost are charged the unserved cost.
    ///
    /// # Errors
    /// [`OptimizeError::LengthMismatch`]; [`OptimizeError::BadCost`] for NaN or negative costs.
    pub fn with_existing(mut self, cost: &[f64]) -> Result<Self, OptimizeError> {
        if cost.len() != self.weights.len() {
            return Err(OptimizeError::LengthMismatch {
                what: "existing costs",
                got: cost.len(),
                expected: self.weights.len(),
            });
        }
        if let Some((index, &value)) = cost.iter().enumerate().find(|(_, c)| c.is_nan() || **c < 0.0) {
            return Err(OptimizeError::BadCost { what: "existing cost", index, value });
        }
        self.existing = cost.to_vec();
        Ok(self)
    }

    /// Excludes candidates (by index) from being chosen. Calls accumulate.
    ///
    /// # Errors
    /// [`OptimizeError::CandidateOutOfRange`].
    pub fn with_excluded(mut self, candidates: impl IntoIterator<Item = usize>) -> Result<Self, OptimizeError> {
        mark_excluded(&mut self.excluded, self.costs.n_candidates(), candidates)?;
        Ok(self)
    }

    /// Cost of demand item `i` with existing stations only.
    fn base(&self, i: usize) -> f64 {
        self.existing.get(i).map_or(self.unserved_cost, |&e| e.min(self.unserved_cost))
    }

    /// Weighted cost with existing stations plus `sites` (candidate indices; out of range ignored).
    #[must_use]
    pub fn summary(&self, sites: &[u32]) -> MedianSummary {
        let mut cost: Vec<f64> = (0..self.weights.len()).map(|i| self.base(i)).collect();
        for &j in sites.iter().filter(|&&j| (j as usize) < self.costs.n_candidates()) {
            for (i, c) in self.costs.pairs_of(j as usize) {
                let slot = &mut cost[i as usize];
                *slot = slot.min(c);
            }
        }
        let (mut weighted_cost, mut served_weight, mut total_weight) = (0.0, 0.0, 0.0);
        for (&w, &c) in self.weights.iter().zip(&cost) {
            weighted_cost += w * c;
            total_weight += w;
            if c < self.unserved_cost {
                served_weight += w;
            }
        }
        let mean_cost = if total_weight > 0.0 { weighted_cost / total_weight } else { 0.0 };
        MedianSummary { weighted_cost, mean_cost, served_weight, total_weight }
    }
}

/// The part of a p-median problem the search works on: demand items with positive weight that
/// some allowed candidate reaches more cheaply than their base cost (existing or unserved), and
/// those candidates, with only the pairs that beat the base cost.
struct MedianReduced {
    cand: Vec<u32>,
    w: Vec<f64>,
    base: Vec<f64>,
    fwd: Csr,
    fwd_cost: Vec<f64>,
    rev: Csr,
    rev_cost: Vec<f64>,
    /// Σ w × (base − cheapest pair): the most any set of sites can save.
    max_saving: f64,
}

impl MedianReduced {
    fn new(problem: &CostProblem<'_>) -> Self {
        let costs = problem.costs;
        let n = costs.n_demand;
        let allowed = |j: usize| !problem.excluded.get(j).copied().unwrap_or(false);
        let mut best = vec![f64::INFINITY; n];
        for j in (0..costs.n_candidates()).filter(|&j| allowed(j)) {
            for (i, c) in costs.pairs_of(j) {
                best[i as usize] = best[i as usize].min(c);
            }
        }
        let mut map = vec![NONE; n];
        let (mut w, mut base) = (Vec::new(), Vec::new());
        let mut max_saving = 0.0;
        for i in 0..n {
            let b = problem.base(i);
            if problem.weights[i] > 0.0 && best[i] < b {
                map[i] = index_u32(w.len());
                w.push(problem.weights[i]);
                base.push(b);
                max_saving += problem.weights[i] * (b - best[i]);
            }
        }
        let (mut fwd, mut fwd_cost, mut cand) = (Csr::empty(), Vec::new(), Vec::new());
        for j in (0..costs.n_candidates()).filter(|&j| allowed(j)) {
            let start = fwd_cost.len();
            for (i, c) in costs.pairs_of(j) {
                let r = map[i as usize];
                if r != NONE && c < base[r as usize] {
                    fwd.indices.push(r);
                    fwd_cost.push(c);
                }
            }
            if fwd_cost.len() > start {
                fwd.offsets.push(fwd.indices.len());
                cand.push(index_u32(j));
            }
        }
        let (rev, rev_cost) = fwd.transpose_with(w.len(), &fwd_cost);
        Self { cand, w, base, fwd, fwd_cost, rev, rev_cost, max_saving }
    }

    fn eps(&self) -> f64 {
        1e-9 * self.max_saving.max(1e-300)
    }
}

/// p-median as a [`Model`]: the value is the saving Σ w × (base − cost), where each demand item's
/// cost is `c1` (its cheapest open candidate `phi1`, or the base cost when `phi1` is `NONE`) and
/// `c2` is the next cheapest option, base included.
///
/// * `gain[t] = Σ_{i reached by t} w · max(0, c1 − c_it)`
/// * `loss[s] = Σ_{phi1(i) = s} w · (c2 − c1)`
/// * `extra(s, t) = Σ_{phi1(i) = s, c_it < c2} w · (c2 − max(c_it, c1))`
struct MedianModel<'r> {
    r: &'r MedianReduced,
    open: Vec<bool>,
    c1: Vec<f64>,
    c2: Vec<f64>,
    phi1: Vec<u32>,
    gain: Vec<f64>,
    loss: Vec<f64>,
    saving: f64,
}

impl<'r> MedianModel<'r> {
    fn new(r: &'r MedianReduced) -> (Self, u64) {
        let gain = (0..r.cand.len())
            .map(|j| {
                let range = r.fwd.offsets[j]..r.fwd.offsets[j + 1];
                r.fwd.indices[range.clone()]
                    .iter()
                    .zip(&r.fwd_cost[range])
                    .map(|(&i, &c)| r.w[i as usize] * (r.base[i as usize] - c))
                    .sum()
            })
            .collect();
        let model = Self {
            r,
            open: vec![false; r.cand.len()],
            c1: r.base.clone(),
            c2: r.base.clone(),
            phi1: vec![NONE; r.w.len()],
            gain,
            loss: vec![0.0; r.cand.len()],
            saving: 0.0,
        };
        (model, r.fwd.indices.len() as u64)
    }

    /// The candidates reaching demand item `i` and their costs.
    fn reaching(&self, i: usize) -> impl Iterator<Item = (u32, f64)> + '_ {
        let range = self.r.rev.offsets[i]..self.r.rev.offsets[i + 1];
        self.r.rev.indices[range.clone()].iter().copied().zip(self.r.rev_cost[range].iter().copied())
    }

    /// Adds (`sign = 1`) or removes (`sign = −1`) item `i`'s contributions to gains and loss.
    fn contribute(&mut self, i: usize, sign: f64) -> u64 {
        let (w, c1) = (self.r.w[i], self.c1[i]);
        let range = self.r.rev.offsets[i]..self.r.rev.offsets[i + 1];
        for (&j, &c) in self.r.rev.indices[range.clone()].iter().zip(&self.r.rev_cost[range.clone()]) {
            if c < c1 {
                self.gain[j as usize] += sign * w * (c1 - c);
            }
        }
        if self.phi1[i] != NONE {
            self.loss[self.phi1[i] as usize] += sign * w * (self.c2[i] - c1);
        }
        range.len() as u64
    }

    /// Recomputes `c1`, `phi1` and `c2` of item `i` from the open candidates reaching it.
    fn rescan(&mut self, i: usize) {
        let (mut c1, mut c2, mut phi1) = (self.r.base[i], self.r.base[i], NONE);
        for (j, c) in self.reaching(i) {
            if !self.open[j as usize] {
                continue;
            }
            if c < c1 {
                (c2, c1, phi1) = (c1, c, j);
            } else if c < c2 {
                c2 = c;
            }
        }
        (self.c1[i], self.c2[i], self.phi1[i]) = (c1, c2, phi1);
    }
}

impl Model for MedianModel<'_> {
    fn m(&self) -> usize {
        self.r.cand.len()
    }

    fn value(&self) -> f64 {
        self.saving
    }

    fn gains(&self) -> &[f64] {
        &self.gain
    }

    fn loss(&self, s: u32) -> f64 {
        self.loss[s as usize]
    }

    fn open(&mut self, t: u32, dirty: &mut Vec<u32>) -> u64 {
        self.open[t as usize] = true;
        let (start, end) = (self.r.fwd.offsets[t as usize], self.r.fwd.offsets[t as usize + 1]);
        let mut work = (end - start) as u64;
        for k in start..end {
            let (i, c) = (self.r.fwd.indices[k] as usize, self.r.fwd_cost[k]);
            let w = self.r.w[i];
            if c < self.c1[i] {
                if self.phi1[i] != NONE {
                    dirty.push(self.phi1[i]);
                }
                work += self.contribute(i, -1.0);
                self.saving += w * (self.c1[i] - c);
                (self.c2[i], self.c1[i], self.phi1[i]) = (self.c1[i], c, t);
                work += self.contribute(i, 1.0);
            } else if c < self.c2[i] {
                let phi1 = self.phi1[i];
                self.loss[phi1 as usize] += w * (c - self.c2[i]);
                self.c2[i] = c;
                dirty.push(phi1);
            }
        }
        work
    }

    fn close(&mut self, s: u32, dirty: &mut Vec<u32>) -> u64 {
        self.open[s as usize] = false;
        let (start, end) = (self.r.fwd.offsets[s as usize], self.r.fwd.offsets[s as usize + 1]);
        let mut work = (end - start) as u64;
        for k in start..end {
            let (i, c) = (self.r.fwd.indices[k] as usize, self.r.fwd_cost[k]);
            if self.phi1[i] == s || c <= self.c2[i] {
                let old = self.c1[i];
                if self.phi1[i] != NONE {
                    dirty.push(self.phi1[i]);
                }
                work += self.contribute(i, -1.0);
                self.rescan(i);
                if self.phi1[i] != NONE {
                    dirty.push(self.phi1[i]);
                }
                self.saving -= self.r.w[i] * (self.c1[i] - old);
                work += 2 * self.contribute(i, 1.0);
            }
        }
        self.loss[s as usize] = 0.0;
        work
    }

    fn for_each_extra(&self, s: u32, mut f: impl FnMut(u32, f64)) -> u64 {
        let (start, end) = (self.r.fwd.offsets[s as usize], self.r.fwd.offsets[s as usize + 1]);
        let mut work = (end - start) as u64;
        for &i in &self.r.fwd.indices[start..end] {
            let i = i as usize;
            if self.phi1[i] != s {
                continue;
            }
            let (w, c1, c2) = (self.r.w[i], self.c1[i], self.c2[i]);
            for (t, c) in self.reaching(i) {
                if c < c2 {
                    f(t, w * (c2 - c.max(c1)));
                }
            }
            work += (self.r.rev.offsets[i + 1] - self.r.rev.offsets[i]) as u64;
        }
        work
    }

    fn eps(&self) -> f64 {
        self.r.eps()
    }
}

/// Chooses up to `p` new sites among the allowed candidates of `problem` that minimise the
/// demand-weighted cost (each item at its nearest station, existing or new, or at the unserved
/// cost): greedy start, best-improvement swap descent and iterated local search until the work
/// budget is spent. No lower bound is computed. Deterministic for a given input and options
/// unless the time limit or the hook intervenes.
///
/// # Errors
/// [`OptimizeError::Cancelled`] if the hook stops the solver before its greedy start.
pub fn solve_p_median(
    problem: &CostProblem<'_>,
    p: usize,
    options: &SolveOptions,
    mut progress: ProgressHook<'_>,
) -> Result<MedianSolution, OptimizeError> {
    let mut control = Control::new(&mut progress, options);
    if !control.tick(0, Phase::Greedy, f64::NAN) && control.stop == Some(Termination::Cancelled) {
        return Err(OptimizeError::Cancelled);
    }
    let r = MedianReduced::new(problem);
    let (model, work) = MedianModel::new(&r);
    let mut search = Search::new(model, work);
    search.greedy(p, None);
    let eps = r.eps();
    let mut rounds = 0;
    if search.value() < r.max_saving - eps && control.tick(search.work, Phase::Search, search.value()) {
        search.local_search(p, &mut control, 0.0);
        if control.stop.is_none() {
            rounds = iterated_local_search(&mut search, p, options.seed, r.max_saving, None, &mut control);
        }
    }
    let termination = if search.value() >= r.max_saving - eps {
        Termination::Optimal
    } else {
        control.stop.unwrap_or(Termination::Budget)
    };
    search.drop_redundant(search.value());
    let sites: Vec<MedianSite> = search
        .rank()
        .iter()
        .enumerate()
        .map(|(k, &(j, marginal_saving, unique_saving))| MedianSite {
            rank: index_u32(k + 1),
            candidate: r.cand[j as usize],
            marginal_saving,
            unique_saving,
        })
        .collect();
    let chosen: Vec<u32> = sites.iter().map(|s| s.candidate).collect();
    let before = problem.summary(&[]);
    let after = problem.summary(&chosen);
    control.finish(before.weighted_cost - after.weighted_cost);
    Ok(MedianSolution { sites, before, after, termination, rounds, work: search.work, elapsed: control.elapsed() })
}

#[cfg(test)]
#[path = "pmedian_tests.rs"]
mod tests;
