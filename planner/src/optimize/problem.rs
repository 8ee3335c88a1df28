//! The covering problem shared by maximal covering and minimum set: validation, summaries, the
//! reduced instance the search works on and the covering [`Model`].

use super::OptimizeError;
use super::coverage::{Coverage, Csr, NONE, index_u32};
use super::search::Model;

/// A covering problem: demand weights, which demand each candidate covers, what the existing
/// stations already cover (held fixed) and which candidates may not be chosen.
///
/// The problem borrows the weights and the coverage, so one [`Coverage`] can serve several
/// solves (different `p`, targets or exclusions).
#[derive(Debug, Clone)]
pub struct CoverProblem<'a> {
    weights: &'a [f64],
    coverage: &'a Coverage,
    existing: Vec<bool>,
    excluded: Vec<bool>,
}

/// Covered demand for one set of stations.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct CoverSummary {
    /// Weight of the demand items covered (same unit as the weights).
    pub covered_weight: f64,
    /// Weight of all demand items.
    pub total_weight: f64,
    /// `covered_weight / total_weight`, 0 ..= 1 (1 when the total weight is 0).
    pub share: f64,
    /// Number of demand items covered (whatever their weight).
    pub covered_items: usize,
    /// Number of demand items.
    pub n_items: usize,
}

/// One proposed site.
///
/// Sites are ranked by greedy resequencing of the final solution: rank 1 is the chosen site that
/// adds the most weight to what existing stations cover, rank 2 the one that adds the most given
/// existing stations and rank 1, and so on (ties: lower candidate index). `marginal_weight` is that
/// addition, so the marginal weights of ranks 1 ..= k sum to what the first k sites add together,
/// and all of them to `after.covered_weight − before.covered_weight` — building in rank order is a
/// sensible phasing.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct RankedSite {
    /// 1-based rank.
    pub rank: u32,
    /// Index of the candidate (row of the [`Coverage`]).
    pub candidate: u32,
    /// Weight this site adds given existing stations and the sites ranked before it.
    pub marginal_weight: f64,
    /// Weight covered by this site and by no other station, existing or proposed: what would be
    /// lost if only this site were dropped from the plan.
    pub unique_weight: f64,
}

/// Checks that there is one finite weight ≥ 0 per demand item.
pub(crate) fn check_weights(weights: &[f64], n_demand: usize) -> Result<(), OptimizeError> {
    if weights.len() != n_demand {
        return Err(OptimizeError::LengthMismatch { what: "weights", got: weights.len(), expected: n_demand });
    }
    match weights.iter().enumerate().find(|(_, w)| !(w.is_finite() && **w >= 0.0)) {
        Some((index, &value)) => Err(OptimizeError::BadWeight { index, value }),
        None => Ok(()),
    }
}

/// Sets `excluded[j]` for each candidate index given (sizing the mask to `m` on first use).
pub(crate) fn mark_excluded(
    excluded: &mut Vec<bool>,
    m: usize,
    candidates: impl IntoIterator<Item = usize>,
) -> Result<(), OptimizeError> {
    if excluded.is_empty() {
        *excluded = vec![false; m];
    }
    for index in candidates {
        *excluded.get_mut(index).ok_or(OptimizeError::CandidateOutOfRange { index, n_candidates: m })? = true;
    }
    Ok(())
}

impl<'a> CoverProblem<'a> {
    /// A problem over `weights` (one per demand item, ≥ 0) and `coverage`, with nothing covered
    /// yet and every candidate allowed.
    ///
    /// # Errors
    /// [`OptimizeError::LengthMismatch`] if `weights.len() != coverage.n_demand()`;
    /// [`OptimizeError::BadWeight`] for a NaN, infinite or negative weight.
    pub fn new(weights: &'a [f64], coverage: &'a Coverage) -> Result<Self, OptimizeError> {
        check_weights(weights, coverage.n_demand())?;
        Ok(Self { weights, coverage, existing: Vec::new(), excluded: Vec::new() })
    }

    /// Marks demand items as already covered by existing stations (`covered[i]`, one per demand
    /// item; see [`Coverage::covered_mask`]). Calls accumulate.
    ///
    /// # Errors
    /// [`OptimizeError::LengthMismatch`] if the mask has the wrong length.
    pub fn with_existing(mut self, covered: &[bool]) -> Result<Self, OptimizeError> {
        let n = self.coverage.n_demand();
        if covered.len() != n {
            return Err(OptimizeError::LengthMismatch {
                what: "existing coverage mask",
                got: covered.len(),
                expected: n,
            });
        }
        if self.existing.is_empty() {
            self.existing = covered.to_vec();
        } else {
            self.existing.iter_mut().zip(covered).for_each(|(e, c)| *e |= c);
        }
        Ok(self)
    }

