//! The unweighted Mann–Whitney AUC with its uncertainty: DeLong's variance, the interval built
//! on it, and an exact bound for the one case that variance cannot describe, two classes that
//! do not overlap.

use statrs::distribution::{ContinuousCDF, Normal};
use statrs::function::gamma::ln_gamma;

use super::cluster_ratio::{expit, logit_interval, t_quantile};
use super::first_seen::first_seen_ids;
use super::ranked::POSITIVE;

/// An unweighted Mann–Whitney AUC with DeLong's estimate of its variance (DeLong, DeLong &
/// Clarke-Pearson 1988): the sample variance of the positives' placements (the share of
/// negatives each outscores, ties counting half) over the number of positives, plus that of
/// the negatives' placements (the share of positives that outscore each) over the number of
/// negatives. It needs no resampling, so an interval built on it has no Monte Carlo noise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitney {
    pub auc: f64,
    /// NaN when a class holds a single row (its placements have no sample variance), or over
    /// clusters when there is one.
    pub variance: f64,
    pub positives: u64,
    pub negatives: u64,
    /// `Some(K)` when the variance is Obuchowski's over K clusters ([`clustered_aucs`]): the
    /// interval then takes Student's t with K − 1 degrees of freedom, and has no exact bound
    /// where the classes lie apart (that bound takes deals as independent).
    pub clusters: Option<u64>,
    /// Every row has the same score (e.g. no deal had its close date pushed by day 7): the
    /// AUC is ½ and both variances are exactly zero (undefined with a class of one row). DeLong's vanishes with overlapping
    /// classes only then (the positives' placements can all be equal only if no negative lies
    /// between the lowest and highest positive, and likewise for the negatives); Obuchowski's
    /// could also by an exact balance of the clusters, so it is counted, not inferred.
    pub one_value: bool,
}

impl MannWhitney {
    /// The interval with `alpha` in each tail. Inside (0, 1) it is built on the logit scale,
    /// logit(AUC) ± q·SE / (AUC (1 − AUC)), and mapped back: it stays inside (0, 1) and leans
    /// away from the near bound, as the AUC's sampling distribution does; q is the normal
    /// quantile, or Student's t with K − 1 degrees of freedom over K clusters. Where the
    /// classes do not overlap (AUC exactly 1 or 0) DeLong's variance is zero, which would
    /// claim certainty; there the interval reaches the observed bound from
    /// [`separation_bound`]'s exact limit, for independent deals only. `None` when a class
    /// holds one row (or the rows one cluster) and the classes overlap, for clusters whose
    /// classes lie apart, and when every row ties ([`one_value`](Self::one_value)): a
    /// zero-width interval at ½ would claim the indicator is known to carry no signal, when
    /// the data only never let it vary.
    pub fn interval(self, alpha: f64) -> Option<[f64; 2]> {
        match (self.separated(), self.clusters) {
            (true, Some(_)) => return None,
            (true, None) if self.auc >= 1.0 => {
                return Some([separation_bound(self.positives, self.negatives, alpha), 1.0])
            }
            (true, None) => {
                let bound = separation_bound(self.negatives, self.positives, alpha);
                return Some([0.0, 1.0 - bound]);
            }
            (false, _) if self.variance.is_nan() || self.one_value => return None,
            (false, _) => {}
        }
        let q = match self.clusters {
            None => Normal::standard().inverse_cdf(1.0 - alpha),
            // Two clusters or more, as the variance is defined.
            Some(k) => t_quantile(k, alpha),
        };
        Some(logit_interval(self.auc, self.variance.sqrt(), q))
    }

    /// Whether the classes do not overlap, so that [`interval`](Self::interval) is the exact
    /// one-sided bound rather than DeLong's (or, over clusters, none).
    pub fn separated(self) -> bool {
        self.auc <= 0.0 || self.auc >= 1.0
    }
}

/// The smallest AUC θ at which `above` rows of one class could all outscore `below` rows of
/// the other with probability at least `alpha`: the lower limit of an exact one-sided
/// interval after seeing exactly that. The probability needs a shape for the two score
/// distributions; the Lehmann family, in which one class's distribution function is a power k
/// of the other's (AUC = k / (k + 1); Hanley & McNeil's variance formula assumes the same
/// family), gives it in closed form, (b / k)·B(b / k, a + 1) with a rows above and b below, or
/// with the roles of the classes swapped, (a / k)·B(a / k, b + 1). The two agree for equal
/// classes; otherwise the smaller limit is taken (for binormal scores it falls between them:
/// 10 above 40 gives 0.910 and 0.959 against binormal's 0.951).
pub fn separation_bound(above: u64, below: u64, alpha: f64) -> f64 {
    let (a, b) = (above as f64, below as f64);
    lehmann_limit(a, b, alpha).min(lehmann_limit(b, a, alpha))
}

