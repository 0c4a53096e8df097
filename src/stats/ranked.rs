//! AUC from dense ranks: sort once, then score any reweighting of the same rows in O(n).
//!
//! With ranks r ∈ 0..G (equal scores share a rank), the Mann–Whitney AUC is
//! Σ_g W⁺_g · (W⁻_{<g} + ½ W⁻_g) / (W⁺ · W⁻), where W±_g is the weight of positives/negatives
//! of rank g. A bootstrap replicate only changes weights, so it never re-sorts. Integer-valued
//! indicators have few distinct values, so G is small and the sweep is a short histogram.
//!
//! The same unweighted sweep gives DeLong's variance of the AUC ([`MannWhitney`]): every
//! positive of rank g outscores the same share of negatives, (W⁻_{<g} + ½ W⁻_g) / W⁻, and every
//! negative of rank g is outscored by the same share of positives, so the spread of these
//! placements is a sum over ranks too.

use super::bootstrap::Bootstrap;
pub use super::mann_whitney::MannWhitney;

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

/// The smallest and largest of `scores` when every one is an integer and their span is
/// modest (at most [`SPAN_PER_VALUE`] slots per row of `rows`, plus a little): the counting
/// path applies.
pub(super) fn integer_range(scores: impl Iterator<Item = f64>, rows: usize) -> Option<(i64, i64)> {
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for s in scores {
        // `as i64` is one conversion instruction (saturating); a value equal to its conversion
        // is an integer in range, which also rejects NaN and infinities. (`fract` is a libm
        // call here.)
        let i = s as i64;
        if i as f64 != s {
            return None;
        }
        lo = lo.min(i);
        hi = hi.max(i);
    }
    if lo > hi || hi.abs_diff(lo) > (SPAN_PER_VALUE * rows + 1024) as u64 {
        return None;
    }
    Some((lo, hi))
}

