//! The two-sample Kolmogorov–Smirnov distance: how far apart two empirical distributions are.
//!
//! D = sup_x |F₁(x) − F₂(x)| over the empirical CDFs (right-continuous, so tied values are
//! passed together), the statistic of `scipy.stats.ks_2samp` (checked against it in
//! `tests/oracle/ks_cases.json`). Used to compare real and re-simulated cycle lengths.
//!
//! [`one_sided_p_value`] tests whether one sample is stochastically larger: the step deadlines
//! from experience propose a deadline only where lost deals take significantly longer than
//! won ones. It is exact for small samples ([`exact_tied_one_sided_p_value`]), where the
//! asymptotic formula is rough (3 lost deals all slower than 3 won ones: 0.018 instead of the
//! exact 1/20; 1 against 1: 0.135 instead of 1/2), and asymptotic for large ones
//! ([`asymptotic_one_sided_p_value`]). The exact p-value is conditional on the ties: the
//! deadlines compare whole working days, and the classic exact distribution
//! ([`exact_one_sided_p_value`], which assumes distinct values) is conservative there
//! (0.058 where the permutation test gives 0.042 on a 3,000-deal run).

/// KS distance between samples `a` and `b` (sorted copies are made); `None` if either is empty.
pub fn ks_distance(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.is_empty() || b.is_empty() || a.iter().chain(b).any(|v| v.is_nan()) {
        return None;
    }
    let sorted = |x: &[f64]| {
        let mut v = x.to_vec();
        v.sort_by(f64::total_cmp);
        v
    };
    let (a, b) = (sorted(a), sorted(b));
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j, mut d) = (0usize, 0usize, 0.0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / na - j as f64 / nb).abs());
    }
    Some(d)
}

/// Up to this many pairs (`n1 × n2`), [`one_sided_p_value`] is exact: the path count takes one
/// step per pair. At this size the asymptotic p-value is 2–9% (relative) below the exact one
/// for distinct values where p > 1e-6, e.g. 0.0418 against 0.0428
/// (`tests/oracle/gen_ks_onesided.py` prints the comparison), and the gap shrinks as samples
/// grow. It ignores ties: on 300 × 250 whole days of 1 to 5 (`many_ties` in
/// `tests/oracle/ks_onesided_cases.json`) it reads 1.8e-7 where the exact p-value given the
/// ties is 1.4e-8.
pub const EXACT_PAIRS: usize = 1_000_000;

/// P-value of the one-sided two-sample Kolmogorov–Smirnov test: the chance that samples from
/// one distribution, with the pooled sample's ties as observed, have a one-sided distance
/// `sup_x (F₂(x) − F₁(x)) ≥ d`. `counts` holds, per distinct value in increasing order, how
/// many values of sample 1 and of sample 2 equal it. Exact up to [`EXACT_PAIRS`] pairs
/// ([`exact_tied_one_sided_p_value`]), asymptotic above (which ignores the ties and is then
/// usually conservative); 1 when a sample is empty or `d ≤ 0`.
pub fn one_sided_p_value(d: f64, counts: &[(usize, usize)]) -> f64 {
    let (n1, n2) = sample_sizes(counts);
    if n1.saturating_mul(n2) <= EXACT_PAIRS {
        exact_tied_one_sided_p_value(d, counts)
    } else {
        asymptotic_one_sided_p_value(d, n1, n2)
    }
}

fn sample_sizes(counts: &[(usize, usize)]) -> (usize, usize) {
    counts
        .iter()
        .fold((0, 0), |(n1, n2), &(a, b)| (n1 + a, n2 + b))
}

/// [`one_sided_p_value`] exactly, conditional on the ties: the permutation p-value of the
/// statistic, the share of the `C(n1 + n2, n1)` ways to split the pooled values (tied ones
/// staying tied) into the two samples whose distance reaches `d`: the conditional permutation
/// distribution of the KS statistic with ties (checked against a full enumeration of the
/// splits in `tests/oracle/ks_ties_cases.json`). The empirical CDFs only move at the end of a
/// block of tied values, so the lattice path of [`exact_one_sided_p_value`] counts as reaching
/// `d` only at points where the number of values passed, `i + j`, ends a block; within a block
/// it may cross and come back. Without ties every point ends a block and the two agree to the
/// last bit. With ties it is never larger (it checks fewer points of the same paths).
pub fn exact_tied_one_sided_p_value(d: f64, counts: &[(usize, usize)]) -> f64 {
    let (n1, n2) = sample_sizes(counts);
    let mut ends = vec![false; n1 + n2 + 1];
    let mut passed = 0;
    for &(a, b) in counts {
        passed += a + b;
        ends[passed] = true;
    }
    first_passage(d, n1, n2, |k| ends[k])
}