/// The θ at which `a` rows all lie above `b` rows with probability `alpha` when the upper
/// class's distribution function is the k-th power of the lower's. With x = b / k,
/// P = x·B(x, a + 1) = Γ(a + 1)·Γ(x + 1) / Γ(x + a + 1), which rises with θ; it is solved by
/// bisection on θ's logit over [−10, 40], a range that holds every root above 5·10⁻⁵ and keeps
/// x small enough for the log-gamma differences to stay accurate.
fn lehmann_limit(a: f64, b: f64, alpha: f64) -> f64 {
    let ln_p = |logit: f64| {
        let x = b / logit.exp();
        ln_gamma(a + 1.0) + ln_gamma(x + 1.0) - ln_gamma(x + a + 1.0)
    };
    let target = alpha.ln();
    let (mut lo, mut hi) = (-10.0_f64, 40.0_f64);
    if ln_p(lo) >= target {
        return 0.0;
    }
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if ln_p(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    expit(0.5 * (lo + hi))
}

/// Unweighted AUCs of `groups` groups and of all rows pooled (last), each with Obuchowski's
/// (1997) cluster-robust variance: row `i` has score `keys[i]`, a [`class_word`] `class[i]`
/// (group and kind; no excluded rows) and cluster `cluster[i]` (any numbering). Deals of one rep
/// share the rep's habits, so they are not independent draws; this variance treats the reps as
/// the draws. With K clusters in a group, K₁₀ of them holding a positive and K₀₁ a negative,
/// cluster c holding m_c of its m positives and n_c of its n negatives, X_c and Y_c the sums of
/// their placements, a_c = (X_c − m_c·AUC) / m and b_c = (Y_c − n_c·AUC) / n: var =
/// K₁₀/(K₁₀ − 1) · Σ a_c² + K₀₁/(K₀₁ − 1) · Σ b_c² + 2 · K/(K − 1) · Σ a_c·b_c (Obuchowski's
/// S10/m + S01/n + 2·S11/(m·n)), what is left of DeLong's when each cluster's placements are
/// summed before they are squared; with one row per cluster it is DeLong's. A cluster with
/// rows in two groups is one cluster of the pool (its rows there are not independent either).
/// K counts the clusters with a row in the group, [`MannWhitney::clusters`]; with fewer than
/// two clusters holding each class the variance is NaN.
///
/// [`class_word`]: super::ranked::class_word
pub fn clustered_aucs(
    keys: &[f32],
    class: &[u32],
    cluster: &[u32],
    groups: usize,
) -> Vec<Option<MannWhitney>> {
    let mut order: Vec<u32> = (0..keys.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| keys[a as usize].total_cmp(&keys[b as usize]));
    let slots = groups + 1;
    // Members: each (group, cluster) pair of the rows, and each cluster of the pool, numbered
    // in order of first appearance; row r belongs to members[2r] and members[2r + 1].
    let mut member_group = Vec::new();
    let members = first_seen_ids(
        class
            .iter()
            .zip(cluster)
            .flat_map(|(&c, &k)| [(group_of(c), k), (groups, k)]),
        |member| member,
        |(slot, _)| member_group.push(slot),
    );
    // Per group, the pool last: positives and negatives in all, below the current tie group,
    // and in it.
    let (mut pos, mut neg) = (vec![0u64; slots], vec![0u64; slots]);
    class
        .iter()
        .for_each(|&c| tally(&mut pos, &mut neg, c, groups));
    let (mut pos_below, mut neg_below) = (vec![0u64; slots], vec![0u64; slots]);
    let (mut pos_tied, mut neg_tied) = (vec![0u64; slots], vec![0u64; slots]);
    // Groups whose rows all fall in one tie group.
    let mut one_value = vec![false; slots];
    // Per member: doubled placement sums of its positives (the negatives each outscores, ties
    // half) and of its negatives (the positives that outscore each), and their counts.
    let n_members = member_group.len();
    let (mut x2, mut y2) = (vec![0u64; n_members], vec![0u64; n_members]);
    let (mut m_c, mut n_c) = (vec![0u64; n_members], vec![0u64; n_members]);
    for tie in order.chunk_by(|&a, &b| keys[a as usize] == keys[b as usize]) {
        for &r in tie {
            tally(&mut pos_tied, &mut neg_tied, class[r as usize], groups);
        }
        for &r in tie {
            let c = class[r as usize];
            for (s, member) in [group_of(c), groups]
                .into_iter()
                .zip(&members[2 * r as usize..][..2])
            {
                let member = *member as usize;
                if c & 3 == POSITIVE {
                    x2[member] += 2 * neg_below[s] + neg_tied[s];
                    m_c[member] += 1;
                } else {
                    let above = pos[s] - pos_below[s] - pos_tied[s];
                    y2[member] += 2 * above + pos_tied[s];
                    n_c[member] += 1;
                }
            }
        }
        for s in 0..slots {
            one_value[s] |= pos_tied[s] + neg_tied[s] == pos[s] + neg[s];
            pos_below[s] += std::mem::take(&mut pos_tied[s]);
            neg_below[s] += std::mem::take(&mut neg_tied[s]);
        }
    }
    (0..slots)
        .map(|s| {
            let (m, n) = (pos[s], neg[s]);
            if m == 0 || n == 0 {
                return None;
            }
            let members: Vec<usize> = (0..n_members).filter(|&k| member_group[k] == s).collect();
            let (mf, nf) = (m as f64, n as f64);
            let auc = members.iter().map(|&k| x2[k]).sum::<u64>() as f64 / (2.0 * mf * nf);
            let k = members.len() as u64;
            // The reps holding a lost deal (I10) and a won deal (I01): each class's term has
            // its own small-sample factor, as Obuchowski's S10 and S01 do.
            let i10 = members.iter().filter(|&&c| m_c[c] > 0).count();
            let i01 = members.iter().filter(|&&c| n_c[c] > 0).count();
            let variance = if i10 < 2 || i01 < 2 {
                f64::NAN
            } else {
                let (mut s10, mut s01, mut s11) = (0.0, 0.0, 0.0);
                for &c in &members {
                    let x = (x2[c] as f64 / (2.0 * nf) - m_c[c] as f64 * auc) / mf;
                    let y = (y2[c] as f64 / (2.0 * mf) - n_c[c] as f64 * auc) / nf;
                    s10 += x * x;
                    s01 += y * y;
                    s11 += x * y;
                }
                let factor = |i: usize| i as f64 / (i - 1) as f64;
                factor(i10) * s10 + factor(i01) * s01 + 2.0 * factor(k as usize) * s11
            };
            Some(MannWhitney {
                auc,
                variance,
                positives: m,
                negatives: n,
                clusters: Some(k),
                one_value: one_value[s],
            })
        })
        .collect()
}

/// Counts a row of class word `class` in its group and in the pool (slot `groups`).
fn tally(pos: &mut [u64], neg: &mut [u64], class: u32, groups: usize) {
    let counts = if class & 3 == POSITIVE { pos } else { neg };
    counts[group_of(class)] += 1;
    counts[groups] += 1;
}

fn group_of(class: u32) -> usize {
    (class >> 2) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::ranked::{class_word, point_aucs_in, SortBuffers, NEGATIVE};

    fn mw(auc: f64, variance: f64, positives: u64, negatives: u64) -> MannWhitney {
        MannWhitney {
            auc,
            variance,
            positives,
            negatives,
            clusters: None,
            one_value: false,
        }
    }

    /// One row above n = 9: P = (n / k)·B(n / k, 2) = k / (n + k), so the limit is k = α n /
    /// (1 − α), θ = k / (k + 1) = 0.1875. With the roles swapped, P = (1 / k)·B(1 / k, n + 1) =
    /// Π_{j ≤ n} j / (j + 1/k), which at its limit must equal α; that limit is the larger here,
    /// so the bound is 0.1875.
    #[test]
    fn separation_bound_of_one_row_by_hand() {
        let (alpha, n) = (0.025, 9.0_f64);
        let k = alpha * n / (1.0 - alpha);
        assert!((lehmann_limit(1.0, n, alpha) - k / (k + 1.0)).abs() < 1e-12);
        let swapped = lehmann_limit(n, 1.0, alpha);
        let x = (1.0 - swapped) / swapped;
        let p: f64 = (1..=9).map(|j| j as f64 / (j as f64 + x)).product();
        assert!((p - alpha).abs() < 1e-12, "{p}");
        assert!(swapped > 0.1875);
        assert!((separation_bound(1, 9, alpha) - 0.1875).abs() < 1e-12);
        assert_eq!(separation_bound(1, 9, alpha), separation_bound(9, 1, alpha));
    }

    /// With equal classes of 3 and θ = ½ (k = 1) every order of the 6 rows is equally likely,
    /// so the classes lie apart with probability 1 / C(6, 3) = 1/20: that α's limit is ½.
    #[test]
    fn separation_bound_at_even_odds_is_one_over_the_orderings() {
        assert!((separation_bound(3, 3, 0.05) - 0.5).abs() < 1e-12);
        // More rows or a smaller α push the limit toward the observed 1.
        assert!(separation_bound(3, 3, 0.01) < 0.5);
        assert!(separation_bound(10, 40, 0.025) > separation_bound(5, 20, 0.025));
        assert!(separation_bound(200, 800, 0.025) > 0.99);
    }

    /// Over 6 clusters the quantile is Student's t on 5 degrees of freedom, 2.5706 (SciPy's
    /// `t.ppf(0.975, 5)`): AUC 0.8 with variance 0.01 gives logit 1.3863 ± 2.5706 · 0.1 / 0.16
    /// = [0.445141902837155, 0.952252704022666] (SciPy), wider than the normal's.
    #[test]
    fn clustered_interval_takes_t_on_clusters_less_one() {
        let clustered = MannWhitney {
            clusters: Some(6),
            ..mw(0.8, 0.01, 60, 240)
        };
        let [lo, hi] = clustered.interval(0.025).unwrap();
        assert!((lo - 0.445141902837155).abs() < 1e-12, "{lo}");
        assert!((hi - 0.952252704022666).abs() < 1e-12, "{hi}");
        let [lo_z, hi_z] = mw(0.8, 0.01, 60, 240).interval(0.025).unwrap();
        assert!(lo < lo_z && hi > hi_z);
        // Classes apart over clusters: no bound (the exact one takes deals as independent).
        let apart = MannWhitney {
            clusters: Some(6),
            ..mw(1.0, 0.0, 60, 240)
        };
        assert_eq!(apart.interval(0.025), None);
    }

    #[test]
    fn separated_classes_get_the_exact_bound_and_its_mirror() {
        let alpha = 0.025;
        let [lo, hi] = mw(1.0, 0.0, 10, 40).interval(alpha).unwrap();
        assert_eq!((lo, hi), (separation_bound(10, 40, alpha), 1.0));
        let [lo0, hi0] = mw(0.0, 0.0, 40, 10).interval(alpha).unwrap();
        assert_eq!((lo0, hi0), (0.0, 1.0 - separation_bound(10, 40, alpha)));
        assert!(mw(1.0, f64::NAN, 1, 40).interval(alpha).is_some());
        assert!(mw(0.9, f64::NAN, 1, 40).interval(alpha).is_none());
    }

    /// 30 lost and 70 won deals that all share one score: DeLong's and Obuchowski's variances
    /// are exactly zero at AUC ½, and no interval is claimed; one deal off the common value
    /// gives both a width.
    #[test]
    fn all_tied_scores_get_no_interval() {
        let class: Vec<u32> = (0..100)
            .map(|i| class_word(0, if i < 30 { POSITIVE } else { NEGATIVE }))
            .collect();
        let clusters: Vec<u32> = (0..100).map(|i| i % 7).collect();
        let both = |keys: &[f32]| {
            let mut buffers = SortBuffers::default();
            [
                point_aucs_in(keys, &class, 1, 1.0, &mut buffers).0[1].unwrap(),
                clustered_aucs(keys, &class, &clusters, 1)[1].unwrap(),
            ]
        };
        for tied in both(&[2.5; 100]) {
            assert_eq!((tied.auc, tied.variance), (0.5, 0.0), "{tied:?}");
            assert!(tied.one_value && tied.interval(0.025).is_none());
        }
        // Two clusters that mirror each other (lost 1 and 3, won 2 in each): their deviations
        // cancel, so Obuchowski's variance is zero too, yet the rows do not tie.
        let neg = class_word(0, NEGATIVE);
        let pos = class_word(0, POSITIVE);
        let balanced = clustered_aucs(
            &[1.0, 3.0, 2.0, 1.0, 3.0, 2.0],
            &[pos, pos, neg, pos, pos, neg],
            &[0, 0, 0, 1, 1, 1],
            1,
        )[1]
        .unwrap();
        assert_eq!((balanced.auc, balanced.variance), (0.5, 0.0));
        assert!(!balanced.one_value);
        // One lost deal among won ones, all tied: told though DeLong's variance is undefined.
        let (one, _) = point_aucs_in(
            &[2.5; 5],
            &[pos, neg, neg, neg, neg],
            1,
            1.0,
            &mut SortBuffers::default(),
        );
        let one = one[1].unwrap();
        assert!(one.variance.is_nan() && one.one_value, "{one:?}");
        // The positives exactly between the negatives, untied: every positive's placement is
        // ½ as when all tie, but the negatives' are not.
        let (middle, _) = point_aucs_in(
            &[1.0, 1.0, 2.0, 2.0, 3.0, 3.0],
            &[neg, neg, pos, pos, neg, neg],
            1,
            1.0,
            &mut SortBuffers::default(),
        );
        let middle = middle[1].unwrap();
        assert_eq!(middle.auc, 0.5);
        assert!(!middle.one_value, "{middle:?}");
        let mut keys = [2.5_f32; 100];
        keys[0] = 3.5;
        for one_off in both(&keys) {
            assert!(!one_off.one_value && one_off.variance > 0.0, "{one_off:?}");
            let [lo, hi] = one_off.interval(0.025).unwrap();
            assert!(lo < one_off.auc && one_off.auc < hi);
        }
    }
}
