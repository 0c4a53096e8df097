//! A ratio of cluster totals (a share of deals, counted over reps) with its cluster-robust
//! variance, and the intervals built on it: what a tuned rule's recall, false-alarm rate,
//! precision and flag rate carry when reps, not deals, are the independent draws.
//!
//! Why not the bootstrap over reps: in simulated teams of 6 reps its percentile intervals
//! covered the recall over all reps in 86% of teams and the false-alarm rate in 78% (its
//! variance lacks the K / (K − 1) factor, and its quantiles come from few distinct clusters);
//! these intervals, on the logit scale with Student's t on K − 1 degrees of freedom, in 95% and
//! 90-91% (`tests/tuning_over_reps.rs`; README, "Uncertainty").

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Σ_c a_c / Σ_c b_c over the K clusters with some `b`, with the linearisation (sandwich)
/// variance K / (K − 1) · Σ_c (a_c − R·b_c)² / (Σ_c b_c)²: the cluster-robust variance of
/// an intercept-only least-squares fit of a over the b-units (statsmodels' `cov_type =
/// "cluster"`), as for a recall a over the lost deals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterRatio {
    /// NaN when every `b` is 0.
    pub value: f64,
    /// NaN under two clusters.
    pub variance: f64,
    /// K: the clusters with some `b` (a cluster with none adds nothing to either sum).
    pub clusters: u64,
}

impl ClusterRatio {
    /// The ratio of the totals of `parts`, one `(a, b)` per cluster.
    pub fn new(parts: impl IntoIterator<Item = (f64, f64)> + Clone) -> ClusterRatio {
        let (mut a_total, mut b_total, mut clusters) = (0.0, 0.0, 0u64);
        for (a, b) in parts.clone() {
            a_total += a;
            b_total += b;
            clusters += u64::from(b != 0.0);
        }
        let value = a_total / b_total;
        let variance = if clusters < 2 {
            f64::NAN
        } else {
            let k = clusters as f64;
            let sum: f64 = parts
                .into_iter()
                .filter(|&(_, b)| b != 0.0)
                .map(|(a, b)| (a - value * b).powi(2))
                .sum();
            k / (k - 1.0) * sum / (b_total * b_total)
        };
        ClusterRatio {
            value,
            variance,
            clusters,
        }
    }

    /// The interval of a share (a ratio in [0, 1]) with `alpha` in each tail: logit(R) ±
    /// q·SE / (R (1 − R)) mapped back, q from Student's t on K − 1 degrees of freedom, so it
    /// stays in (0, 1) and leans away from the near bound as a share's sampling distribution
    /// does. `None` at a share of 0 or 1 (every cluster at the same share, whose variance of 0
    /// would claim certainty) and without a variance.
    pub fn share_interval(self, alpha: f64) -> Option<[f64; 2]> {
        let r = self.value;
        if !(r > 0.0 && r < 1.0) || self.variance.is_nan() {
            return None;
        }
        Some(logit_interval(
            r,
            self.variance.sqrt(),
            t_quantile(self.clusters, alpha),
        ))
    }

    /// The interval of a ratio that may take either sign (a difference of two shares over the
    /// same units), on its own scale: R ± q·SE with q as in
    /// [`share_interval`](Self::share_interval). `None` without a variance. A variance of 0
    /// gives [R, R]: for a difference of two rules, every cluster's difference is the same
    /// share of its units (as when the rules flag the same deals, a difference certain to be 0).
    pub fn interval(self, alpha: f64) -> Option<[f64; 2]> {
        if self.variance.is_nan() || self.value.is_nan() {
            return None;
        }
        let half = t_quantile(self.clusters, alpha) * self.variance.sqrt();
        Some([self.value - half, self.value + half])
    }
}

/// The `1 − alpha` quantile of Student's t on `clusters − 1` degrees of freedom: the reference
/// distribution of an estimate over that many clusters divided by its cluster-robust standard
/// error.
///
/// # Panics
/// Under two clusters (no degrees of freedom).
pub fn t_quantile(clusters: u64, alpha: f64) -> f64 {
    StudentsT::new(0.0, 1.0, clusters.saturating_sub(1) as f64)
        .expect("two clusters or more")
        .inverse_cdf(1.0 - alpha)
}