/// The exact p-value of the one-sided distance `d` for distinct values, as
/// `scipy.stats.ks_2samp(..., method="exact")` computes it (checked in
/// `tests/oracle/ks_onesided_cases.json`): [`exact_tied_one_sided_p_value`] with every value
/// its own block.
pub fn exact_one_sided_p_value(d: f64, n1: usize, n2: usize) -> f64 {
    first_passage(d, n1, n2, |_| true)
}

/// Under the null hypothesis the merged order of the two samples is a uniformly random
/// lattice path from (0, 0) to (n2, n1), a step right per sample-2 value and up per sample-1
/// value, and the distance reaches `d` when the path stands, after `k = i + j` values with
/// `counted(k)`, at a point with `i / n2 − j / n1 ≥ d`. The probability of that is summed at
/// the first such point, one lattice point at a time (drawing without replacement: right with
/// probability `(n2 − i) / (n2 − i + n1 − j)`), so it stays in [0, 1] in f64 whatever the
/// sizes (no path counts, which overflow) and keeps its relative precision when tiny (3e-143
/// at 1000 × 1000). `d` is first rounded to the lattice (a multiple of `1 / lcm(n1, n2)`), as
/// SciPy does.
fn first_passage(d: f64, n1: usize, n2: usize, counted: impl Fn(usize) -> bool) -> f64 {
    if n1 == 0 || n2 == 0 || d <= 0.0 {
        return 1.0;
    }
    let g = gcd(n1, n2);
    let lcm = (n1 / g) as f64 * n2 as f64;
    let h = (d * lcm).round();
    if h <= 0.0 {
        return 1.0;
    }
    // i / n2 − j / n1 ≥ h / lcm  ⟺  i·n1 − j·n2 ≥ h·g.
    let bound = h as i128 * g as i128;
    let outside = |i: usize, j: usize| {
        counted(i + j) && (i as i128) * (n1 as i128) - (j as i128) * (n2 as i128) >= bound
    };
    // row[j]: the chance of standing at (i, j) without having reached the bound before.
    let mut row = vec![0.0f64; n1 + 1];
    row[0] = 1.0;
    let mut reached = 0.0;
    for i in 0..=n2 {
        let mut next = vec![0.0f64; n1 + 1];
        for j in 0..=n1 {
            let here = row[j];
            if here == 0.0 {
                continue;
            }
            let (right, up) = ((n2 - i) as f64, (n1 - j) as f64);
            let total = right + up;
            if total == 0.0 {
                continue;
            }
            if right > 0.0 {
                let p = here * right / total;
                if outside(i + 1, j) {
                    reached += p;
                } else {
                    next[j] += p;
                }
            }
            if up > 0.0 {
                let p = here * up / total;
                if outside(i, j + 1) {
                    reached += p;
                } else {
                    row[j + 1] += p;
                }
            }
        }
        row = next;
    }
    reached.clamp(0.0, 1.0)
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// [`one_sided_p_value`] by Hodges' (1958) refinement of Smirnov's asymptotic
/// `exp(−2 n d²)`, as `scipy.stats.ks_2samp(..., method="asymp")` computes it (checked in
/// `tests/oracle/ks_onesided_cases.json`).
pub fn asymptotic_one_sided_p_value(d: f64, n1: usize, n2: usize) -> f64 {
    if n1 == 0 || n2 == 0 || d <= 0.0 {
        return 1.0;
    }
    // Hodges' correction needs m ≥ n.
    let (m, n) = (n1.max(n2) as f64, n1.min(n2) as f64);
    let z = (m * n / (m + n)).sqrt() * d;
    let exponent = -2.0 * z * z - 2.0 * z * (m + 2.0 * n) / (m * n * (m + n)).sqrt() / 3.0;
    exponent.exp().clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed() {
        // F_a jumps at 1, 2, 3; F_b at 2.5, 4: at x = 2, F_a = 2/3, F_b = 0.
        assert_eq!(ks_distance(&[1.0, 2.0, 3.0], &[2.5, 4.0]), Some(2.0 / 3.0));
        assert_eq!(ks_distance(&[1.0, 2.0], &[2.0, 1.0]), Some(0.0));
        // Ties across samples are passed together: at x = 1, F_a = 1, F_b = 1/2.
        assert_eq!(ks_distance(&[1.0, 1.0], &[1.0, 2.0]), Some(0.5));
        assert_eq!(ks_distance(&[5.0], &[1.0, 2.0]), Some(1.0));
        assert_eq!(ks_distance(&[], &[1.0]), None);
    }

    #[test]
    fn one_sided_p_value_by_hand() {
        // m = n = 100, d = 0.2: z = √50 · 0.2, exponent −2z² − 2z · 300 / √(2·10⁶) / 3.
        let z = 50f64.sqrt() * 0.2;
        let want = (-2.0 * z * z - 2.0 * z * 300.0 / 2e6f64.sqrt() / 3.0).exp();
        let asymptotic = asymptotic_one_sided_p_value;
        assert!((asymptotic(0.2, 100, 100) - want).abs() < 1e-15);
        // Hodges' term takes the larger sample as m, whichever side it is on.
        assert_eq!(asymptotic(0.3, 40, 90), asymptotic(0.3, 90, 40));
        assert!(asymptotic(0.3, 40, 90) < asymptotic(0.2, 40, 90));
        let tied = |d, n1, n2| one_sided_p_value(d, &distinct(n1, n2));
        for p in [asymptotic, exact_one_sided_p_value, tied] {
            assert_eq!(p(0.0, 10, 10), 1.0);
            assert_eq!(p(-0.1, 10, 10), 1.0);
            assert_eq!(p(0.5, 0, 10), 1.0);
        }
        // Above EXACT_PAIRS the asymptotic formula answers.
        assert_eq!(tied(0.01, 1001, 1000), asymptotic(0.01, 1001, 1000));
    }

    /// Counts of `n1` and `n2` distinct values, sample 2's all below sample 1's (the order
    /// does not matter without ties).
    fn distinct(n1: usize, n2: usize) -> Vec<(usize, usize)> {
        let mut counts = vec![(0, 1); n2];
        counts.extend(vec![(1, 0); n1]);
        counts
    }

    #[test]
    fn exact_p_value_by_hand() {
        // All 3 won values before all 3 lost ones: 1 of C(6, 3) = 20 orders.
        assert!((exact_one_sided_p_value(1.0, 3, 3) - 0.05).abs() < 1e-15);
        assert!((one_sided_p_value(1.0, &distinct(3, 3)) - 0.05).abs() < 1e-15);
        // One each: the won value first, half the orders.
        assert!((exact_one_sided_p_value(1.0, 1, 1) - 0.5).abs() < 1e-15);
        // 2 lost, 1 won, d = 1/2: F_won − F_lost ≥ 1/2 once the won value is seen with at
        // most one lost value before it: orders (w l l) and (l w l) reach it, (l l w) does
        // not: 2/3.
        assert!((exact_one_sided_p_value(0.5, 2, 1) - 2.0 / 3.0).abs() < 1e-15);
        // d between lattice points rounds to the nearer one, as SciPy does.
        assert_eq!(
            exact_one_sided_p_value(0.49, 2, 1),
            exact_one_sided_p_value(0.5, 2, 1)
        );
    }

    #[test]
    fn tied_p_value_by_hand() {
        // 3 won deals took 1 day, 3 lost ones 2 days: the blocks keep the one order that
        // separates fully, 1 of C(6, 3) = 20 splits, as without ties.
        let blocks = [(0, 3), (3, 0)];
        assert!((exact_tied_one_sided_p_value(1.0, &blocks) - 0.05).abs() < 1e-15);
        // Won 1, 2, 3 and lost 2, 3, 3 days: counts (lost, won) per day (0, 1), (1, 1),
        // (2, 1); won ahead by one (d = 1/3) after day 1 or day 2. After day 1 (one value) in
        // the 10 splits where that value is won; after day 2 (three values), two of them
        // won, also in 3 splits starting with a lost one: 13/20. Without ties the order within
        // a day counts too and a lead of one after five values adds 2 splits: 15/20.
        let ties = [(0, 1), (1, 1), (2, 1)];
        assert!((exact_tied_one_sided_p_value(1.0 / 3.0, &ties) - 0.65).abs() < 1e-15);
        assert!((exact_one_sided_p_value(1.0 / 3.0, 3, 3) - 0.75).abs() < 1e-15);
        // All values tied: the distance is always 0, so it never reaches any d > 0.
        assert_eq!(exact_tied_one_sided_p_value(0.5, &[(3, 2)]), 0.0);
        assert_eq!(one_sided_p_value(0.0, &[(3, 2)]), 1.0);
    }

    proptest::proptest! {
        /// Each value its own block: exactly the p-value without ties, in whatever order the
        /// two samples' values come. Ties only ever lower it, and coarser ties (merging
        /// neighbouring blocks) lower it further: the distance is checked at a subset of the
        /// same paths' points. Counts `(a, b)` per distinct value; `split` picks which blocks
        /// are broken into distinct values, `merge` which neighbours are merged.
        #[test]
        fn ties_never_raise_the_p_value(
            counts in proptest::collection::vec((0usize..4, 0usize..4), 1..16),
            split in proptest::collection::vec(proptest::bool::ANY, 16),
            merge in proptest::collection::vec(proptest::bool::ANY, 16),
            k in 1usize..=30,
        ) {
            let (n1, n2) = sample_sizes(&counts);
            proptest::prop_assume!(n1 > 0 && n2 > 0);
            let d = k as f64 / 30.0;
            let tied = exact_tied_one_sided_p_value(d, &counts);
            proptest::prop_assert!((0.0..=1.0).contains(&tied));
            let singletons = |a: usize, b: usize, second_first: bool| {
                let (one, two) = (vec![(1, 0); a], vec![(0, 1); b]);
                if second_first { [two, one].concat() } else { [one, two].concat() }
            };
            let untied: Vec<(usize, usize)> = counts
                .iter()
                .zip(&split)
                .flat_map(|(&(a, b), &s)| singletons(a, b, s))
                .collect();
            let classic = exact_one_sided_p_value(d, n1, n2);
            proptest::prop_assert_eq!(exact_tied_one_sided_p_value(d, &untied), classic);
            proptest::prop_assert!(tied <= classic * (1.0 + 1e-12), "{} > {}", tied, classic);
            // Partly split: between the two.
            let finer: Vec<(usize, usize)> = counts
                .iter()
                .zip(&split)
                .flat_map(|(&(a, b), &s)| if s { singletons(a, b, true) } else { vec![(a, b)] })
                .collect();
            let between = exact_tied_one_sided_p_value(d, &finer);
            proptest::prop_assert!(tied <= between * (1.0 + 1e-12), "{} > {}", tied, between);
            proptest::prop_assert!(between <= classic * (1.0 + 1e-12), "{} > {}", between, classic);
            let mut coarser: Vec<(usize, usize)> = vec![counts[0]];
            for (&(a, b), &m) in counts[1..].iter().zip(&merge) {
                let last = coarser.last_mut().expect("not empty");
                if m {
                    *last = (last.0 + a, last.1 + b);
                } else {
                    coarser.push((a, b));
                }
            }
            let merged = exact_tied_one_sided_p_value(d, &coarser);
            proptest::prop_assert!(merged <= tied * (1.0 + 1e-12), "{} > {}", merged, tied);
        }
    }

    proptest::proptest! {
        /// A probability, and no larger for a larger distance.
        #[test]
        fn exact_p_value_is_a_decreasing_probability(n1 in 1usize..40, n2 in 1usize..40, k in 1usize..40) {
            let d = (k as f64 / 40.0).min(1.0);
            let p = exact_one_sided_p_value(d, n1, n2);
            proptest::prop_assert!((0.0..=1.0).contains(&p));
            let further = exact_one_sided_p_value((d + 0.1).min(1.0), n1, n2);
            proptest::prop_assert!(further <= p + 1e-15);
        }
    }

    proptest::proptest! {
        #[test]
        fn symmetric_bounded_and_shift_sensitive(
            a in proptest::collection::vec(-100.0f64..100.0, 1..50),
            b in proptest::collection::vec(-100.0f64..100.0, 1..50),
        ) {
            let d = ks_distance(&a, &b).unwrap();
            proptest::prop_assert!((0.0..=1.0).contains(&d));
            proptest::prop_assert_eq!(d, ks_distance(&b, &a).unwrap());
            // Invariant under a common monotone transform.
            let ea: Vec<f64> = a.iter().map(|v| (v / 50.0).exp()).collect();
            let eb: Vec<f64> = b.iter().map(|v| (v / 50.0).exp()).collect();
            proptest::prop_assert!((d - ks_distance(&ea, &eb).unwrap()).abs() < 1e-12);
            // Disjoint supports are at distance 1.
            let far: Vec<f64> = b.iter().map(|v| v + 1000.0).collect();
            proptest::prop_assert_eq!(ks_distance(&a, &far).unwrap(), 1.0);
        }
    }
}
