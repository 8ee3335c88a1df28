//! Lagrangian upper bound for maximal covering.
//!
//! The covering model is: maximise Σᵢ wᵢ yᵢ subject to yᵢ ≤ Σ_{j covers i} xⱼ, Σⱼ xⱼ = p,
//! x, y ∈ {0, 1}. Relaxing the coverage constraints with multipliers λᵢ ∈ [0, wᵢ] gives
//!
//! L(λ) = Σᵢ max(0, wᵢ − λᵢ) + (sum of the p largest ρⱼ), with ρⱼ = Σ_{i ∈ Nⱼ} λᵢ,
//!
//! an upper bound on the optimum for every λ (Galvão & ReVelle, *A Lagrangean heuristic for the
//! maximal covering location problem*, EJOR 88, 1996); its minimum is the LP relaxation value.
//! The multipliers follow deflected subgradient steps (Camerini, Fratta & Maffioli, *On improving
//! relaxation methods by modified gradient techniques*, Math. Prog. Study 3, 1975) with Polyak
//! step sizes towards the best known covered weight, starting from λ = w. Only items whose
//! multiplier moves update the ρⱼ of the candidates covering them, so iterations in which most
//! multipliers sit at a bound cost far less than a pass over all coverage pairs. The reported bound is recomputed
//! from scratch for the best multipliers, so rounding in the incremental sums cannot weaken it.

use super::Phase;
use super::coverage::index_u32;
use super::problem::Reduced;
use super::search::Control;

/// Deflection: the step direction is the projected subgradient plus this times the previous one.
const DEFLECTION: f64 = 0.7;

/// Iterations without a better bound before the step factor is halved.
const PATIENCE: u32 = 20;

/// Result of the subgradient run.
pub(crate) struct Bound {
    /// L(λ) at the best multipliers seen: no set of p new sites adds more weight.
    pub(crate) upper: f64,
    /// The best top-p primal solution seen (reduced candidate indices) and its covered weight.
    pub(crate) primal: (Vec<u32>, f64),
    /// Subgradient iterations run.
    pub(crate) iterations: u32,
}

/// L(λ) evaluated from scratch, with the top-p candidates left at the front of `order`.
fn evaluate(r: &Reduced, p: usize, lambda: &[f64], rho: &mut [f64], order: &mut [u32]) -> f64 {
    for (j, rho_j) in rho.iter_mut().enumerate() {
        *rho_j = r.fwd.row(j).iter().map(|&i| lambda[i as usize]).sum();
    }
    let free: f64 = r.w.iter().zip(lambda).map(|(w, l)| (w - l).max(0.0)).sum();
    free + top_p(p, rho, order)
}

/// Moves the `p` largest `rho` (ties: smaller index) to the front of `order`; returns their sum.
fn top_p(p: usize, rho: &[f64], order: &mut [u32]) -> f64 {
    if p > 0 && p < order.len() {
        order.select_nth_unstable_by(p - 1, |a, b| rho[*b as usize].total_cmp(&rho[*a as usize]).then(a.cmp(b)));
    }
    order[..p].iter().map(|&j| rho[j as usize]).sum()
}

/// Runs up to `iterations` subgradient steps. `lower` is the best covered weight known, used for
/// step sizes; the run also stops when the bound meets it, when the step factor has shrunk to
/// nothing, when `work` reaches half of what is left of the phase's budget (`control.work_end`), or
/// when `control` says so.
pub(crate) fn lagrangian(
    r: &Reduced,
    p: usize,
    lower: f64,
    iterations: u32,
    work: &mut u64,
    control: &mut Control<'_, '_>,
) -> Bound {
    let (n, m) = (r.w.len(), r.m());
    let eps = r.eps();
    let p = p.min(m);
    // At λ = w, L(λ) is the sum of the p largest standalone gains; only items the top-p choice
    // covers move at first, which keeps early iterations cheap on large, sparse instances.
    let mut lambda: Vec<f64> = r.w.clone();
    let mut rho = vec![0.0; m];
    let mut order: Vec<u32> = (0..m).map(index_u32).collect();
    let mut upper = evaluate(r, p, &lambda, &mut rho, &mut order);
    *work += (r.nnz() + n + m) as u64;
    let mut free: f64 = r.w.iter().zip(&lambda).map(|(w, l)| (w - l).max(0.0)).sum();
    let mut best_lambda = lambda.clone();
    let mut best = Bound { upper, primal: (Vec::new(), 0.0), iterations: 0 };
    let mut dir = vec![0.0; n];
    let mut cov = vec![0u32; n];
    let mut lower = lower;
    let mut alpha = 2.0;
    let mut since_improvement = 0;
    let work_end = *work + control.work_end.saturating_sub(*work) / 2;
    for it in 0..iterations {
        if *work >= work_end || !control.tick(*work, Phase::Bound, lower) {
            break;
        }
        best.iterations = it + 1;
        if it > 0 {
            upper = free + top_p(p, &rho, &mut order);
        }
        *work += (n + m) as u64;
        if upper < best.upper - eps {
            best.upper = upper;
            best_lambda.clone_from(&lambda);
            since_improvement = 0;
        } else {
            since_improvement += 1;
        }
        let chosen = &order[..p];
        for &j in chosen {
            let row = r.fwd.row(j as usize);
            *work += row.len() as u64;
            for &i in row {
                cov[i as usize] += 1;
            }
        }
        let covered: f64 = r.w.iter().zip(&cov).filter(|(_, c)| **c > 0).map(|(w, _)| w).sum();
        if covered > best.primal.1 {
            let mut sites = chosen.to_vec();
            sites.sort_unstable();
            best.primal = (sites, covered);
        }
        lower = lower.max(covered);
        if best.upper <= lower + eps {
            break;
        }
        if since_improvement >= PATIENCE {
            alpha *= 0.5;
            since_improvement = 0;
            if alpha < 1e-4 {
                break;
            }
        }
        // Deflected direction from the subgradient of L at λ, projected on the box 0 ≤ λ ≤ w.
        let mut norm2 = 0.0;
        for i in 0..n {
            let mut g = f64::from(u8::from(r.w[i] > lambda[i])) - f64::from(cov[i]);
            if (g < 0.0 && lambda[i] <= 0.0) || (g > 0.0 && lambda[i] >= r.w[i]) {
                g = 0.0;
            }
            let mut d = g + DEFLECTION * dir[i];
            if d.abs() < 1e-9 || (d < 0.0 && lambda[i] <= 0.0) || (d > 0.0 && lambda[i] >= r.w[i]) {
                d = 0.0;
            }
            dir[i] = d;
            norm2 += dir[i] * dir[i];
            cov[i] = 0;
        }
        if norm2 == 0.0 {
            break;
        }
        let step = alpha * (upper - lower).max(eps) / norm2;
        for i in 0..n {
            if dir[i] == 0.0 {
                continue;
            }
            let new = (lambda[i] + step * dir[i]).clamp(0.0, r.w[i]);
            let delta = new - lambda[i];
            if delta == 0.0 {
                continue;
            }
            free += (r.w[i] - new).max(0.0) - (r.w[i] - lambda[i]).max(0.0);
            lambda[i] = new;
            let cands = r.rev.row(i);
            *work += cands.len() as u64;
            for &j in cands {
                rho[j as usize] += delta;
            }
        }
    }
    // The incremental sums drift by rounding; recompute the bound exactly.
    best.upper = evaluate(r, p, &best_lambda, &mut rho, &mut order).max(lower);
    *work += (r.nnz() + n + m) as u64;
    best
}
