//! AUC from dense ranks: sort once, then score any reweighting of the same rows in O(n).
//!
//! With ranks r ∈ 0..G (equal scores share a rank), the Mann–Whitney AUC is
//! Σ_g W⁺_g · (W⁻_{<g} + ½ W⁻_g) / (W⁺ · W⁻), where W±_g is the weight of positives/negatives
//! of rank g. A bootstrap replicate only changes weights, so it never re-sorts. Integer-valued
//! indicators have few distinct values, so G is small and the sweep is a short histogram.

/// Dense ranks of `scores` (ascending; equal values share a rank) and the number of ranks.
pub fn dense_ranks(scores: &[f64]) -> (Vec<u32>, usize) {
    let mut order: Vec<(f64, u32)> = scores
        .iter()
        .enumerate()
        .map(|(i, &s)| (s, i as u32))
        .collect();
    radsort::sort_by_key(&mut order, |p| p.0);
    let mut ranks = vec![0u32; scores.len()];
    let mut g = 0u32;
    for k in 0..order.len() {
        if k > 0 && order[k].0 != order[k - 1].0 {
            g += 1;
        }
        ranks[order[k].1 as usize] = g;
    }
    let groups = if order.is_empty() { 0 } else { g as usize + 1 };
    (ranks, groups)
}

/// Rows with their dense ranks and labels, ready for repeated weighted AUCs.
#[derive(Debug, Clone)]
pub struct RankedScores {
    ranks: Vec<u32>,
    positive: Vec<bool>,
    groups: usize,
}

impl RankedScores {
    pub fn new(ranks: Vec<u32>, groups: usize, positive: Vec<bool>) -> RankedScores {
        RankedScores {
            ranks,
            positive,
            groups,
        }
    }

    /// AUC with row `i` weighted by `weight(i)`; `None` when a class has zero total weight.
    pub fn auc(&self, weight: impl Fn(usize) -> f64) -> Option<f64> {
        let mut pos = vec![0.0; self.groups];
        let mut neg = vec![0.0; self.groups];
        for (i, (&r, &p)) in self.ranks.iter().zip(&self.positive).enumerate() {
            let w = weight(i);
            if p {
                pos[r as usize] += w;
            } else {
                neg[r as usize] += w;
            }
        }
        auc_from_histograms(&pos, &neg)
    }
}

/// The Mann–Whitney sweep over per-rank positive and negative weights.
pub fn auc_from_histograms(pos: &[f64], neg: &[f64]) -> Option<f64> {
    let (mut below, mut sum, mut total_pos) = (0.0, 0.0, 0.0);
    for (&p, &n) in pos.iter().zip(neg) {
        sum += p * (below + 0.5 * n);
        below += n;
        total_pos += p;
    }
    (total_pos > 0.0 && below > 0.0).then(|| sum / (total_pos * below))
}