    /// Excludes candidates (by index) from being chosen. Calls accumulate.
    ///
    /// # Errors
    /// [`OptimizeError::CandidateOutOfRange`] for an index ≥ the number of candidates.
    pub fn with_excluded(mut self, candidates: impl IntoIterator<Item = usize>) -> Result<Self, OptimizeError> {
        mark_excluded(&mut self.excluded, self.coverage.n_candidates(), candidates)?;
        Ok(self)
    }

    /// The demand weights.
    #[must_use]
    pub fn weights(&self) -> &'a [f64] {
        self.weights
    }

    /// The coverage sets.
    #[must_use]
    pub fn coverage(&self) -> &'a Coverage {
        self.coverage
    }

    /// Whether demand item `i` is covered by an existing station.
    pub(crate) fn is_existing(&self, i: usize) -> bool {
        self.existing.get(i).copied().unwrap_or(false)
    }

    /// Whether candidate `j` may be chosen.
    #[must_use]
    pub fn is_allowed(&self, candidate: usize) -> bool {
        candidate < self.coverage.n_candidates() && !self.excluded.get(candidate).copied().unwrap_or(false)
    }

    /// What the existing stations plus `sites` (candidate indices) cover, summed in demand index
    /// order. Indices out of range are ignored.
    #[must_use]
    pub fn summary(&self, sites: &[u32]) -> CoverSummary {
        let mut covered: Vec<bool> =
            if self.existing.is_empty() { vec![false; self.weights.len()] } else { self.existing.clone() };
        for &j in sites.iter().filter(|&&j| (j as usize) < self.coverage.n_candidates()) {
            for &i in self.coverage.covered_by(j as usize) {
                covered[i as usize] = true;
            }
        }
        let total_weight: f64 = self.weights.iter().sum();
        let (mut covered_weight, mut covered_items) = (0.0, 0);
        for (w, _) in self.weights.iter().zip(&covered).filter(|(_, c)| **c) {
            covered_weight += w;
            covered_items += 1;
        }
        let share = if total_weight > 0.0 { covered_weight / total_weight } else { 1.0 };
        CoverSummary { covered_weight, total_weight, share, covered_items, n_items: self.weights.len() }
    }
}

/// The part of a covering problem the search works on: demand items that are not yet covered, have
/// positive weight and are covered by some allowed candidate, renumbered densely, and the allowed
/// candidates that cover at least one of them.
#[derive(Debug, Clone)]
pub(crate) struct Reduced {
    /// Reduced candidate → original candidate index.
    pub(crate) cand: Vec<u32>,
    /// Weight of each reduced demand item (all > 0).
    pub(crate) w: Vec<f64>,
    /// Reduced candidate → reduced demand items it covers.
    pub(crate) fwd: Csr,
    /// Reduced demand item → reduced candidates covering it.
    pub(crate) rev: Csr,
    /// Sum of `w`: the most any set of new sites can add.
    pub(crate) coverable: f64,
}

impl Reduced {
    pub(crate) fn new(problem: &CoverProblem<'_>) -> Self {
        let cov = problem.coverage;
        let n = cov.n_demand();
        let allowed: Vec<usize> = (0..cov.n_candidates()).filter(|&j| problem.is_allowed(j)).collect();
        let mut reachable = vec![false; n];
        for &j in &allowed {
            for &i in cov.covered_by(j) {
                reachable[i as usize] = true;
            }
        }
        let mut map = vec![NONE; n];
        let mut w = Vec::new();
        for i in 0..n {
            if reachable[i] && !problem.is_existing(i) && problem.weights[i] > 0.0 {
                map[i] = index_u32(w.len());
                w.push(problem.weights[i]);
            }
        }
        let mut fwd = Csr::empty();
        let mut cand = Vec::new();
        for &j in &allowed {
            let start = fwd.indices.len();
            fwd.indices.extend(cov.covered_by(j).iter().map(|&i| map[i as usize]).filter(|&r| r != NONE));
            if fwd.indices.len() > start {
                fwd.offsets.push(fwd.indices.len());
                cand.push(index_u32(j));
            }
        }
        let rev = fwd.transpose(w.len());
        let coverable = w.iter().sum();
        Self { cand, w, fwd, rev, coverable }
    }

    /// Number of candidates.
    pub(crate) fn m(&self) -> usize {
        self.cand.len()
    }

