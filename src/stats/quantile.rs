//! Sample quantiles: one definition for every median and percentile interval dealsim prints.
//!
//! Linear interpolation between order statistics (Hyndman & Fan's type 7: NumPy's default
//! `percentile` and `median`, pandas' `quantile`), so each figure reads the same as the
//! reference scripts that check it. NaN is ignored: a bootstrap replicate in which a figure
//! is undefined does not count towards its interval.

/// The `q`-quantile (0 ≤ q ≤ 1) of `values`, NaN ignored; `None` when no value remains.
pub fn quantile(values: &[f64], q: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let pos = q * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    Some(v[lo] + (v[hi] - v[lo]) * (pos - lo as f64))
}

/// The median (the mean of the two middle values for an even count), NaN ignored; `None`
/// when no value remains.
pub fn median(values: &[f64]) -> Option<f64> {
    quantile(values, 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_numpy_linear() {
        // np.percentile([1, 2, 3, 4], [2.5, 50, 97.5]) = [1.075, 2.5, 3.925]
        let v = [4.0, f64::NAN, 1.0, 3.0, 2.0];
        assert!((quantile(&v, 0.025).unwrap() - 1.075).abs() < 1e-12);
        assert!((quantile(&v, 0.975).unwrap() - 3.925).abs() < 1e-12);
        assert_eq!(median(&v), Some(2.5));
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(quantile(&[0.0, 10.0], 0.75), Some(7.5));
        assert_eq!(quantile(&[5.0], 0.3), Some(5.0));
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[f64::NAN]), None);
    }
}
