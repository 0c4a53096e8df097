//! The difference of two indicators' AUCs on the same deals, with its paired variance: whether
//! one indicator separates lost from won deals better than another (the rep's forecast, say)
//! beyond chance. Not for AUCs of different deals, whose variances simply add.
//!
//! Both AUCs are Mann–Whitney statistics over the same lost (positive) and won (negative)
//! deals, so their errors are correlated, and two overlapping intervals say little. DeLong,
//! DeLong & Clarke-Pearson (1988) give the variance of the difference from the structural
//! components: each positive's placement (the share of negatives it outscores, ties half) and
//! each negative's (the share of positives that outscore it) under each indicator. With the
//! 2 × 2 covariance matrices S10 and S01 of these placements over the positives and the
//! negatives, var(A − B) = c′(S10/m + S01/n)c for the contrast c = (1, −1), which is the
//! sample variance of the per-deal placement *differences* over the positives, over m, plus
//! that over the negatives, over n: that is how it is computed here, in integers (doubled
//! placements), so that it is exact. Over clusters (reps) Obuchowski's (1997) cluster-robust
//! variance is linear in the placements in the same way, so it is the same formula as
//! [`clustered_aucs`](super::mann_whitney::clustered_aucs)'s applied to the differences.
//!
//! Only rows where both indicators have a value take part, and both AUCs are computed on
//! them: the difference is on that common set.

use statrs::distribution::{ContinuousCDF, Normal};

use super::cluster_ratio::t_quantile;
use super::first_seen::first_seen_ids;
use super::ranked::{
    integer_range, sort_words, sortable_bits, DistinctValues, SortBuffers, EXCLUDED, POSITIVE,
};

/// Each row's doubled placement, in its group and in the pool, in row order: for a positive
/// twice the negatives it outscores (ties once), for a negative twice the positives that
/// outscore it (ties once). Doubled so that ties keep them whole numbers.
#[derive(Debug, Clone, Default)]
pub struct Placements {
    pub group: Vec<u64>,
    pub pooled: Vec<u64>,
}

