//! The area under the ROC curve as the Mann–Whitney statistic.
//!
//! AUC = P(s⁺ > s⁻) + ½ P(s⁺ = s⁻) over (positive, negative) pairs, each pair weighted by the
//! product of its weights: exactly `sklearn.metrics.roc_auc_score(y, s, sample_weight=w)`.

use super::ranked::{dense_ranks, integer_ranks, RankedScores};

/// Weighted AUC of `scores` for `positive` labels; `None` when a class has zero weight.
/// NaN scores are not allowed (callers drop missing values first).
pub fn auc(scores: &[f64], positive: &[bool], weights: Option<&[f64]>) -> Option<f64> {
    assert_eq!(scores.len(), positive.len(), "one label per score");
    match weights {
        Some(w) => {
            let (ranks, groups) = dense_ranks(scores);
            RankedScores::new(ranks, groups, positive.to_vec()).auc(|i| w[i])
        }
        None => match integer_ranks(scores) {
            // Integer-valued scores are counted per value: no sort at all.
            Some((ranks, groups)) => {
                RankedScores::new(ranks, groups, positive.to_vec()).auc(|_| 1.0)
            }
            None => unweighted_auc(scores, positive),
        },
    }
}

/// Without weights, each class is radix-sorted on its own (plain `f64`s: half the memory
/// traffic of sorting (score, index) pairs) and the two sorted lists are merged: every
/// positive counts the negatives below it, and half of those equal to it.
fn unweighted_auc(scores: &[f64], positive: &[bool]) -> Option<f64> {
    let (mut pos, mut neg): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
    for (&s, &p) in scores.iter().zip(positive) {
        if p {
            pos.push(s);
        } else {
            neg.push(s);
        }
    }
    if pos.is_empty() || neg.is_empty() {
        return None;
    }
    radsort::sort(&mut pos);
    radsort::sort(&mut neg);
    let (mut below, mut j, mut sum2) = (0u64, 0usize, 0u64);
    let mut i = 0;
    while i < pos.len() {
        let v = pos[i];
        let run = pos[i..].iter().take_while(|&&x| x == v).count() as u64;
        while j < neg.len() && neg[j] < v {
            j += 1;
            below += 1;
        }
        let equal = neg[j..].iter().take_while(|&&x| x == v).count() as u64;
        sum2 += run * (2 * below + equal);
        i += run as usize;
    }
    Some(sum2 as f64 / (2.0 * pos.len() as f64 * neg.len() as f64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hand_computed_small_cases() {
        // pairs (pos, neg): (0.8, 0.2) win, (0.8, 0.8) tie, (0.4, 0.2) win, (0.4, 0.8) loss
        let s = [0.2, 0.8, 0.8, 0.4];
        let y = [false, false, true, true];
        assert_eq!(auc(&s, &y, None), Some((1.0 + 0.5 + 1.0 + 0.0) / 4.0));
        assert_eq!(auc(&[1.0, 1.0], &[true, false], None), Some(0.5));
        assert_eq!(auc(&[1.0, 2.0], &[true, true], None), None);
        // weight 2 on the losing positive: (2*0 + 1*1) / (3*1)
        assert_eq!(
            auc(
                &[0.1, 0.5, 0.9],
                &[true, false, true],
                Some(&[2.0, 1.0, 1.0])
            ),
            Some(1.0 / 3.0)
        );
    }

    fn case() -> impl Strategy<Value = (Vec<f64>, Vec<bool>)> {
        (2usize..60).prop_flat_map(|n| {
            (
                prop::collection::vec(-5i32..5, n),
                prop::collection::vec(any::<bool>(), n),
            )
                .prop_map(|(s, y)| (s.into_iter().map(f64::from).collect(), y))
        })
    }

    proptest! {
        #[test]
        fn unweighted_paths_agree_with_unit_weights(case in case()) {
            let (s, y) = case;
            let ones = vec![1.0; s.len()];
            let fractional: Vec<f64> = s.iter().map(|x| x / 3.0 + 0.1).collect();
            for scores in [s, fractional] {
                match (auc(&scores, &y, None), auc(&scores, &y, Some(&ones))) {
                    (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-12),
                    (a, b) => prop_assert_eq!(a, b),
                }
            }
        }

        #[test]
        fn negation_reverses(case in case()) {
            let (s, y) = case;
            let neg: Vec<f64> = s.iter().map(|x| -x).collect();
            if let (Some(a), Some(b)) = (auc(&s, &y, None), auc(&neg, &y, None)) {
                prop_assert!((a + b - 1.0).abs() < 1e-12);
            }
        }

        #[test]
        fn invariant_under_monotone_transforms(case in case()) {
            let (s, y) = case;
            let t: Vec<f64> = s.iter().map(|x| (x * 0.7).exp() + 3.0).collect();
            prop_assert_eq!(auc(&s, &y, None), auc(&t, &y, None));
        }

        #[test]
        fn bounded_and_swapping_labels_reverses(case in case()) {
            let (s, y) = case;
            let flipped: Vec<bool> = y.iter().map(|b| !b).collect();
            if let (Some(a), Some(b)) = (auc(&s, &y, None), auc(&s, &flipped, None)) {
                prop_assert!((0.0..=1.0).contains(&a));
                prop_assert!((a + b - 1.0).abs() < 1e-12);
            }
        }

        #[test]
        fn integer_weights_equal_repeated_rows(case in case(), seed in 0u64..1000) {
            let (s, y) = case;
            let w: Vec<f64> = (0..s.len()).map(|i| ((i as u64 * 7 + seed) % 4) as f64).collect();
            let mut rs = Vec::new();
            let mut ry = Vec::new();
            for i in 0..s.len() {
                for _ in 0..w[i] as usize {
                    rs.push(s[i]);
                    ry.push(y[i]);
                }
            }
            let a = auc(&s, &y, Some(&w));
            let b = auc(&rs, &ry, None);
            match (a, b) {
                (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-12),
                (a, b) => prop_assert_eq!(a, b),
            }
        }
    }
}
