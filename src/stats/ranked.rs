//! AUC from dense ranks: sort once, then score any reweighting of the same rows in O(n).
//!
//! With ranks r ∈ 0..G (equal scores share a rank), the Mann–Whitney AUC is
//! Σ_g W⁺_g · (W⁻_{<g} + ½ W⁻_g) / (W⁺ · W⁻), where W±_g is the weight of positives/negatives
//! of rank g. A bootstrap replicate only changes weights, so it never re-sorts. Integer-valued
//! indicators have few distinct values, so G is small and the sweep is a short histogram.

use super::bootstrap::Bootstrap;

/// The counting path is used when the value range is at most this many times the number of
/// values (plus a little): counts, flags and whole days qualify; money amounts rarely do.
const SPAN_PER_VALUE: usize = 2;

/// Dense ranks of `scores` (ascending; equal values share a rank) and the number of ranks.
/// Integer-valued scores in a modest range are ranked by counting, without a sort.
pub fn dense_ranks(scores: &[f64]) -> (Vec<u32>, usize) {
    if let Some(ranked) = integer_ranks(scores) {
        return ranked;
    }
    sorted_ranks(scores)
}

fn integer_ranks<T: Copy + Into<f64>>(scores: &[T]) -> Option<(Vec<u32>, usize)> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &s in scores {
        let s: f64 = s.into();
        if s.fract() != 0.0 {
            return None; // also rejects NaN and infinities
        }
        lo = lo.min(s);
        hi = hi.max(s);
    }
    if scores.is_empty() || hi - lo > (SPAN_PER_VALUE * scores.len() + 1024) as f64 {
        return None;
    }
    let mut rank_of = vec![0u32; (hi - lo) as usize + 1];
    for &s in scores {
        rank_of[(s.into() - lo) as usize] = 1;
    }
    let mut groups = 0u32;
    for slot in rank_of.iter_mut() {
        let present = *slot;
        *slot = groups;
        groups += present;
    }
    let ranks = scores
        .iter()
        .map(|&s| rank_of[(s.into() - lo) as usize])
        .collect();
    Some((ranks, groups as usize))
}

