//! The exact (Clopper–Pearson) interval of a binomial share: where a tuned rule's bootstrap
//! interval collapses to a point.
//!
//! A deal-level bootstrap stratified by outcome draws the same number of lost deals in every
//! replicate, so a recall of 25 of 25 is 1 in every replicate and its percentile interval is
//! [1, 1], as if 25 deals proved the rule never misses. The exact interval is the honest
//! statement there: [0.863, 1].

use statrs::distribution::{Beta, ContinuousCDF};

/// The two-sided `1 − 2·tail` Clopper–Pearson interval of `x` successes in `n` trials: the
/// `tail` and `1 − tail` quantiles of Beta(x, n − x + 1) and Beta(x + 1, n − x), with 0 below
/// at `x = 0` and 1 above at `x = n`; `None` for `n = 0`.
pub fn clopper_pearson(x: usize, n: usize, tail: f64) -> Option<[f64; 2]> {
    if n == 0 || x > n {
        return None;
    }
    let quantile = |a: usize, b: usize, p: f64| {
        Beta::new(a as f64, b as f64).map_or(f64::NAN, |d| d.inverse_cdf(p))
    };
    let lo = if x == 0 {
        0.0
    } else {
        quantile(x, n - x + 1, tail)
    };
    let hi = if x == n {
        1.0
    } else {
        quantile(x + 1, n - x, 1.0 - tail)
    };
    Some([lo, hi])
}

#[cfg(test)]
mod tests {
    use super::clopper_pearson;

    /// Against `scipy.stats.beta.ppf` (SciPy 1.17.1): `beta.ppf(0.025, x, n − x + 1)` and
    /// `beta.ppf(0.975, x + 1, n − x)`; at the ends the closed forms `0.025^(1/n)` and
    /// `1 − 0.025^(1/n)`.
    #[test]
    fn clopper_pearson_matches_scipy() {
        let cases = [
            ((25, 25), [0.8628148284692875, 1.0]),
            ((0, 10), [0.0, 0.3084971078187607]),
            ((5, 6), [0.35876542100232517, 0.9957892554855106]),
            ((1, 1), [0.025, 1.0]),
            ((3, 40), [0.01574217985104153, 0.20386474873289895]),
        ];
        for ((x, n), want) in cases {
            let got = clopper_pearson(x, n, 0.025).expect("an interval");
            for k in 0..2 {
                assert!(
                    (got[k] - want[k]).abs() < 1e-9,
                    "{x}/{n}: {got:?} vs {want:?}"
                );
            }
        }
        assert!((0.025f64.powf(1.0 / 25.0) - 0.8628148284692875).abs() < 1e-12);
        assert_eq!(clopper_pearson(0, 0, 0.025), None);
    }
}