pub(crate) fn integer_ranks<T: Copy + Into<f64>>(scores: &[T]) -> Option<(Vec<u32>, usize)> {
    let (lo, hi) = integer_range(scores.iter().map(|&s| s.into()), scores.len())?;
    let slot = |s: T| (Into::<f64>::into(s) as i64 - lo) as usize;
    let mut rank_of = vec![0u32; (hi - lo) as usize + 1];
    for &s in scores {
        rank_of[slot(s)] = 1;
    }
    let mut groups = 0u32;
    for slot in rank_of.iter_mut() {
        let present = *slot;
        *slot = groups;
        groups += present;
    }
    let ranks = scores.iter().map(|&s| rank_of[slot(s)]).collect();
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

/// Mann–Whitney accumulator of one group during a sweep in ascending score order. Every sum
/// is an integer (placements doubled, so ties count 1), so that DeLong's variance comes out as
/// an exact difference k·Σx² − (Σx)² rather than two nearly equal floats: with a million
/// deals and an AUC near 0 or 1 the float difference would lose most of its digits.
#[derive(Debug, Clone, Copy, Default)]
struct Sweep {
    below: u64,
    /// Σ over positives of twice the negatives they outscore (ties half) …
    sum2: u64,
    /// … and of its square.
    sq10: u128,
    total_pos: u64,
    pos: u64,
    neg: u64,
    /// Σ over negatives of twice the positives they outscore (ties half) …
    s01: u64,
    /// … and of its square.
    sq01: u128,
}

impl Sweep {
    /// Closes the current tie group.
    #[inline]
    fn flush(&mut self) {
        let outscored = 2 * self.below + self.neg;
        let outscoring = 2 * self.total_pos + self.pos;
        self.sum2 += self.pos * outscored;
        self.sq10 += self.pos as u128 * square(outscored);
        self.s01 += self.neg * outscoring;
        self.sq01 += self.neg as u128 * square(outscoring);
        self.below += self.neg;
        self.total_pos += self.pos;
        self.pos = 0;
        self.neg = 0;
    }

    /// A row alone in its tie group, `pos` 1 for a positive and 0 for a negative: what
    /// adding it and [`flush`](Sweep::flush) do, without a branch on the label.
    #[inline]
    fn single(&mut self, pos: u64) {
        let (outscored, outscoring) = (2 * self.below, 2 * self.total_pos);
        self.sum2 += pos * outscored;
        self.sq10 += pos as u128 * square(outscored);
        self.s01 += (1 - pos) * outscoring;
        self.sq01 += (1 - pos) as u128 * square(outscoring);
        self.total_pos += pos;
        self.below += 1 - pos;
    }

    fn finish(mut self) -> Option<MannWhitney> {
        self.flush();
        let (m, n) = (self.total_pos, self.below);
        if m == 0 || n == 0 {
            return None;
        }
        let auc = self.sum2 as f64 / (2.0 * m as f64 * n as f64);
        let variance = if m < 2 || n < 2 {
            f64::NAN
        } else {
            // Positive i's placement is outscored_i / 2n and negative j's 1 − outscoring_j / 2m,
            // so their sample variances are those of the doubled counts over (2n)² and (2m)².
            let spread = |k: u64, sum: u64, sq: u128| {
                let k = k as u128;
                (k * sq - sum as u128 * sum as u128) as f64 / (k * (k - 1)) as f64
            };
            let s10 = spread(m, self.sum2, self.sq10) / (4.0 * (n as f64).powi(2));
            let s01 = spread(n, self.s01, self.sq01) / (4.0 * (m as f64).powi(2));
            s10 / m as f64 + s01 / n as f64
        };
        Some(MannWhitney {
            auc,
            variance,
            positives: m,
            negatives: n,
            clusters: None,
            // Every row ties exactly when every placement is ½: each positive outscores the
            // n negatives by half (doubled: n) and each negative the m positives likewise.
            // Counted in integers, so that a class of one row (variance NaN) is told too.
            one_value: self.sum2 == m * n
                && self.sq10 == m as u128 * square(n)
                && self.s01 == m * n
                && self.sq01 == n as u128 * square(m),
        })
    }
}

#[inline]
fn square(x: u64) -> u128 {
    x as u128 * x as u128
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
    let class: Vec<u32> = group
        .iter()
        .zip(positive)
        .map(|(&g, &p)| class_word(g, if p { POSITIVE } else { NEGATIVE }))
        .collect();
    point_aucs_in(scores, &class, groups, 1.0, &mut SortBuffers::default())
        .0
        .into_iter()
        .map(|m| m.map(|m| m.auc))
        .collect()
}

/// Row kinds of a [`class_word`]: negatives (won deals), positives (lost deals), and rows
/// that take no part (deals without a known outcome).
pub const NEGATIVE: u32 = 0;
pub const POSITIVE: u32 = 1;
pub const EXCLUDED: u32 = 2;
/// Kinds per group in a class word (two bits).
const KINDS: usize = 4;

/// A row's group and kind in one word, `group << 2 | kind`: what [`point_aucs_in`] and
/// [`class_replicate_aucs`] take, and what the scoring core keeps per landmark row, so that
/// a column is scored straight from the panel without being copied first.
#[inline]
pub fn class_word(group: u16, kind: u32) -> u32 {
    u32::from(group) << 2 | kind
}

/// The two word buffers the continuous path sorts in. A caller scoring many columns keeps one
/// per thread: fresh multi-megabyte buffers per column cost more in page faults than the sort.
#[derive(Debug, Default)]
pub struct SortBuffers {
    pub(super) items: Vec<u64>,
    pub(super) scratch: Vec<u64>,
}

/// Unweighted AUCs, with their DeLong variances, of `groups` groups and their pool (last) over
/// the rows of one column as they come: row `i` has score `sign × scores[i]` (`sign` = ±1 orients the column without a
/// copy) and class `class[i]` ([`class_word`]). Rows whose score is NaN (missing) or whose
/// kind is [`EXCLUDED`] take no part; the NaN rows are counted per class word, the second
/// value returned (`4 × groups` counts). Integer scores are counted per value and columns
/// with few distinct values in a small hash table; only continuous scores are sorted (in
/// `buffers`).
pub fn point_aucs_in(
    scores: &[f32],
    class: &[u32],
    groups: usize,
    sign: f32,
    buffers: &mut SortBuffers,
) -> (Vec<Option<MannWhitney>>, Vec<u64>) {
    let stride = KINDS * groups;
    if let Some(mut counts) = small_counts(scores, class, stride) {
        // The values as they are; a column turned round is swept from its largest value.
        let missing = counts.split_off(SMALL * stride);
        let per_value = counts.chunks_exact(stride);
        let aucs = if sign < 0.0 {
            sweep_counts(per_value.rev(), groups)
        } else {
            sweep_counts(per_value, groups)
        };
        return (aucs, missing.into_iter().map(u64::from).collect());
    }
    let oriented = scores.iter().map(|&s| sign * s);
    let present = oriented.clone().filter(|s| !s.is_nan()).map(f64::from);
    if let Some((lo, hi)) = integer_range(present, scores.len()) {
        // counts[value - lo][class], straight from the values: no ranks needed. The row after
        // the last value counts the rows without one.
        let values = (hi - lo) as usize + 1;
        let mut counts = vec![0u32; (values + 1) * stride];
        for (s, &c) in oriented.zip(class) {
            let slot = if s.is_nan() {
                values
            } else {
                (s as i64 - lo) as usize
            };
            counts[slot * stride + c as usize] += 1;
        }
        let missing = counts.split_off(values * stride);
        let aucs = sweep_counts(counts.chunks_exact(stride), groups);
        return (aucs, missing.into_iter().map(u64::from).collect());
    }
    let mut missing = vec![0u64; stride];
    if let Some((values, counts)) =
        few_distinct_counts(oriented.clone(), class, stride, &mut missing)
    {
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_unstable_by(|&a, &b| values[a].total_cmp(&values[b]));
        let per_value = order.iter().map(|&v| &counts[v * stride..(v + 1) * stride]);
        return (sweep_counts(per_value, groups), missing);
    }
    // Continuous scores: sort (key, class) words of the rows that take part by key, then
    // sweep runs of equal keys.
    missing.fill(0);
    let SortBuffers { items, scratch } = buffers;
    let words = oriented.zip(class).map(|(s, &c)| {
        let absent = s.is_nan();
        if absent {
            missing[c as usize] += 1;
        }
        (sortable_bits(s), c, !absent & (c & EXCLUDED == 0))
    });
    let n = sort_words(items, scratch, words);
    (sweep_sorted(&items[..n], groups), missing)
}

/// [`point_aucs_in`] over `sets` nested sets of the same rows, sorted once: row `i` belongs to
/// sets `0..=last[i]`, with the same score and class in each (a value fixed when the deal is
/// created, and the landmarks' shrinking risk sets). Each set's rows are kept from the
/// previous set's sorted words in place, so their order holds and no set is sorted again.
/// Returns, per set, the AUCs and the NaN rows per class as [`point_aucs_in`] does. Classes
/// must fit in 16 bits (`groups` < 2¹⁴).
pub fn nested_point_aucs(
    scores: &[f32],
    class: &[u32],
    last: &[u16],
    sets: usize,
    groups: usize,
    sign: f32,
    buffers: &mut SortBuffers,
) -> Vec<(Vec<Option<MannWhitney>>, Vec<u64>)> {
    assert!(groups < 1 << 14, "class words of at most 16 bits");
    let mut missing_rows: Vec<(u16, u32)> = Vec::new();
    let SortBuffers { items, scratch } = buffers;
    // The low word: the last set above the class.
    let words = scores.iter().zip(class).zip(last).map(|((&s, &c), &l)| {
        let s = sign * s;
        let absent = s.is_nan();
        if absent {
            missing_rows.push((l, c));
        }
        let low = u32::from(l) << 16 | c;
        (sortable_bits(s), low, !absent & (c & EXCLUDED == 0))
    });
    let mut n = sort_words(items, scratch, words);
    (0..sets)
        .map(|k| {
            let mut kept = 0;
            for j in 0..n {
                let w = items[j];
                items[kept] = w;
                kept += usize::from((w as u32 >> 16) as usize >= k);
            }
            n = kept;
            let mut missing = vec![0u64; KINDS * groups];
            for &(l, c) in &missing_rows {
                missing[c as usize] += u64::from(usize::from(l) >= k);
            }
            (sweep_sorted(&items[..n], groups), missing)
        })
        .collect()
}

/// The bits of a sort word's low half that hold the row's class (the rest may carry other
/// data, as [`nested_point_aucs`] does).
const CLASS_BITS: u32 = 0xFFFF;

/// The Mann–Whitney sweep over (key, class) words sorted by key.
fn sweep_sorted(items: &[u64], groups: usize) -> Vec<Option<MannWhitney>> {
    let pooled = groups;
    let mut acc = vec![Sweep::default(); groups + 1];
    let mut touched: Vec<usize> = Vec::with_capacity(groups);
    let mut i = 0;
    while i < items.len() {
        let key = items[i] >> 32;
        let mut end = i + 1;
        while end < items.len() && items[end] >> 32 == key {
            end += 1;
        }
        if end == i + 1 {
            // A value held by one row (the common case): no tie group to close.
            // The label is data, not a pattern: arithmetic instead of a branch that would
            // mispredict on every other row.
            let c = items[i] as u32 & CLASS_BITS;
            let pos = u64::from(c & POSITIVE);
            for a in [(c >> 2) as usize, pooled] {
                acc[a].single(pos);
            }
        } else {
            for &w in &items[i..end] {
                let c = w as u32 & CLASS_BITS;
                let g = (c >> 2) as usize;
                if acc[g].pos + acc[g].neg == 0 {
                    touched.push(g);
                }
                let pos = u64::from(c & POSITIVE);
                for a in [g, pooled] {
                    acc[a].pos += pos;
                    acc[a].neg += 1 - pos;
                }
            }
            for g in touched.drain(..) {
                acc[g].flush();
            }
            acc[pooled].flush();
        }
        i = end;
    }
    acc.into_iter().map(Sweep::finish).collect()
}

/// An f32 (not NaN) as a u32 in the same order; `-0.0` and `0.0` map to one word.
#[inline]
pub(super) fn sortable_bits(s: f32) -> u32 {
    let b = (s + 0.0).to_bits();
    if b >> 31 == 1 {
        !b
    } else {
        b | 1 << 31
    }
}

const RADIX_BITS: u32 = 11;
const BUCKETS: usize = 1 << RADIX_BITS;
const SHIFTS: [u32; 3] = [32, 32 + RADIX_BITS, 32 + 2 * RADIX_BITS];

#[inline]
fn digit(w: u64, shift: u32) -> usize {
    ((w >> shift) as usize) & (BUCKETS - 1)
}

/// Fills `items` with one word per kept `(key, low, keep)` triple, `key << 32 | low`, sorts
/// them by the key (stable LSD radix sort, three 11-bit digits, passes whose digit is the same
/// in every word skipped) and returns how many there are: `items[..n]` is the sorted run.
/// The digits are counted while the words are filled, with no second read before the sort;
/// every row is written and the write position only advances past kept ones, so rows are
/// dropped without a branch. The low word (the row's class, or its index) only rides along.
/// Both buffers only ever grow: each slot below `n` is written before it is read.
pub(super) fn sort_words(
    items: &mut Vec<u64>,
    scratch: &mut Vec<u64>,
    words: impl ExactSizeIterator<Item = (u32, u32, bool)>,
) -> usize {
    let mut counts = vec![[0usize; BUCKETS]; SHIFTS.len()];
    if items.len() < words.len() {
        items.resize(words.len(), 0);
    }
    let mut n = 0;
    for (key, low, keep) in words {
        let w = u64::from(key) << 32 | u64::from(low);
        items[n] = w;
        let k = usize::from(keep);
        for (c, &shift) in counts.iter_mut().zip(&SHIFTS) {
            c[digit(w, shift)] += k;
        }
        n += k;
    }
    if scratch.len() < n {
        scratch.resize(n, 0);
    }
    for (c, &shift) in counts.iter_mut().zip(&SHIFTS) {
        if c.contains(&n) {
            continue;
        }
        let mut next = 0;
        for slot in c.iter_mut() {
            let m = *slot;
            *slot = next;
            next += m;
        }
        for &w in &items[..n] {
            let d = digit(w, shift);
            scratch[c[d]] = w;
            c[d] += 1;
        }
        std::mem::swap(items, scratch);
    }
    n
}

/// Counts of events, flags, breaches: scores that are whole numbers below this are counted
/// in one pass by [`small_counts`].
const SMALL: usize = 256;

/// Per-value counts by class word (`stride` = 4 × groups) of a column whose values are all
/// whole numbers in `0..SMALL` or NaN (counted in one more row after the last value), in one
/// pass that tests and counts at once — or `None` as soon as a block of rows holds any other
/// value, so a column of money amounts or fractions costs a block.
fn small_counts(scores: &[f32], class: &[u32], stride: usize) -> Option<Vec<u32>> {
    const BLOCK: usize = 1024;
    let mut counts = vec![0u32; (SMALL + 1) * stride];
    for (block, classes) in scores.chunks(BLOCK).zip(class.chunks(BLOCK)) {
        let mut fits = true;
        for (&s, &c) in block.iter().zip(classes) {
            // `as u32` saturates (NaN and negatives to 0): a value equal to its conversion
            // is a whole number (`-0.0` as `0`), and NaN counts as missing.
            let v = s as u32;
            let missing = s.is_nan();
            fits &= (v as f32 == s) & (v < SMALL as u32) | missing;
            // Clamped so that a value that does not fit is still counted somewhere harmless
            // until the block ends and the counts are dropped.
            let slot = if missing {
                SMALL
            } else {
                (v as usize).min(SMALL - 1)
            };
            counts[slot * stride + c as usize] += 1;
        }
        if !fits {
            return None;
        }
    }
    Some(counts)
}

/// The Mann–Whitney sweep of `groups` groups and their pool over per-value counts in
/// ascending value order, each indexed by class word (`[group][kind]`).
fn sweep_counts<'a>(
    per_value: impl Iterator<Item = &'a [u32]>,
    groups: usize,
) -> Vec<Option<MannWhitney>> {
    let pooled = groups;
    let mut acc = vec![Sweep::default(); groups + 1];
    for counts in per_value {
        if counts.iter().all(|&c| c == 0) {
            continue;
        }
        for (g, kinds) in counts.chunks_exact(KINDS).enumerate() {
            let (neg, pos) = (
                u64::from(kinds[NEGATIVE as usize]),
                u64::from(kinds[POSITIVE as usize]),
            );
            for a in [g, pooled] {
                acc[a].pos += pos;
                acc[a].neg += neg;
            }
        }
        for a in acc.iter_mut() {
            a.flush();
        }
    }
    acc.into_iter().map(Sweep::finish).collect()
}