/// logit(p) ± q·se / (p (1 − p)), mapped back to (0, 1): the delta method's interval for a
/// share or AUC `p` in (0, 1) with standard error `se`.
pub fn logit_interval(p: f64, se: f64, q: f64) -> [f64; 2] {
    let logit = (p / (1.0 - p)).ln();
    let half = q * se / (p * (1.0 - p));
    [expit(logit - half), expit(logit + half)]
}

/// The logistic function, the inverse of the logit.
pub fn expit(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three reps' lost deals: 2 of 4 flagged, 1 of 2, 3 of 4; one rep without lost deals.
    /// R = 6 / 10; residuals a − R·b = −0.4, −0.2, 0.6; variance 3/2 · 0.56 / 100 = 0.0084.
    #[test]
    fn ratio_and_variance_by_hand() {
        let r = ClusterRatio::new([(2.0, 4.0), (1.0, 2.0), (0.0, 0.0), (3.0, 4.0)]);
        assert_eq!(r.clusters, 3);
        assert!((r.value - 0.6).abs() < 1e-15);
        assert!((r.variance - 0.0084).abs() < 1e-15, "{}", r.variance);
        // t on 2 df: 4.302652729749464 (scipy.stats.t.ppf(0.975, 2)).
        let q = t_quantile(3, 0.025);
        assert!((q - 4.302652729749464).abs() < 1e-9, "{q}");
        let [lo, hi] = r.interval(0.025).unwrap();
        let half = q * 0.0084f64.sqrt();
        assert!((lo - (0.6 - half)).abs() < 1e-12 && (hi - (0.6 + half)).abs() < 1e-12);
        // Logit scale: ln 1.5 ± q·√0.0084 / 0.24.
        let [lo, hi] = r.share_interval(0.025).unwrap();
        let h = q * 0.0084f64.sqrt() / 0.24;
        let back = |x: f64| 1.0 / (1.0 + (-x).exp());
        assert!((lo - back(1.5f64.ln() - h)).abs() < 1e-12);
        assert!((hi - back(1.5f64.ln() + h)).abs() < 1e-12);
    }

    #[test]
    fn no_share_interval_at_the_bounds_or_under_two_clusters() {
        let all = ClusterRatio::new([(2.0, 2.0), (3.0, 3.0), (1.0, 1.0)]);
        assert_eq!((all.value, all.variance), (1.0, 0.0));
        assert_eq!(all.share_interval(0.025), None);
        let none = ClusterRatio::new([(0.0, 2.0), (0.0, 3.0)]);
        assert_eq!(none.share_interval(0.025), None);
        let one = ClusterRatio::new([(1.0, 2.0), (0.0, 0.0)]);
        assert_eq!(one.clusters, 1);
        assert!(one.variance.is_nan());
        assert_eq!(
            (one.share_interval(0.025), one.interval(0.025)),
            (None, None)
        );
        let empty = ClusterRatio::new([(0.0, 0.0), (0.0, 0.0)]);
        assert!(empty.value.is_nan());
        assert_eq!(empty.interval(0.025), None);
    }

    /// The variance does not depend on the order of the clusters or on clusters without any
    /// b, and scales as 1 / c² when every b is multiplied by c.
    #[test]
    fn invariant_to_cluster_order_and_empty_clusters() {
        let parts = [(1.0, 5.0), (4.0, 6.0), (0.0, 3.0), (2.0, 2.0), (3.0, 7.0)];
        let r = ClusterRatio::new(parts);
        let mut shuffled = parts.to_vec();
        shuffled.reverse();
        shuffled.insert(2, (0.0, 0.0));
        let s = ClusterRatio::new(shuffled);
        assert_eq!(s.clusters, r.clusters);
        assert!((s.value - r.value).abs() < 1e-15);
        assert!((s.variance - r.variance).abs() < 1e-15);
        let doubled = ClusterRatio::new(parts.map(|(a, b)| (a, 2.0 * b)));
        assert!((doubled.value - r.value / 2.0).abs() < 1e-15);
        assert!((doubled.variance - r.variance / 4.0).abs() < 1e-15);
    }
}