/// The [`Placements`] of rows with scores `keys` (higher = riskier; no NaN) and class words
/// `class` (group and kind, [`class_word`](super::ranked::class_word); no excluded rows) in
/// `groups` groups, written to `out`. Whole-number scores in a modest range, and scores of at
/// most 256 distinct values, are placed from per-value counts; others are ordered
/// by the radix sort in `buffers`.
pub fn placements(
    keys: &[f32],
    class: &[u32],
    groups: usize,
    buffers: &mut SortBuffers,
    out: &mut Placements,
) {
    let n = keys.len();
    let range = integer_range(keys.iter().map(|&k| f64::from(k)), n);
    if let Some((lo, hi)) = range.filter(|&(lo, hi)| (hi - lo) as usize <= COUNTED.max(n / 8)) {
        let slot = |r: usize| (keys[r] as i64 - lo) as usize;
        table_placements(slot, class, groups, (hi - lo) as usize + 1, out);
        return;
    }
    if let Some((rank, ids)) = few_distinct(keys) {
        let slot = |r: usize| rank[ids[r] as usize] as usize;
        table_placements(slot, class, groups, rank.len(), out);
        return;
    }
    let SortBuffers { items, scratch } = buffers;
    // Words `rank << 32 | row` in ascending order of the key.
    if let Some((lo, hi)) = range {
        let mut start = vec![0u32; (hi - lo) as usize + 2];
        let slot = |k: f32| (k as i64 - lo) as usize;
        keys.iter().for_each(|&k| start[slot(k) + 1] += 1);
        for v in 1..start.len() {
            start[v] += start[v - 1];
        }
        if items.len() < n {
            items.resize(n, 0);
        }
        for (row, &k) in keys.iter().enumerate() {
            let v = slot(k);
            items[start[v] as usize] = (v as u64) << 32 | row as u64;
            start[v] += 1;
        }
    } else {
        let words = keys
            .iter()
            .enumerate()
            .map(|(row, &k)| (sortable_bits(k), row as u32, true));
        sort_words(items, scratch, words);
    }
    let items = &items[..n];
    let slots = groups + 1;
    let pooled = groups;
    let (mut pos, mut neg) = (vec![0u64; slots], vec![0u64; slots]);
    for &c in class {
        let counts = if c & POSITIVE != 0 {
            &mut pos
        } else {
            &mut neg
        };
        counts[(c >> 2) as usize] += 1;
        counts[pooled] += 1;
    }
    // Per slot, by kind (0 negative, 1 positive): the rows below the current value.
    let mut below = vec![[0u64; 2]; slots];
    let (mut pos_tied, mut neg_tied) = (vec![0u64; slots], vec![0u64; slots]);
    out.group.clear();
    out.group.resize(n, 0);
    out.pooled.clear();
    out.pooled.resize(n, 0);
    let mut i = 0;
    while i < n {
        let key = items[i] >> 32;
        let mut end = i + 1;
        while end < n && items[end] >> 32 == key {
            end += 1;
        }
        if end == i + 1 {
            // A value held by one row (the common case with continuous scores): a positive
            // outscores the negatives below it, a negative is outscored by the positives above
            // it; selected by the kind, without a branch on it.
            let row = items[i] as u32 as usize;
            let c = class[row];
            let kind = (c & POSITIVE) as usize;
            let g = (c >> 2) as usize;
            let place = |s: usize| {
                let as_pos = 2 * below[s][0];
                let as_neg = 2 * (pos[s] - below[s][1]);
                [as_neg, as_pos][kind]
            };
            out.group[row] = place(g);
            out.pooled[row] = place(pooled);
            below[g][kind] += 1;
            below[pooled][kind] += 1;
            i = end;
            continue;
        }
        let tie = &items[i..end];
        for &w in tie {
            let c = class[w as u32 as usize];
            let tied = if c & POSITIVE != 0 {
                &mut pos_tied
            } else {
                &mut neg_tied
            };
            tied[(c >> 2) as usize] += 1;
            tied[pooled] += 1;
        }
        for &w in tie {
            let row = w as u32 as usize;
            let c = class[row];
            let [p_g, p_all] = [(c >> 2) as usize, pooled].map(|s| {
                if c & POSITIVE != 0 {
                    2 * below[s][0] + neg_tied[s]
                } else {
                    2 * (pos[s] - below[s][1] - pos_tied[s]) + pos_tied[s]
                }
            });
            out.group[row] = p_g;
            out.pooled[row] = p_all;
        }
        for &w in tie {
            let g = (class[w as u32 as usize] >> 2) as usize;
            below[g][1] += std::mem::take(&mut pos_tied[g]);
            below[g][0] += std::mem::take(&mut neg_tied[g]);
        }
        below[pooled][1] += std::mem::take(&mut pos_tied[pooled]);
        below[pooled][0] += std::mem::take(&mut neg_tied[pooled]);
        i = end;
    }
}

/// Whole-number scores spanning at most this many values (or an eighth of the rows) are
/// placed from per-value counts, without ordering the rows.
const COUNTED: usize = 4096;

/// Each distinct value's rank in ascending order (by id) and each row's value id, or `None`
/// as soon as there are more than `FEW_DISTINCT` values (numbered by `DistinctValues`,
/// which places such scores from per-value counts, without a sort), which for continuous
/// scores happens within the first rows. `-0.0` and `0.0` are one value.
fn few_distinct(keys: &[f32]) -> Option<(Vec<u16>, Vec<u16>)> {
    let mut distinct = DistinctValues::new();
    let ids = (keys.iter())
        .map(|&k| distinct.id(k).map(|id| id as u16))
        .collect::<Option<Vec<u16>>>()?;
    let values = distinct.into_values();
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_unstable_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut rank = vec![0u16; values.len()];
    for (r, &id) in order.iter().enumerate() {
        rank[id] = r as u16;
    }
    Some((rank, ids))
}

