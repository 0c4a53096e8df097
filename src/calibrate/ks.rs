//! The two-sample Kolmogorov–Smirnov distance: how far apart two empirical distributions are.
//!
//! D = sup_x |F₁(x) − F₂(x)| over the empirical CDFs (right-continuous, so tied values are
//! passed together), the statistic of `scipy.stats.ks_2samp` (checked against it in
//! `tests/oracle/ks_cases.json`). Used to compare real and re-simulated cycle lengths.

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
