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

/// The percentile interval (`alpha` in each tail) of bootstrap `replicates`, NaN marking a
/// replicate in which the figure is undefined: `None` unless it is defined in at least 95% of
/// them. The percentiles of the few replicates that happened to keep the figure defined
/// would describe those draws, not the figure.
pub fn percentile_interval(replicates: &[f64], alpha: f64) -> Option<[f64; 2]> {
    let n = replicates.len();
    let defined = replicates.iter().filter(|x| !x.is_nan()).count();
    if n == 0 || defined * 20 < n * 19 {
        return None;
    }
    Some([
        quantile(replicates, alpha)?,
        quantile(replicates, 1.0 - alpha)?,
    ])
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

    #[test]
    fn intervals_need_the_figure_in_95_percent_of_replicates() {
        let mut reps: Vec<f64> = (0..20).map(f64::from).collect();
        assert_eq!(percentile_interval(&reps, 0.25), Some([4.75, 14.25]));
        reps[3] = f64::NAN; // 19 of 20 defined: still an interval, of the 19
        assert_eq!(percentile_interval(&reps, 0.0), Some([0.0, 19.0]));
        reps[4] = f64::NAN; // 18 of 20
        assert_eq!(percentile_interval(&reps, 0.0), None);
        assert_eq!(percentile_interval(&[], 0.025), None);
    }
}