/// Float scores with at most this many distinct values (ratios, probabilities in percent,
/// completeness shares) are counted in a small hash table instead of sorted.
pub(super) const FEW_DISTINCT: usize = 256;

/// Numbers the distinct values of a score column in the order first seen, in a small open
/// hash table: for columns of [`FEW_DISTINCT`] values at most, which are then counted per
/// value instead of sorted. `-0.0` and `0.0` are one value.
pub(super) struct DistinctValues {
    /// Per slot, the id of the value hashed there, or [`Self::EMPTY`].
    table: [u16; Self::SLOTS],
    values: Vec<f32>,
}

impl DistinctValues {
    const SLOTS: usize = 4 * FEW_DISTINCT;
    const EMPTY: u16 = u16::MAX;

    pub(super) fn new() -> DistinctValues {
        DistinctValues {
            table: [Self::EMPTY; Self::SLOTS],
            values: Vec::with_capacity(FEW_DISTINCT),
        }
    }

    /// The id of `s` (not NaN), numbering it if new; `None` if it is new and
    /// [`FEW_DISTINCT`] values are numbered already.
    #[inline]
    pub(super) fn id(&mut self, s: f32) -> Option<usize> {
        let s = s + 0.0; // -0.0 + 0.0 = 0.0: equal values, one entry
        let bits = s.to_bits();
        // Fibonacci hashing onto the table's 10 bits; linear probing.
        let mut slot =
            (bits.wrapping_mul(0x9E37_79B9) >> (32 - Self::SLOTS.trailing_zeros())) as usize;
        loop {
            match self.table[slot] {
                Self::EMPTY => {
                    if self.values.len() == FEW_DISTINCT {
                        return None;
                    }
                    self.table[slot] = self.values.len() as u16;
                    self.values.push(s);
                    return Some(self.values.len() - 1);
                }
                id if self.values[id as usize].to_bits() == bits => return Some(id as usize),
                _ => slot = (slot + 1) % Self::SLOTS,
            }
        }
    }

