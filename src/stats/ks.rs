//! The two-sample Kolmogorov–Smirnov distance: how far apart two empirical distributions are.
//!
//! D = sup_x |F₁(x) − F₂(x)| over the empirical CDFs (right-continuous, so tied values are
//! passed together), the statistic of `scipy.stats.ks_2samp` (checked against it in
//! `tests/oracle/ks_cases.json`). Used to compare real and re-simulated cycle lengths.
//!
//! [`one_sided_p_value`] tests whether one sample is stochastically larger: the step deadlines
//! from experience propose a deadline only where lost deals take significantly longer than
//! won ones. It is exact for small samples ([`exact_one_sided_p_value`]), where the asymptotic
//! formula is rough (3 lost deals all slower than 3 won ones: 0.018 instead of the exact 1/20;
//! 1 against 1: 0.135 instead of 1/2), and asymptotic for large ones
//! ([`asymptotic_one_sided_p_value`]).

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
/// where p > 1e-6, e.g. 0.0418 against 0.0428 (`tests/oracle/gen_ks_onesided.py` prints the
/// comparison), and the gap shrinks as samples grow.
pub const EXACT_PAIRS: usize = 1_000_000;

/// P-value of the one-sided two-sample Kolmogorov–Smirnov test: the chance that samples of
/// sizes `n1` and `n2` from one distribution have a one-sided distance
/// `sup_x (F₂(x) − F₁(x)) ≥ d`. Exact up to [`EXACT_PAIRS`] pairs, asymptotic above; 1 when a
/// sample is empty or `d ≤ 0`.
pub fn one_sided_p_value(d: f64, n1: usize, n2: usize) -> f64 {
    if n1.saturating_mul(n2) <= EXACT_PAIRS {
        exact_one_sided_p_value(d, n1, n2)
    } else {
        asymptotic_one_sided_p_value(d, n1, n2)
    }
}

/// [`one_sided_p_value`] exactly, as `scipy.stats.ks_2samp(..., method="exact")` computes it
/// (checked in `tests/oracle/ks_onesided_cases.json`): under the null hypothesis the merged
/// order of the two samples is a uniformly random lattice path from (0, 0) to (n2, n1), a step
/// right per sample-2 value and up per sample-1 value, and the distance reaches `d` when the
/// path reaches a point with `i / n2 − j / n1 ≥ d`. The probability of that is summed at the
/// first such point, one lattice point at a time (drawing without replacement: right with
/// probability `(n2 − i) / (n2 − i + n1 − j)`), so it keeps its relative precision when tiny.
/// `d` is first rounded to the lattice (a multiple of `1 / lcm(n1, n2)`), as SciPy does.
pub fn exact_one_sided_p_value(d: f64, n1: usize, n2: usize) -> f64 {
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
    let outside =
        |i: usize, j: usize| (i as i128) * (n1 as i128) - (j as i128) * (n2 as i128) >= bound;
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
        for p in [asymptotic, exact_one_sided_p_value, one_sided_p_value] {
            assert_eq!(p(0.0, 10, 10), 1.0);
            assert_eq!(p(-0.1, 10, 10), 1.0);
            assert_eq!(p(0.5, 0, 10), 1.0);
        }
        // Above EXACT_PAIRS the asymptotic formula answers.
        assert_eq!(
            one_sided_p_value(0.01, 1001, 1000),
            asymptotic(0.01, 1001, 1000)
        );
    }

    #[test]
    fn exact_p_value_by_hand() {
        // All 3 won values before all 3 lost ones: 1 of C(6, 3) = 20 orders.
        assert!((exact_one_sided_p_value(1.0, 3, 3) - 0.05).abs() < 1e-15);
        assert!((one_sided_p_value(1.0, 3, 3) - 0.05).abs() < 1e-15);
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