fn sorted_ranks(scores: &[f64]) -> (Vec<u32>, usize) {
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

/// The unweighted AUC of `f32` scores, for point estimates without a bootstrap: integer
/// scores are histogrammed by value (no sort), others radix-sorted with their labels.
pub fn point_auc(scores: &[f32], positive: &[bool]) -> Option<f64> {
    let (mut below, mut sum2, mut total_pos) = (0u64, 0u64, 0u64);
    let mut group = |pos: u64, neg: u64| {
        sum2 += pos * (2 * below + neg);
        below += neg;
        total_pos += pos;
    };
    if let Some((ranks, groups)) = integer_ranks(scores) {
        let mut counts = vec![[0u64; 2]; groups];
        for (&r, &p) in ranks.iter().zip(positive) {
            counts[r as usize][p as usize] += 1;
        }
        for [neg, pos] in counts {
            group(pos, neg);
        }
    } else {
        let mut pairs: Vec<(f32, bool)> = scores
            .iter()
            .copied()
            .zip(positive.iter().copied())
            .collect();
        radsort::sort_by_key(&mut pairs, |x| x.0);
        let (mut pos, mut neg) = (0u64, 0u64);
        for (k, &(key, p)) in pairs.iter().enumerate() {
            if k > 0 && key != pairs[k - 1].0 {
                group(pos, neg);
                (pos, neg) = (0, 0);
            }
            if p {
                pos += 1;
            } else {
                neg += 1;
            }
        }
        group(pos, neg);
    }
    (total_pos > 0 && below > 0).then(|| sum2 as f64 / (2.0 * total_pos as f64 * below as f64))
}

/// Mann–Whitney accumulator of one group during a sweep in ascending score order.
#[derive(Debug, Clone, Copy, Default)]
struct Sweep {
    below: u64,
    sum2: u64,
    total_pos: u64,
    pos: u64,
    neg: u64,
}

impl Sweep {
    /// Closes the current tie group.
    #[inline]
    fn flush(&mut self) {
        self.sum2 += self.pos * (2 * self.below + self.neg);
        self.below += self.neg;
        self.total_pos += self.pos;
        self.pos = 0;
        self.neg = 0;
    }

    fn auc(mut self) -> Option<f64> {
        self.flush();
        (self.total_pos > 0 && self.below > 0)
            .then(|| self.sum2 as f64 / (2.0 * self.total_pos as f64 * self.below as f64))
    }
}

/// Unweighted AUCs of `groups` disjoint groups and of all rows pooled, from one sort:
/// row `i` has score `scores[i]`, group `group[i] < groups` and label `positive[i]`.
/// Returns `groups + 1` values, the pooled one last. Integer scores are counted, not sorted.
pub fn grouped_point_aucs(
    scores: &[f32],
    group: &[u16],
    positive: &[bool],
    groups: usize,
) -> Vec<Option<f64>> {
    let pooled = groups;
    let mut acc = vec![Sweep::default(); groups + 1];
    if let Some((ranks, n_ranks)) = integer_ranks(scores) {
        // counts[rank][group][label]
        let mut counts = vec![[0u32; 2]; n_ranks * groups];
        for i in 0..scores.len() {
            counts[ranks[i] as usize * groups + group[i] as usize][positive[i] as usize] += 1;
        }
        for per_rank in counts.chunks(groups) {
            for (g, &[neg, pos]) in per_rank.iter().enumerate() {
                for a in [g, pooled] {
                    acc[a].pos += pos as u64;
                    acc[a].neg += neg as u64;
                }
            }
            for a in acc.iter_mut() {
                a.flush();
            }
        }
    } else {
        // Payload: group in the high bits, label in the lowest.
        let mut items: Vec<(f32, u32)> = (0..scores.len())
            .map(|i| (scores[i], (group[i] as u32) << 1 | positive[i] as u32))
            .collect();
        radsort::sort_by_key(&mut items, |x| x.0);
        let mut touched: Vec<usize> = Vec::with_capacity(groups);
        for k in 0..items.len() {
            let (key, payload) = items[k];
            if k > 0 && key != items[k - 1].0 {
                for g in touched.drain(..) {
                    acc[g].flush();
                }
                acc[pooled].flush();
            }
            let g = (payload >> 1) as usize;
            if acc[g].pos + acc[g].neg == 0 {
                touched.push(g);
            }
            let p = (payload & 1) as u64;
            for a in [g, pooled] {
                acc[a].pos += p;
                acc[a].neg += 1 - p;
            }
        }
    }
    acc.into_iter().map(Sweep::auc).collect()
}

/// Rows sorted by score, with tie groups marked: the AUC of every bootstrap replicate in one
/// pass. For each row the replicate weights are one contiguous byte row
/// ([`Bootstrap::row`]), added lane by lane (the compiler vectorises it); at the end of each
/// tie group every replicate's Mann–Whitney sum is updated in integers, so the result is
/// exact: `AUC_b = Σ_g P_g,b (2 N_<g,b + N_g,b) / (2 P_b N_b)`.
#[derive(Debug, Clone)]
pub struct SortedScores {
    deals: Vec<u32>,
    positive: Vec<bool>,
    /// `true` where a row starts a new tie group.
    starts: Vec<bool>,
}

impl SortedScores {
    /// `scores[i]` (no NaN) belongs to deal `deals[i]` with label `positive[i]`. Scores are
    /// `f32`, as indicator values are: the radix sort then needs half the passes.
    pub fn new(scores: &[f32], deals: &[u32], positive: &[bool]) -> SortedScores {
        let n = scores.len();
        let (mut d, mut p, mut st) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        if let Some((ranks, groups)) = integer_ranks(scores) {
            // Counting sort by rank: stable and linear.
            let mut next = vec![0u32; groups + 1];
            for &r in &ranks {
                next[r as usize + 1] += 1;
            }
            for g in 0..groups {
                next[g + 1] += next[g];
            }
            let mut order = vec![0u32; n];
            for (i, &r) in ranks.iter().enumerate() {
                order[next[r as usize] as usize] = i as u32;
                next[r as usize] += 1;
            }
            for (k, &i) in order.iter().enumerate() {
                d.push(deals[i as usize]);
                p.push(positive[i as usize]);
                st.push(k == 0 || ranks[i as usize] != ranks[order[k - 1] as usize]);
            }
        } else {
            let mut order: Vec<(f32, u32)> = scores
                .iter()
                .enumerate()
                .map(|(i, &s)| (s, i as u32))
                .collect();
            radsort::sort_by_key(&mut order, |x| x.0);
            for (k, &(key, i)) in order.iter().enumerate() {
                d.push(deals[i as usize]);
                p.push(positive[i as usize]);
                st.push(k == 0 || key != order[k - 1].0);
            }
        }
        SortedScores {
            deals: d,
            positive: p,
            starts: st,
        }
    }

    /// Tie groups as `start..end` row ranges.
    fn groups(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let n = self.starts.len();
        let mut start = 0;
        (0..n).filter_map(move |i| {
            if i + 1 == n || self.starts[i + 1] {
                let range = start..i + 1;
                start = i + 1;
                Some(range)
            } else {
                None
            }
        })
    }

    /// The unweighted AUC; `None` when a class is empty.
    pub fn auc(&self) -> Option<f64> {
        let (mut below, mut sum2, mut total_pos) = (0u64, 0u64, 0u64);
        for g in self.groups() {
            let pos = self.positive[g.clone()].iter().filter(|&&x| x).count() as u64;
            let neg = g.len() as u64 - pos;
            sum2 += pos * (2 * below + neg);
            below += neg;
            total_pos += pos;
        }
        (total_pos > 0 && below > 0).then(|| sum2 as f64 / (2.0 * total_pos as f64 * below as f64))
    }

    /// The AUC of every replicate of `boot` (NaN where a class has zero weight).
    pub fn replicate_aucs(&self, boot: &Bootstrap) -> Vec<f64> {
        let b = boot.replicates();
        if b == 0 {
            return Vec::new();
        }
        let (mut pos, mut neg) = (vec![0u32; b], vec![0u32; b]);
        let (mut below, mut total_pos, mut sum2) = (vec![0u32; b], vec![0u32; b], vec![0u64; b]);
        for g in self.groups() {
            if g.len() == 1 {
                // A value held by one deal (the usual case for continuous indicators).
                let w = boot.row(self.deals[g.start] as usize);
                if self.positive[g.start] {
                    for r in 0..b {
                        sum2[r] += 2 * w[r] as u64 * below[r] as u64;
                        total_pos[r] += w[r] as u32;
                    }
                } else {
                    for (x, &w) in below.iter_mut().zip(w) {
                        *x += w as u32;
                    }
                }
                continue;
            }
            for i in g {
                let acc = if self.positive[i] { &mut pos } else { &mut neg };
                for (a, &w) in acc.iter_mut().zip(boot.row(self.deals[i] as usize)) {
                    *a += w as u32;
                }
            }
            for r in 0..b {
                let (p, n) = (pos[r], neg[r]);
                sum2[r] += p as u64 * (2 * below[r] as u64 + n as u64);
                below[r] += n;
                total_pos[r] += p;
                pos[r] = 0;
                neg[r] = 0;
            }
        }
        (0..b)
            .map(|r| {
                if total_pos[r] > 0 && below[r] > 0 {
                    sum2[r] as f64 / (2.0 * total_pos[r] as f64 * below[r] as f64)
                } else {
                    f64::NAN
                }
            })
            .collect()
    }
}

/// Per-replicate Mann–Whitney accumulators of one group during a weighted sweep.
struct RepSweep {
    pos: Vec<u32>,
    neg: Vec<u32>,
    below: Vec<u32>,
    total_pos: Vec<u32>,
    sum2: Vec<u64>,
    /// Rows added since the last flush.
    open: bool,
}

/// Replicate lanes processed together (the loops below vectorise over them).
const LANES: usize = 8;

impl RepSweep {
    fn new(b: usize) -> RepSweep {
        RepSweep {
            pos: vec![0; b],
            neg: vec![0; b],
            below: vec![0; b],
            total_pos: vec![0; b],
            sum2: vec![0; b],
            open: false,
        }
    }

    /// A positive row alone in its tie group.
    #[inline]
    fn single_positive(&mut self, w: &[u8]) {
        let n = w.len();
        let (sum2, total_pos, below) = (
            &mut self.sum2[..n],
            &mut self.total_pos[..n],
            &self.below[..n],
        );
        let mut s = sum2.chunks_exact_mut(LANES);
        let mut t = total_pos.chunks_exact_mut(LANES);
        let mut b = below.chunks_exact(LANES);
        let mut ws = w.chunks_exact(LANES);
        for (((s, t), b), w) in (&mut s).zip(&mut t).zip(&mut b).zip(&mut ws) {
            for l in 0..LANES {
                s[l] += 2 * (w[l] as u64) * (b[l] as u64);
                t[l] += w[l] as u32;
            }
        }
        let (s, t, b, w) = (
            s.into_remainder(),
            t.into_remainder(),
            b.remainder(),
            ws.remainder(),
        );
        for l in 0..w.len() {
            s[l] += 2 * (w[l] as u64) * (b[l] as u64);
            t[l] += w[l] as u32;
        }
    }

    #[inline]
    fn add(acc: &mut [u32], w: &[u8]) {
        let acc = &mut acc[..w.len()];
        let mut a = acc.chunks_exact_mut(LANES);
        let mut ws = w.chunks_exact(LANES);
        for (a, w) in (&mut a).zip(&mut ws) {
            for l in 0..LANES {
                a[l] += w[l] as u32;
            }
        }
        for (a, &w) in a.into_remainder().iter_mut().zip(ws.remainder()) {
            *a += w as u32;
        }
    }

    /// Closes the current tie group.
    fn flush(&mut self) {
        for r in 0..self.pos.len() {
            let (p, n) = (self.pos[r], self.neg[r]);
            self.sum2[r] += p as u64 * (2 * self.below[r] as u64 + n as u64);
            self.below[r] += n;
            self.total_pos[r] += p;
            self.pos[r] = 0;
            self.neg[r] = 0;
        }
        self.open = false;
    }

    fn aucs(&self) -> Vec<f64> {
        (0..self.sum2.len())
            .map(|r| {
                if self.total_pos[r] > 0 && self.below[r] > 0 {
                    self.sum2[r] as f64 / (2.0 * self.total_pos[r] as f64 * self.below[r] as f64)
                } else {
                    f64::NAN
                }
            })
            .collect()
    }
}

/// Hints the CPU to fetch the weight row of a deal that will be needed soon.
#[inline(always)]
fn prefetch(row: &[u8]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let p = row.as_ptr() as *const i8;
        let mut off = 0;
        // SAFETY: SSE is part of the x86_64 baseline, and a prefetch never faults (the
        // addresses are inside `row` anyway).
        unsafe {
            while off < row.len() {
                _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(off));
                off += 64;
            }
            if !row.is_empty() {
                _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(row.len() - 1));
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = row;
}

/// How many rows ahead weight rows are prefetched.
const PREFETCH_AHEAD: usize = 12;

/// The AUC of every replicate of `boot` for `groups` disjoint groups and for all rows pooled,
/// from one sort and one sweep (each deal's weight row is read once for its group and the
/// pool). Row `i`: score `scores[i]` (no NaN), deal `deals[i]`, group `group[i] < groups`,
/// label `positive[i]`. Returns the unweighted AUCs (as [`grouped_point_aucs`]) and
/// `groups + 1` vectors of replicate AUCs (NaN where a class has zero weight), the pooled one
/// last in both; equal to [`SortedScores::replicate_aucs`] of each group.
pub fn grouped_replicate_aucs(
    scores: &[f32],
    deals: &[u32],
    group: &[u16],
    positive: &[bool],
    groups: usize,
    boot: &Bootstrap,
) -> (Vec<Option<f64>>, Vec<Vec<f64>>) {
    let b = boot.replicates();
    if b == 0 {
        return (
            grouped_point_aucs(scores, group, positive, groups),
            vec![Vec::new(); groups + 1],
        );
    }
    let pooled = groups;
    // Sorted rows: deal, and group << 1 | label; `starts[k]`: row k opens a tie group.
    let n = scores.len();
    let mut order: Vec<u32> = Vec::with_capacity(n);
    let mut starts: Vec<bool> = Vec::with_capacity(n);
    if let Some((ranks, n_ranks)) = integer_ranks(scores) {
        let mut next = vec![0u32; n_ranks + 1];
        for &r in &ranks {
            next[r as usize + 1] += 1;
        }
        for g in 0..n_ranks {
            next[g + 1] += next[g];
        }
        order.resize(n, 0);
        for (i, &r) in ranks.iter().enumerate() {
            order[next[r as usize] as usize] = i as u32;
            next[r as usize] += 1;
        }
        for k in 0..n {
            starts.push(k == 0 || ranks[order[k] as usize] != ranks[order[k - 1] as usize]);
        }
    } else {
        let mut items: Vec<(f32, u32)> = scores
            .iter()
            .enumerate()
            .map(|(i, &s)| (s, i as u32))
            .collect();
        radsort::sort_by_key(&mut items, |x| x.0);
        for (k, &(key, i)) in items.iter().enumerate() {
            order.push(i);
            starts.push(k == 0 || key != items[k - 1].0);
        }
    }
    let rows: Vec<(u32, u32)> = order
        .iter()
        .map(|&i| {
            let i = i as usize;
            (deals[i], (group[i] as u32) << 1 | positive[i] as u32)
        })
        .collect();
    drop(order);
    starts.push(true);
    let mut acc: Vec<RepSweep> = (0..=groups).map(|_| RepSweep::new(b)).collect();
    let mut point = vec![Sweep::default(); groups + 1];
    let mut touched: Vec<usize> = Vec::with_capacity(groups);
    for k in 0..n {
        if let Some(&(ahead, _)) = rows.get(k + PREFETCH_AHEAD) {
            prefetch(boot.row(ahead as usize));
        }
        let (deal, payload) = rows[k];
        let w = boot.row(deal as usize);
        let g = (payload >> 1) as usize;
        let p = payload & 1 == 1;
        if starts[k] && starts[k + 1] {
            // Alone in its tie group in the pool, so also in its group.
            for a in [g, pooled] {
                point[a].pos += p as u64;
                point[a].neg += !p as u64;
                point[a].flush();
                if p {
                    acc[a].single_positive(w);
                } else {
                    RepSweep::add(&mut acc[a].below, w);
                }
            }
            continue;
        }
        for a in [g, pooled] {
            point[a].pos += p as u64;
            point[a].neg += !p as u64;
            let s = &mut acc[a];
            RepSweep::add(if p { &mut s.pos } else { &mut s.neg }, w);
            if !s.open {
                s.open = true;
                if a != pooled {
                    touched.push(a);
                }
            }
        }
        if starts[k + 1] {
            for a in touched.drain(..) {
                acc[a].flush();
                point[a].flush();
            }
            acc[pooled].flush();
            point[pooled].flush();
        }
    }
    (
        point.into_iter().map(Sweep::auc).collect(),
        acc.iter().map(RepSweep::aucs).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn counting_and_sorting_agree(values in prop::collection::vec(-50i32..50, 1..200)) {
            let scores: Vec<f64> = values.iter().map(|&v| v as f64).collect();
            prop_assert_eq!(integer_ranks(&scores).unwrap(), sorted_ranks(&scores));
        }
    }

    proptest! {
        #[test]
        fn replicate_aucs_equal_weighted_aucs(values in prop::collection::vec((0i32..8, any::<bool>()), 2..80), seed in 0u64..50) {
            let scores: Vec<f64> = values.iter().map(|v| v.0 as f64 * 0.5).collect();
            let keys: Vec<f32> = scores.iter().map(|&x| x as f32).collect();
            let labels: Vec<bool> = values.iter().map(|v| v.1).collect();
            let deals: Vec<u32> = (0..values.len() as u32).collect();
            let strata: Vec<u32> = labels.iter().map(|&l| l as u32).collect();
            let boot = Bootstrap::new(&strata, 7, seed);
            let sorted = SortedScores::new(&keys, &deals, &labels);
            let reps = sorted.replicate_aucs(&boot);
            let (ranks, g) = dense_ranks(&scores);
            let ranked = RankedScores::new(ranks, g, labels.clone());
            prop_assert_eq!(sorted.auc(), ranked.auc(|_| 1.0));
            prop_assert_eq!(point_auc(&keys, &labels), ranked.auc(|_| 1.0));
            // Grouped: every group and the pool agree with separate computations.
            let group: Vec<u16> = (0..keys.len()).map(|i| (i % 3) as u16).collect();
            for k in [keys.clone(), keys.iter().map(|&x| x + 0.25).collect()] {
                let got = grouped_point_aucs(&k, &group, &labels, 3);
                prop_assert_eq!(got[3], point_auc(&k, &labels));
                for g in 0..3u16 {
                    let sel: Vec<usize> = (0..k.len()).filter(|&i| group[i] == g).collect();
                    let ks: Vec<f32> = sel.iter().map(|&i| k[i]).collect();
                    let ls: Vec<bool> = sel.iter().map(|&i| labels[i]).collect();
                    prop_assert_eq!(got[g as usize], point_auc(&ks, &ls));
                }
            }
            // Grouped replicates: every group and the pool equal separate sweeps.
            for k in [keys.clone(), keys.iter().map(|&x| x + 0.25).collect()] {
                let (points, got) = grouped_replicate_aucs(&k, &deals, &group, &labels, 3, &boot);
                prop_assert_eq!(points, grouped_point_aucs(&k, &group, &labels, 3));
                let same = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| x == y || (x.is_nan() && y.is_nan()));
                prop_assert!(same(&got[3], &SortedScores::new(&k, &deals, &labels).replicate_aucs(&boot)));
                for g in 0..3u16 {
                    let sel: Vec<usize> = (0..k.len()).filter(|&i| group[i] == g).collect();
                    let ks: Vec<f32> = sel.iter().map(|&i| k[i]).collect();
                    let ds: Vec<u32> = sel.iter().map(|&i| deals[i]).collect();
                    let ls: Vec<bool> = sel.iter().map(|&i| labels[i]).collect();
                    prop_assert!(same(&got[g as usize], &SortedScores::new(&ks, &ds, &ls).replicate_aucs(&boot)));
                }
            }
            let spread: Vec<f32> = keys.iter().map(|&k| k + 0.25).collect(); // not integers
            prop_assert_eq!(point_auc(&spread, &labels), ranked.auc(|_| 1.0));
            for (r, got) in reps.iter().enumerate() {
                let want = ranked.auc(|i| boot.weight(i, r) as f64).unwrap_or(f64::NAN);
                prop_assert!((got - want).abs() < 1e-12 || (got.is_nan() && want.is_nan()), "{} vs {}", got, want);
            }
        }
    }

    #[test]
    fn non_integers_take_the_sorting_path() {
        assert!(integer_ranks(&[0.5, 1.0]).is_none());
        assert!(integer_ranks(&[0.0, 1e9]).is_none()); // too wide a range to count
        assert_eq!(dense_ranks(&[0.5, -1.0, 0.5, 3.0]), (vec![1, 0, 1, 2], 3));
    }
}