    /// The values, by id.
    pub(super) fn into_values(self) -> Vec<f32> {
        self.values
    }
}

/// The distinct values of `scores` (`-0.0` taken as `0.0`) and, per value, counts by class
/// word (`stride` = 4 × groups), rows without a value counted per class in `missing` — or
/// `None` as soon as there are more than [`FEW_DISTINCT`] values, which for continuous
/// scores happens within the first rows.
fn few_distinct_counts(
    scores: impl Iterator<Item = f32>,
    class: &[u32],
    stride: usize,
    missing: &mut [u64],
) -> Option<(Vec<f32>, Vec<u32>)> {
    let mut distinct = DistinctValues::new();
    let mut counts = vec![0u32; FEW_DISTINCT * stride];
    for (s, &c) in scores.zip(class) {
        if s.is_nan() {
            missing[c as usize] += 1;
            continue;
        }
        counts[distinct.id(s)? * stride + c as usize] += 1;
    }
    let values = distinct.into_values();
    counts.truncate(values.len() * stride);
    Some((values, counts))
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
/// pool). Row `i`: score `scores[i]` (no NaN), deal `deals[i]`, group and label
/// `class[i]` (a [`class_word`] of kind [`NEGATIVE`] or [`POSITIVE`]: the caller has dropped
/// the other rows). Returns the unweighted AUCs (as [`point_aucs_in`]) and
/// `groups + 1` vectors of replicate AUCs (NaN where a class has zero weight), the pooled one
/// last in both.
pub fn class_replicate_aucs(
    scores: &[f32],
    deals: &[u32],
    class: &[u32],
    groups: usize,
    boot: &Bootstrap,
) -> (Vec<Option<MannWhitney>>, Vec<Vec<f64>>) {
    let b = boot.replicates();
    if b == 0 {
        let mut buffers = SortBuffers::default();
        return (
            point_aucs_in(scores, class, groups, 1.0, &mut buffers).0,
            vec![Vec::new(); groups + 1],
        );
    }
    let pooled = groups;
    // Sorted rows: deal and class word; `starts[k]`: row k opens a tie group.
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
        // The row index rides in the low word, as the point path's group and label do.
        let mut items = Vec::new();
        let words = (0..n as u32)
            .zip(scores)
            .map(|(i, &s)| (sortable_bits(s), i, true));
        let kept = sort_words(&mut items, &mut Vec::new(), words);
        for (k, &w) in items[..kept].iter().enumerate() {
            order.push(w as u32);
            starts.push(k == 0 || w >> 32 != items[k - 1] >> 32);
        }
    }
    let rows: Vec<(u32, u32)> = order
        .iter()
        .map(|&i| {
            let i = i as usize;
            (deals[i], class[i])
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
        let (deal, class) = rows[k];
        let w = boot.row(deal as usize);
        let g = (class >> 2) as usize;
        let p = class & POSITIVE != 0;
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
        point.into_iter().map(Sweep::finish).collect(),
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

    /// The reference: each group (and the pool) scored on its own with `RankedScores`,
    /// weighted by replicate `r` (`None` = unweighted).
    fn reference(
        keys: &[f32],
        group: &[u16],
        labels: &[bool],
        g: Option<u16>,
        weight: impl Fn(usize) -> f64,
    ) -> f64 {
        let sel: Vec<usize> = (0..keys.len())
            .filter(|&i| g.is_none_or(|g| group[i] == g))
            .collect();
        let scores: Vec<f64> = sel.iter().map(|&i| keys[i] as f64).collect();
        let (ranks, n) = dense_ranks(&scores);
        let ranked = RankedScores::new(ranks, n, sel.iter().map(|&i| labels[i]).collect());
        ranked.auc(|j| weight(sel[j])).unwrap_or(f64::NAN)
    }

    /// DeLong's variance by its definition: every positive's and negative's placement
    /// against the whole other class, one pair at a time (NaN with fewer than two of either).
    fn delong_reference(keys: &[f32], group: &[u16], labels: &[bool], g: Option<u16>) -> f64 {
        let sel: Vec<usize> = (0..keys.len())
            .filter(|&i| g.is_none_or(|g| group[i] == g))
            .collect();
        let (pos, neg): (Vec<f64>, Vec<f64>) = {
            let (p, n): (Vec<usize>, Vec<usize>) = sel.iter().partition(|&&i| labels[i]);
            let v = |ix: Vec<usize>| ix.iter().map(|&i| keys[i] as f64).collect::<Vec<f64>>();
            (v(p), v(n))
        };
        if pos.len() < 2 || neg.len() < 2 {
            return f64::NAN;
        }
        let psi = |x: f64, y: f64| match x.partial_cmp(&y).unwrap() {
            std::cmp::Ordering::Greater => 1.0,
            std::cmp::Ordering::Equal => 0.5,
            std::cmp::Ordering::Less => 0.0,
        };
        let v10: Vec<f64> = pos
            .iter()
            .map(|&x| neg.iter().map(|&y| psi(x, y)).sum::<f64>() / neg.len() as f64)
            .collect();
        let v01: Vec<f64> = neg
            .iter()
            .map(|&y| pos.iter().map(|&x| psi(x, y)).sum::<f64>() / pos.len() as f64)
            .collect();
        let var = |v: &[f64]| {
            let mean = v.iter().sum::<f64>() / v.len() as f64;
            v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64
        };
        var(&v10) / pos.len() as f64 + var(&v01) / neg.len() as f64
    }

    /// Point results as bits, so that two NaN variances compare equal.
    fn bits(points: &[Option<MannWhitney>]) -> Vec<Option<(u64, u64)>> {
        points
            .iter()
            .map(|m| m.map(|m| (m.auc.to_bits(), m.variance.to_bits())))
            .collect()
    }

    /// A case small enough to do by hand. Lost deals score 3, 2, 2 and won deals 2, 1:
    /// the lost deals' placements are 1, ¾, ¾ (the 2s tie one won deal: ½ + 1 over 2) and
    /// the won deals' are ⅔ (outscored by the 3 and half of each 2: (1 + ½ + ½) / 3) and 1.
    /// AUC = (1 + ¾ + ¾) / 3 = ⅚; S10 = var(1, ¾, ¾) = 1/48, S01 = var(⅔, 1) = 1/18;
    /// variance = (1/48) / 3 + (1/18) / 2 = 1/144 + 1/36 = 5/144.
    #[test]
    fn delong_variance_of_a_hand_computed_case() {
        let keys = [3.0f32, 2.0, 2.0, 2.0, 1.0];
        let class: Vec<u32> = [POSITIVE, POSITIVE, POSITIVE, NEGATIVE, NEGATIVE]
            .iter()
            .map(|&k| class_word(0, k))
            .collect();
        for keys in [keys.to_vec(), keys.iter().map(|k| k * 0.37 + 1e3).collect()] {
            let (point, _) = point_aucs_in(&keys, &class, 1, 1.0, &mut SortBuffers::default());
            let m = point[0].expect("both classes");
            assert!((m.auc - 5.0 / 6.0).abs() < 1e-15, "{m:?}");
            assert!((m.variance - 5.0 / 144.0).abs() < 1e-15, "{m:?}");
        }
    }

    /// A million rows with an AUC a hair below 1, where a float difference of sums would
    /// keep few digits: m lost deals, all but one scoring 1, the last 0 like every one of the
    /// n won deals. The lost deals' placements are 1 (m − 1 times) and ½, whose sample variance
    /// is 1 / 4m; the won deals' are all 1 − 1/2m, variance 0. So AUC = 1 − 1/2m and DeLong's
    /// variance (1 / 4m) / m = 1 / 4m², here 10⁻¹², to 1e-12 of itself.
    #[test]
    fn delong_variance_is_exact_at_a_million_rows_near_auc_1() {
        let (m, n) = (500_000usize, 500_000usize);
        let keys: Vec<f32> = (0..m + n).map(|i| f32::from(u8::from(i + 1 < m))).collect();
        let class: Vec<u32> = (0..m + n)
            .map(|i| class_word(0, if i < m { POSITIVE } else { NEGATIVE }))
            .collect();
        let (point, _) = point_aucs_in(&keys, &class, 1, 1.0, &mut SortBuffers::default());
        let got = point[0].expect("both classes");
        let m = m as f64;
        assert!((got.auc - (1.0 - 0.5 / m)).abs() < 1e-15, "{got:?}");
        let want = 1.0 / (4.0 * m * m);
        assert!(
            (got.variance - want).abs() < 1e-12 * want,
            "{got:?} vs {want}"
        );
    }

    proptest! {
        #[test]
        fn grouped_aucs_equal_separate_weighted_aucs(values in prop::collection::vec((0i32..8, any::<bool>()), 2..80), seed in 0u64..50) {
            let labels: Vec<bool> = values.iter().map(|v| v.1).collect();
            let deals: Vec<u32> = (0..values.len() as u32).collect();
            let group: Vec<u16> = (0..values.len()).map(|i| (i % 3) as u16).collect();
            let strata: Vec<u32> = labels.iter().map(|&l| l as u32).collect();
            let boot = Bootstrap::new(&strata, 7, seed);
            let close = |a: f64, b: f64| (a - b).abs() < 1e-12 || (a.is_nan() && b.is_nan());
            // Integer-valued keys take the counting path, the shifted ones the radix sort.
            let integer: Vec<f32> = values.iter().map(|v| v.0 as f32).collect();
            let float: Vec<f32> = values.iter().map(|v| v.0 as f32 * 0.5 + 0.25).collect();
            for keys in [integer, float] {
                let point = grouped_point_aucs(&keys, &group, &labels, 3);
                let class: Vec<u32> = group.iter().zip(&labels).map(|(&g, &l)| class_word(g, l as u32)).collect();
                let (points, reps) = class_replicate_aucs(&keys, &deals, &class, 3, &boot);
                prop_assert_eq!(points.iter().map(|m| m.map(|m| m.auc)).collect::<Vec<_>>(), point.clone());
                for (slot, g) in [Some(0u16), Some(1), Some(2), None].into_iter().enumerate() {
                    prop_assert!(close(point[slot].unwrap_or(f64::NAN), reference(&keys, &group, &labels, g, |_| 1.0)));
                    for (r, &got) in reps[slot].iter().enumerate() {
                        let want = reference(&keys, &group, &labels, g, |i| boot.weight(i, r) as f64);
                        prop_assert!(close(got, want), "group {:?} replicate {}: {} vs {}", g, r, got, want);
                    }
                }
            }
        }
    }

    proptest! {
        /// Every point path against the reference: small whole numbers (one counting pass),
        /// other integers (range, then counting), few distinct floats (hash counting), many
        /// floats or integers too far apart to count (radix sort); `-0.0` and `0.0` as one
        /// value — each over a column with rows that take no part (NaN scores, excluded
        /// rows), and turned round by `sign = -1`.
        #[test]
        fn every_point_path_equals_the_reference(
            rows in prop::collection::vec((0u32..2000, 0u16..4, 0u32..3, 0u32..10), 2..700),
            distinct in prop::sample::select(vec![3u32, 200, 2000]),
            scale in prop::sample::select(vec![0.37f32, 1.0, -1.0, 1000.0]),
            sign in prop::sample::select(vec![1.0f32, -1.0]),
        ) {
            let keys: Vec<f32> = rows.iter().map(|r| match r.0 % distinct {
                _ if r.3 == 0 => f32::NAN,
                0 if r.0 % 2 == 0 => -0.0,
                0 => 0.0,
                v if scale == 0.37 => v as f32 * scale - 5.0,
                v => v as f32 * scale,
            }).collect();
            let class: Vec<u32> = rows.iter().map(|r| class_word(r.1, r.2)).collect();
            // Sort buffers a longer, different column left behind (as a scoring thread's are)
            // give the same result: the sort overwrites every slot it reads.
            let mut buffers = SortBuffers::default();
            let longer: Vec<f32> = keys.iter().chain(&keys).chain(&keys).enumerate()
                .map(|(i, &k)| k * -3.0 + i as f32 * 1e-3).collect();
            point_aucs_in(&longer, &vec![1; longer.len()], 4, 1.0, &mut buffers);
            let (point, missing) = point_aucs_in(&keys, &class, 4, sign, &mut buffers);
            // The reference sees only the rows that take part, oriented by hand.
            let kept: Vec<usize> = (0..rows.len()).filter(|&i| !keys[i].is_nan() && rows[i].2 != EXCLUDED).collect();
            let oriented: Vec<f32> = kept.iter().map(|&i| sign * keys[i]).collect();
            let group: Vec<u16> = kept.iter().map(|&i| rows[i].1).collect();
            let labels: Vec<bool> = kept.iter().map(|&i| rows[i].2 == POSITIVE).collect();
            for (slot, g) in [Some(0u16), Some(1), Some(2), Some(3), None].into_iter().enumerate() {
                let want = reference(&oriented, &group, &labels, g, |_| 1.0);
                let got = point[slot].map_or(f64::NAN, |m| m.auc);
                prop_assert!((got - want).abs() < 1e-12 || (got.is_nan() && want.is_nan()), "group {:?}: {} vs {}", g, got, want);
                let want = delong_reference(&oriented, &group, &labels, g);
                let got = point[slot].map_or(f64::NAN, |m| m.variance);
                prop_assert!((got - want).abs() < 1e-12 || (got.is_nan() && want.is_nan()), "group {:?} variance: {} vs {}", g, got, want);
            }
            let mut want_missing = vec![0u64; 16];
            for (k, &c) in keys.iter().zip(&class) {
                want_missing[c as usize] += u64::from(k.is_nan());
            }
            prop_assert_eq!(missing, want_missing);
        }
    }

    proptest! {
        /// Sorting once for nested sets gives each set what scoring its own rows gives.
        #[test]
        fn nested_sets_equal_each_set_scored_alone(
            rows in prop::collection::vec((0u32..300, 0u16..3, 0u32..3, 0u16..5), 1..400),
            sign in prop::sample::select(vec![1.0f32, -1.0]),
        ) {
            let keys: Vec<f32> = rows.iter().map(|r| if r.0 % 17 == 0 { f32::NAN } else { r.0 as f32 * 0.25 }).collect();
            let class: Vec<u32> = rows.iter().map(|r| class_word(r.1, r.2)).collect();
            let last: Vec<u16> = rows.iter().map(|r| r.3).collect();
            let mut buffers = SortBuffers::default();
            let nested = nested_point_aucs(&keys, &class, &last, 5, 3, sign, &mut buffers);
            prop_assert_eq!(nested.len(), 5);
            for (k, got) in nested.iter().enumerate() {
                let in_set: Vec<usize> = (0..rows.len()).filter(|&i| last[i] as usize >= k).collect();
                let keys_k: Vec<f32> = in_set.iter().map(|&i| keys[i]).collect();
                let class_k: Vec<u32> = in_set.iter().map(|&i| class[i]).collect();
                let alone = point_aucs_in(&keys_k, &class_k, 3, sign, &mut SortBuffers::default());
                prop_assert_eq!(&got.1, &alone.1, "set {}", k);
                prop_assert_eq!(bits(&got.0), bits(&alone.0), "set {}", k);
            }
        }
    }

    #[test]
    fn few_distinct_floats_are_counted_and_many_are_not() {
        let few: Vec<f32> = (0..5000)
            .map(|i| (i % FEW_DISTINCT) as f32 * 0.01)
            .collect();
        let class = vec![1u32; few.len()];
        let counted = |scores: &[f32]| {
            few_distinct_counts(scores.iter().copied(), &class, KINDS, &mut [0; KINDS])
        };
        let (values, counts) = counted(&few).expect("256 values");
        assert_eq!(values.len(), FEW_DISTINCT);
        assert_eq!(counts.iter().sum::<u32>(), 5000);
        let many: Vec<f32> = (0..=FEW_DISTINCT).map(|i| i as f32 * 0.01).collect();
        assert!(counted(&many).is_none());
        let (values, _) = counted(&[-0.0, 0.0, 0.5]).unwrap();
        assert_eq!(values.len(), 2);
    }

    #[test]
    fn non_integers_take_the_sorting_path() {
        assert!(integer_ranks(&[0.5, 1.0]).is_none());
        assert!(integer_ranks(&[0.0, 1e9]).is_none()); // too wide a range to count
        assert_eq!(dense_ranks(&[0.5, -1.0, 0.5, 3.0]), (vec![1, 0, 1, 2], 3));
    }
}