/// [`placements`] of rows whose values are numbered `slot(row) < values` in ascending order:
/// counts per value, group and kind, a placement per (value, group, kind) from their running
/// sums, then each row's looked up in row order (no scattered writes).
fn table_placements(
    slot: impl Fn(usize) -> usize,
    class: &[u32],
    groups: usize,
    values: usize,
    out: &mut Placements,
) {
    let width = 2 * groups;
    // counts[value][group][kind], kind 0 negative, 1 positive (no excluded rows).
    let mut counts = vec![0u64; values * width];
    for (r, &c) in class.iter().enumerate() {
        counts[slot(r) * width + (c >> 2) as usize * 2 + (c & POSITIVE) as usize] += 1;
    }
    let (mut pos, mut pos_all) = (vec![0u64; groups], 0u64);
    for per_value in counts.chunks_exact(width) {
        for g in 0..groups {
            pos[g] += per_value[2 * g + 1];
            pos_all += per_value[2 * g + 1];
        }
    }
    // The doubled placement of a positive (kind 1) and a negative (kind 0) of each value.
    let mut table = vec![0u64; values * width];
    let mut pooled_table = vec![0u64; values * 2];
    let (mut pos_below, mut neg_below) = (vec![0u64; groups], vec![0u64; groups]);
    let (mut pos_below_all, mut neg_below_all) = (0u64, 0u64);
    for v in 0..values {
        let per_value = &counts[v * width..(v + 1) * width];
        let (mut pos_v, mut neg_v) = (0u64, 0u64);
        for g in 0..groups {
            let (neg_t, pos_t) = (per_value[2 * g], per_value[2 * g + 1]);
            table[v * width + 2 * g + 1] = 2 * neg_below[g] + neg_t;
            table[v * width + 2 * g] = 2 * (pos[g] - pos_below[g] - pos_t) + pos_t;
            pos_below[g] += pos_t;
            neg_below[g] += neg_t;
            pos_v += pos_t;
            neg_v += neg_t;
        }
        pooled_table[2 * v + 1] = 2 * neg_below_all + neg_v;
        pooled_table[2 * v] = 2 * (pos_all - pos_below_all - pos_v) + pos_v;
        pos_below_all += pos_v;
        neg_below_all += neg_v;
    }
    out.group.clear();
    out.pooled.clear();
    for (r, &c) in class.iter().enumerate() {
        let (v, kind) = (slot(r), (c & POSITIVE) as usize);
        out.group
            .push(table[v * width + (c >> 2) as usize * 2 + kind]);
        out.pooled.push(pooled_table[2 * v + kind]);
    }
}

/// The difference AUC_A − AUC_B of two indicators over the same rows, with its variance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedAuc {
    pub auc_a: f64,
    pub auc_b: f64,
    pub difference: f64,
    /// DeLong's paired variance of the difference, or Obuchowski's over clusters; NaN when a
    /// class holds one row (or fewer than two clusters hold a class).
    pub variance: f64,
    pub positives: u64,
    pub negatives: u64,
    /// `Some(K)` over K clusters: the interval takes Student's t with K − 1 degrees of freedom.
    pub clusters: Option<u64>,
    /// Every row's placement is the same under both indicators (the same indicator twice, or
    /// two that order the classes alike): the difference is 0 in every resample too.
    pub alike: bool,
}

impl PairedAuc {
    /// The Wald interval difference ± q·SE (`alpha` in each tail; q normal, or t with K − 1
    /// degrees of freedom over K clusters), clipped to [−1, 1]. The difference has no bound
    /// near which its spread shrinks as an AUC's does near 0 and 1, so no logit scale. `[0, 0]`
    /// when the two place every row alike; `None` when the variance is undefined, or zero
    /// without that (one indicator's classes apart or all tied while the other's are not: a
    /// zero-width interval would claim a certainty the data cannot give).
    pub fn interval(self, alpha: f64) -> Option<[f64; 2]> {
        if self.alike {
            return Some([self.difference; 2]);
        }
        if self.variance.is_nan() || self.variance <= 0.0 {
            return None;
        }
        let q = match self.clusters {
            None => Normal::standard().inverse_cdf(1.0 - alpha),
            Some(k) => t_quantile(k, alpha),
        };
        let half = q * self.variance.sqrt();
        Some([
            (self.difference - half).max(-1.0),
            (self.difference + half).min(1.0),
        ])
    }
}

/// Sums of one group (or cluster within a group) of rows, by kind (0 negatives, 1 positives):
/// indexed by the row's kind rather than branched on it, as kinds come in no pattern.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    /// Negatives, positives.
    count: [u64; 2],
    /// Σ of A's and B's doubled placements over the positives.
    a: u64,
    b: u64,
    /// Σ and Σ² of the doubled placement differences A − B over the negatives and positives.
    d: [i64; 2],
    sq: [u128; 2],
}