    /// Number of (candidate, demand) pairs.
    pub(crate) fn nnz(&self) -> usize {
        self.fwd.indices.len()
    }

    /// Absolute tolerance for comparing covered weights (float sums of the weights).
    pub(crate) fn eps(&self) -> f64 {
        1e-9 * self.coverable.max(1e-300)
    }
}

/// Maximal covering as a [`Model`]: the value is the weight covered by the chosen sites.
///
/// Per demand item, `cnt` counts the chosen sites covering it and `xor` holds the XOR of their
/// indices — the sole coverer when `cnt == 1`. `gain[j]` is the weight of uncovered items `j`
/// covers, `loss[s]` the weight only `s` covers, and `extra(s, t)` the weight of items only `s`
/// covers that `t` covers too.
pub(crate) struct CoverModel<'r> {
    r: &'r Reduced,
    cnt: Vec<u32>,
    xor: Vec<u32>,
    gain: Vec<f64>,
    loss: Vec<f64>,
    covered: f64,
}

impl<'r> CoverModel<'r> {
    /// Nothing chosen; returns the model and the work spent building it.
    pub(crate) fn new(r: &'r Reduced) -> (Self, u64) {
        let gain = (0..r.m()).map(|j| r.fwd.row(j).iter().map(|&i| r.w[i as usize]).sum()).collect();
        let n = r.w.len();
        let model = Self { r, cnt: vec![0; n], xor: vec![0; n], gain, loss: vec![0.0; r.m()], covered: 0.0 };
        (model, r.nnz() as u64)
    }
}

impl Model for CoverModel<'_> {
    fn m(&self) -> usize {
        self.r.m()
    }

    fn value(&self) -> f64 {
        self.covered
    }

    fn gains(&self) -> &[f64] {
        &self.gain
    }

    fn loss(&self, s: u32) -> f64 {
        self.loss[s as usize]
    }

    fn open(&mut self, t: u32, dirty: &mut Vec<u32>) -> u64 {
        let r = self.r;
        let row = r.fwd.row(t as usize);
        let mut work = row.len() as u64;
        for &i in row {
            let iu = i as usize;
            let w = r.w[iu];
            match self.cnt[iu] {
                0 => {
                    self.covered += w;
                    self.loss[t as usize] += w;
                    let cands = r.rev.row(iu);
                    work += cands.len() as u64;
                    for &j in cands {
                        self.gain[j as usize] -= w;
                    }
                }
                1 => {
                    let sole = self.xor[iu];
                    self.loss[sole as usize] -= w;
                    dirty.push(sole);
                }
                _ => {}
            }
            self.cnt[iu] += 1;
            self.xor[iu] ^= t;
        }
        work
    }

    fn close(&mut self, s: u32, dirty: &mut Vec<u32>) -> u64 {
        let r = self.r;
        let row = r.fwd.row(s as usize);
        let mut work = row.len() as u64;
        for &i in row {
            let iu = i as usize;
            let w = r.w[iu];
            self.cnt[iu] -= 1;
            self.xor[iu] ^= s;
            match self.cnt[iu] {
                0 => {
                    self.covered -= w;
                    let cands = r.rev.row(iu);
                    work += cands.len() as u64;
                    for &j in cands {
                        self.gain[j as usize] += w;
                    }
                }
                1 => {
                    let sole = self.xor[iu];
                    self.loss[sole as usize] += w;
                    dirty.push(sole);
                }
                _ => {}
            }
        }
        self.loss[s as usize] = 0.0;
        work
    }

    fn for_each_extra(&self, s: u32, mut f: impl FnMut(u32, f64)) -> u64 {
        let r = self.r;
        let row = r.fwd.row(s as usize);
        let mut work = row.len() as u64;
        for &i in row {
            if self.cnt[i as usize] == 1 {
                let w = r.w[i as usize];
                let cands = r.rev.row(i as usize);
                work += cands.len() as u64;
                for &t in cands {
                    f(t, w);
                }
            }
        }
        work
    }

    fn eps(&self) -> f64 {
        self.r.eps()
    }
}

/// Ranked sites from [`Search::rank`](super::search::Search::rank) output over a [`Reduced`]
/// instance, with original candidate indices.
pub(crate) fn ranked_sites(r: &Reduced, ranked: &[(u32, f64, f64)]) -> Vec<RankedSite> {
    ranked
        .iter()
        .enumerate()
        .map(|(k, &(j, marginal_weight, unique_weight))| RankedSite {
            rank: index_u32(k + 1),
            candidate: r.cand[j as usize],
            marginal_weight,
            unique_weight,
        })
        .collect()
}
