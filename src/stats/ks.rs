//! The two-sample Kolmogorov–Smirnov distance: how far apart two empirical distributions are.
//!
//! D = sup_x |F₁(x) − F₂(x)| over the empirical CDFs (right-continuous, so tied values are
//! passed together), the statistic of `scipy.stats.ks_2samp` (checked against it in
//! `tests/oracle/ks_cases.json`). Used to compare real and re-simulated cycle lengths.
//!
//! [`one_sided_p_value`] tests whether one sample is stochastically larger: the step deadlines
//! from experience propose a deadline only where lost deals take significantly longer than
//! won ones.

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

/// P-value of the one-sided two-sample Kolmogorov–Smirnov test: the chance that samples of
/// sizes `n1` and `n2` from one distribution have a one-sided distance
/// `sup_x (F₂(x) − F₁(x)) ≥ d`. Hodges' (1958) refinement of Smirnov's asymptotic
/// `exp(−2 n d²)`, as `scipy.stats.ks_2samp(..., method="asymp")` computes it (checked in
/// `tests/oracle/ks_onesided_cases.json`); 1 when a sample is empty or `d ≤ 0`.
pub fn one_sided_p_value(d: f64, n1: usize, n2: usize) -> f64 {
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
        assert!((one_sided_p_value(0.2, 100, 100) - want).abs() < 1e-15);
        // Hodges' term takes the larger sample as m, whichever side it is on.
        assert_eq!(
            one_sided_p_value(0.3, 40, 90),
            one_sided_p_value(0.3, 90, 40)
        );
        assert!(one_sided_p_value(0.3, 40, 90) < one_sided_p_value(0.2, 40, 90));
        assert_eq!(one_sided_p_value(0.0, 10, 10), 1.0);
        assert_eq!(one_sided_p_value(-0.1, 10, 10), 1.0);
        assert_eq!(one_sided_p_value(0.5, 0, 10), 1.0);
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