impl Sums {
    #[inline]
    fn add(&mut self, kind: usize, a: u64, b: u64) {
        let d = a as i64 - b as i64;
        let sq = (d.unsigned_abs() as u128).pow(2);
        self.count[kind] += 1;
        self.a += a * kind as u64;
        self.b += b * kind as u64;
        self.d[kind] += d;
        self.sq[kind] += sq;
    }
}

/// The paired differences of `groups` groups and their pool (last) from the placements `a`
/// and `b` of the same rows (class words `class`). With `clusters = Some((ids, count))`, row
/// `i` belongs to cluster `ids[i] < count` (one numbering for all groups: a cluster with rows
/// in two groups is one cluster of the pool) and the variance is Obuchowski's over them.
pub fn paired_differences(
    a: &Placements,
    b: &Placements,
    class: &[u32],
    clusters: Option<(&[u32], usize)>,
    groups: usize,
) -> Vec<Option<PairedAuc>> {
    let slots = groups + 1;
    let mut sums = vec![Sums::default(); slots];
    let n_clusters = clusters.map_or(0, |(_, k)| k);
    let mut per_cluster = vec![Sums::default(); slots * n_clusters];
    for (r, &c) in class.iter().enumerate() {
        let kind = (c & POSITIVE) as usize;
        let g = (c >> 2) as usize;
        sums[g].add(kind, a.group[r], b.group[r]);
        sums[groups].add(kind, a.pooled[r], b.pooled[r]);
        if let Some((ids, _)) = clusters {
            let k = ids[r] as usize;
            per_cluster[g * n_clusters + k].add(kind, a.group[r], b.group[r]);
            per_cluster[groups * n_clusters + k].add(kind, a.pooled[r], b.pooled[r]);
        }
    }
    (0..slots)
        .map(|s| {
            let t = sums[s];
            let [n, m] = t.count;
            let (d01, d10) = (t.d[0], t.d[1]);
            let (sq01, sq10) = (t.sq[0], t.sq[1]);
            if m == 0 || n == 0 {
                return None;
            }
            let (mf, nf) = (m as f64, n as f64);
            let pairs2 = 2.0 * mf * nf;
            let difference = d10 as f64 / pairs2;
            let alike = sq10 == 0 && sq01 == 0;
            let (variance, k) = match clusters {
                None => {
                    let variance = if m < 2 || n < 2 {
                        f64::NAN
                    } else {
                        // Sample variances of the doubled differences, exactly: (k Σd² − (Σd)²)
                        // / (k (k − 1)); the placements are them over 2n and 2m.
                        let spread = |k: u64, sum: i64, sq: u128| {
                            let k = k as i128;
                            (k * sq as i128 - sum as i128 * sum as i128) as f64
                                / (k * (k - 1)) as f64
                        };
                        let s10 = spread(m, d10, sq10) / (4.0 * nf * nf);
                        let s01 = spread(n, d01, sq01) / (4.0 * mf * mf);
                        s10 / mf + s01 / nf
                    };
                    (variance, None)
                }
                Some(_) => {
                    let members = &per_cluster[s * n_clusters..(s + 1) * n_clusters];
                    let present = members.iter().filter(|c| c.count[0] + c.count[1] > 0);
                    let k = present.clone().count();
                    let k10 = present.clone().filter(|c| c.count[1] > 0).count();
                    let k01 = present.clone().filter(|c| c.count[0] > 0).count();
                    let variance = if k10 < 2 || k01 < 2 {
                        f64::NAN
                    } else {
                        let (mut s10, mut s01, mut s11) = (0.0, 0.0, 0.0);
                        for c in present {
                            let x =
                                (c.d[1] as f64 / (2.0 * nf) - c.count[1] as f64 * difference) / mf;
                            let y =
                                (c.d[0] as f64 / (2.0 * mf) - c.count[0] as f64 * difference) / nf;
                            s10 += x * x;
                            s01 += y * y;
                            s11 += x * y;
                        }
                        let factor = |i: usize| i as f64 / (i - 1) as f64;
                        factor(k10) * s10 + factor(k01) * s01 + 2.0 * factor(k) * s11
                    };
                    (variance, Some(k as u64))
                }
            };
            Some(PairedAuc {
                auc_a: t.a as f64 / pairs2,
                auc_b: t.b as f64 / pairs2,
                difference,
                variance,
                positives: m,
                negatives: n,
                clusters: k,
                alike,
            })
        })
        .collect()
}

