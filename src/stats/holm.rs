//! Holm's step-down adjustment of p-values for a family of tests.
//!
//! The tuner tests every step of a segment for "lost deals take longer" (about ten tests):
//! at 5% each, a step whose length says nothing passes somewhere in the segment with a
//! chance near 40%, and a deadline would be proposed on noise. Holm (1979) keeps the chance
//! of any such false proposal in the family at 5%, uniformly more powerful than Bonferroni
//! and valid under any dependence between the tests. Checked against
//! `statsmodels.stats.multitest.multipletests(p, method="holm")` in
//! `tests/oracle/holm_cases.json`.

/// The Holm-adjusted p-values of `p`, in its order. NaN (no test) stays NaN and is not in
/// the family. The `k`-th smallest of `m` is multiplied by `m − k` (0-based `k`), the running
/// maximum keeps the adjusted values in the order of the raw ones, and they are capped at 1.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let m = order.len();
    let mut out = vec![f64::NAN; p.len()];
    let mut running = 0.0f64;
    for (k, &i) in order.iter().enumerate() {
        running = running.max(((m - k) as f64 * p[i]).min(1.0));
        out[i] = running;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// By hand: p = (0.01, 0.04, 0.03, 0.005) sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1:
    /// 0.02, 0.03, 0.06, 0.04 → running maximum 0.02, 0.03, 0.06, 0.06. With a NaN beside
    /// 0.02 and 0.6 the family is two: 0.04 and 0.6; 0.6 and 0.7 give 1.2 (capped) and 0.7,
    /// both 1 after the running maximum.
    #[test]
    fn holm_by_hand() {
        let got = holm(&[0.01, 0.04, 0.03, 0.005]);
        let want = [0.03, 0.06, 0.06, 0.02];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-15, "{got:?}");
        }
        // One test: unchanged; NaN left out of the family; capped at 1.
        assert_eq!(holm(&[0.3]), [0.3]);
        let with_nan = holm(&[0.02, f64::NAN, 0.6]);
        assert_eq!((with_nan[0], with_nan[2]), (0.04, 0.6));
        assert!(with_nan[1].is_nan());
        assert_eq!(holm(&[0.6, 0.7]), [1.0, 1.0]);
        assert!(holm(&[]).is_empty());
    }

    /// Never below the raw p-value, monotone in it, invariant to the order of the family.
    #[test]
    fn holm_properties() {
        let p = [0.2, 0.001, 0.049, 0.5, 0.013, 0.049, 1.0, 0.0];
        let h = holm(&p);
        for i in 0..p.len() {
            assert!(h[i] >= p[i] && h[i] <= 1.0);
            for j in 0..p.len() {
                if p[i] <= p[j] {
                    assert!(h[i] <= h[j], "{p:?} → {h:?}");
                }
            }
        }
        let mut rev = p;
        rev.reverse();
        let mut hr = holm(&rev);
        hr.reverse();
        assert_eq!(h, hr);
    }

    #[test]
    fn holm_matches_statsmodels() {
        #[derive(serde::Deserialize)]
        struct Case {
            name: String,
            p: Vec<f64>,
            holm: Vec<f64>,
        }
        #[derive(serde::Deserialize)]
        struct Fixture {
            cases: Vec<Case>,
        }
        let fixture: Fixture =
            serde_json::from_str(include_str!("../../tests/oracle/holm_cases.json")).unwrap();
        assert!(fixture.cases.len() >= 8);
        for c in fixture.cases {
            let got = holm(&c.p);
            for (g, w) in got.iter().zip(&c.holm) {
                assert!(
                    (g - w).abs() <= 1e-15 * w.max(1e-300),
                    "{}: {got:?} vs {:?}",
                    c.name,
                    c.holm
                );
            }
        }
    }
}