/// The paired differences A − B of `groups` groups and their pool (last) over the rows of two
/// columns: row `i` has scores `keys_a[i]` and `keys_b[i]` (higher = riskier; NaN = missing)
/// and class word `class[i]`; rows missing either score, or of kind [`EXCLUDED`], take no
/// part. With `cluster`, the variance is over clusters (any numbering), else over rows.
pub fn paired_aucs(
    keys_a: &[f32],
    keys_b: &[f32],
    class: &[u32],
    cluster: Option<&[u32]>,
    groups: usize,
) -> Vec<Option<PairedAuc>> {
    let kept: Vec<usize> = (0..class.len())
        .filter(|&i| !keys_a[i].is_nan() && !keys_b[i].is_nan() && class[i] & EXCLUDED == 0)
        .collect();
    let pick = |v: &[f32]| kept.iter().map(|&i| v[i]).collect::<Vec<f32>>();
    let (ka, kb) = (pick(keys_a), pick(keys_b));
    let class: Vec<u32> = kept.iter().map(|&i| class[i]).collect();
    let mut buffers = SortBuffers::default();
    let (mut pa, mut pb) = (Placements::default(), Placements::default());
    placements(&ka, &class, groups, &mut buffers, &mut pa);
    placements(&kb, &class, groups, &mut buffers, &mut pb);
    let ids = cluster.map(|c| first_seen_ids(kept.iter().map(|&i| c[i]), |k| k, |_| {}));
    let count = ids
        .as_ref()
        .map_or(0, |ids| ids.iter().max().map_or(0, |&m| m as usize + 1));
    paired_differences(
        &pa,
        &pb,
        &class,
        ids.as_deref().map(|ids| (ids, count)),
        groups,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::mann_whitney::clustered_aucs;
    use crate::stats::ranked::{class_word, point_aucs_in, NEGATIVE};
    use proptest::prelude::*;

    fn classes(lost: &[bool], group: &[u16]) -> Vec<u32> {
        lost.iter()
            .zip(group)
            .map(|(&l, &g)| class_word(g, if l { POSITIVE } else { NEGATIVE }))
            .collect()
    }

    /// A lost 3, 5, 6 / won 1, 2, 4; B lost 2, 4, 4 / won 1, 4, 3. A's lost placements are
    /// ⅔, 1, 1 and won ones 1, 1, ⅔ (AUC 8/9); B's lost 1/3, 5/6, 5/6 and won 1, 1/3, ⅔
    /// (AUC 2/3). Differences over the lost deals ⅓, ⅙, ⅙ (mean 2/9, sample variance 1/108),
    /// over the won 0, ⅔, 0 (mean 2/9, variance 4/27): var = (1/108)/3 + (4/27)/3 = 17/324.
    #[test]
    fn hand_computed_case() {
        let a = [3.0f32, 5.0, 6.0, 1.0, 2.0, 4.0];
        let b = [2.0f32, 4.0, 4.0, 1.0, 4.0, 3.0];
        let class = classes(&[true, true, true, false, false, false], &[0; 6]);
        for scale in [1.0f32, 0.37] {
            let (a, b): (Vec<f32>, Vec<f32>) = a
                .iter()
                .zip(&b)
                .map(|(x, y)| (x * scale, y * scale))
                .unzip();
            let p = paired_aucs(&a, &b, &class, None, 1)[1].unwrap();
            assert!((p.auc_a - 8.0 / 9.0).abs() < 1e-15, "{p:?}");
            assert!((p.auc_b - 2.0 / 3.0).abs() < 1e-15, "{p:?}");
            assert!((p.difference - 2.0 / 9.0).abs() < 1e-15, "{p:?}");
            assert!((p.variance - 17.0 / 324.0).abs() < 1e-15, "{p:?}");
        }
    }

    proptest! {
        /// Each AUC and, with A and B of independent columns, the placements agree with the
        /// single-indicator kernels; against itself the difference is 0 with a zero-width
        /// interval; swapping negates it and mirrors the interval; a strictly increasing
        /// transform of A changes nothing.
        #[test]
        fn paired_properties(
            rows in prop::collection::vec((0u32..40, 0u32..40, 0u16..3, any::<bool>(), 0u32..6), 4..300),
        ) {
            let a: Vec<f32> = rows.iter().map(|r| if r.0 == 0 { f32::NAN } else { r.0 as f32 }).collect();
            let b: Vec<f32> = rows.iter().map(|r| r.1 as f32 * 0.25 + 0.1).collect();
            let group: Vec<u16> = rows.iter().map(|r| r.2).collect();
            let lost: Vec<bool> = rows.iter().map(|r| r.3).collect();
            let cluster: Vec<u32> = rows.iter().map(|r| r.4).collect();
            let class = classes(&lost, &group);
            for cl in [None, Some(cluster.as_slice())] {
                let ab = paired_aucs(&a, &b, &class, cl, 3);
                let ba = paired_aucs(&b, &a, &class, cl, 3);
                let aa = paired_aucs(&a, &a, &class, cl, 3);
                let cube: Vec<f32> = a.iter().map(|x| x * x * x + 7.0).collect();
                let tb = paired_aucs(&cube, &b, &class, cl, 3);
                // The single-indicator AUCs on the common rows (here: where A has a value).
                let a_common: Vec<f32> = a.clone();
                let b_common: Vec<f32> = b.iter().zip(&a).map(|(&y, x)| if x.is_nan() { f32::NAN } else { y }).collect();
                let single = |k: &[f32]| point_aucs_in(k, &class, 3, 1.0, &mut SortBuffers::default()).0;
                let (sa, sb) = (single(&a_common), single(&b_common));
                for s in 0..4 {
                    prop_assert_eq!(ab[s].is_some(), sa[s].is_some());
                    let (Some(p), Some(q), Some(i), Some(t)) = (ab[s], ba[s], aa[s], tb[s]) else { continue };
                    prop_assert!((p.auc_a - sa[s].unwrap().auc).abs() < 1e-12);
                    prop_assert!((p.auc_b - sb[s].unwrap().auc).abs() < 1e-12);
                    prop_assert!((p.difference - (p.auc_a - p.auc_b)).abs() < 1e-12);
                    prop_assert_eq!(i.difference, 0.0);
                    prop_assert!(i.alike);
                    prop_assert_eq!(i.interval(0.025), Some([0.0, 0.0]));
                    prop_assert_eq!(q.difference, -p.difference);
                    prop_assert_eq!(q.variance.to_bits(), p.variance.to_bits());
                    match (p.interval(0.025), q.interval(0.025)) {
                        (Some([lo, hi]), Some([qlo, qhi])) => {
                            prop_assert!((lo + qhi).abs() < 1e-12 && (hi + qlo).abs() < 1e-12);
                        }
                        (x, y) => prop_assert_eq!(x.is_none(), y.is_none()),
                    }
                    prop_assert_eq!(t.difference, p.difference);
                    prop_assert_eq!(t.variance.to_bits(), p.variance.to_bits());
                    // A against an indicator that carries nothing (all tied): its own DeLong
                    // variance (or Obuchowski's over clusters), since B's placements are all ½.
                    let flat = vec![1.0f32; a.len()];
                    let af = paired_aucs(&a, &flat, &class, cl, 3)[s].unwrap();
                    let own = match cl {
                        None => single(&a)[s].unwrap(),
                        Some(c) => {
                            let kept: Vec<usize> = (0..a.len()).filter(|&i| !a[i].is_nan()).collect();
                            let pick = |i: &usize| a[*i];
                            let keys: Vec<f32> = kept.iter().map(pick).collect();
                            let cls: Vec<u32> = kept.iter().map(|&i| class[i]).collect();
                            let ids: Vec<u32> = kept.iter().map(|&i| c[i]).collect();
                            clustered_aucs(&keys, &cls, &ids, 3)[s].unwrap()
                        }
                    };
                    prop_assert!((af.difference - (own.auc - 0.5)).abs() < 1e-12);
                    let close = (af.variance - own.variance).abs() < 1e-12
                        || (af.variance.is_nan() && own.variance.is_nan());
                    prop_assert!(close, "{:?} vs {:?}", af, own);
                }
            }
        }
    }
}
