//! Fisher's exact test on a 2 × 2 table, one-sided: are the deals a rule flags lost more
//! often than the deals it leaves alone?
//!
//! A tuned rule is the best of thousands of candidates on the tuning deals, so its in-sample
//! figures cannot say whether it found a signal or fitted noise. The held-out deals played no
//! part in the choice: there one test of one table is honest. The table is
//!
//! ```text
//!            flagged   not flagged
//!   lost        a           b
//!   won         c           d
//! ```
//!
//! and the p-value is the chance, with the margins fixed and flags independent of outcomes,
//! of `a` or more flagged lost deals: the hypergeometric upper tail, as
//! `scipy.stats.fisher_exact([[a, b], [c, d]], alternative="greater")` computes it (checked
//! in `tests/oracle/fisher_cases.json`). Small means the flagged deals were lost more often.

/// One-sided (greater) Fisher exact p-value of the table `[[a, b], [c, d]]`; 1 when the
/// margins allow one table only (a row or column is empty).
///
/// The probabilities are built by the ratio recurrence outward from the mode and normalised
/// by their sum, so no factorial is formed: exact to rounding for any table size, and a tail
/// below about 1e-300 of the mode's probability reads 0.
pub fn fisher_greater(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let lost = a + b;
    let flagged = a + c;
    let total = lost + c + d;
    // The support of the flagged-lost count given the margins.
    let lo = (lost + flagged).saturating_sub(total);
    let hi = lost.min(flagged);
    if lo == hi {
        return 1.0;
    }
    let (n, k, m) = (lost as f64, flagged as f64, total as f64);
    // P(x + 1) / P(x) for the hypergeometric count x.
    let up = |x: f64| (k - x) * (n - x) / ((x + 1.0) * (m - k - n + x + 1.0));
    let mode = (((lost + 1) as f64 * (flagged + 1) as f64 / (total + 2) as f64).floor() as u64)
        .clamp(lo, hi);
    // Terms fall monotonically away from the mode: stop where they underflow.
    let (mut sum, mut tail) = (1.0, if a <= mode { 1.0 } else { 0.0 });
    let mut t = 1.0;
    for x in mode..hi {
        t *= up(x as f64);
        if t == 0.0 {
            break;
        }
        sum += t;
        if x + 1 >= a {
            tail += t;
        }
    }
    let mut t = 1.0;
    for x in (lo..mode).rev() {
        t /= up(x as f64);
        if t == 0.0 {
            break;
        }
        sum += t;
        if x >= a {
            tail += t;
        }
    }
    (tail / sum).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_table_by_hand() {
        // [[3, 1], [1, 3]]: 4 lost, 4 flagged of 8. P(X ≥ 3) = (C(4,3)·C(4,1) + C(4,4)) / C(8,4)
        // = (16 + 1) / 70.
        assert!((fisher_greater(3, 1, 1, 3) - 17.0 / 70.0).abs() < 1e-15);
        // P(X ≥ 0) is the whole distribution.
        assert!((fisher_greater(0, 4, 4, 0) - 1.0).abs() < 1e-15);
        // P(X ≥ 4) = 1 / 70.
        assert!((fisher_greater(4, 0, 0, 4) - 1.0 / 70.0).abs() < 1e-15);
    }

    /// SciPy's `fisher_exact(..., alternative="greater")` on 22 tables, from hand-sized ones to
    /// a million deals, p from 1 down to 1e-130 (`tests/oracle/gen_fisher.py`).
    #[test]
    fn matches_scipy() {
        #[derive(serde::Deserialize)]
        struct Case {
            name: String,
            table: [[u64; 2]; 2],
            pvalue: f64,
        }
        #[derive(serde::Deserialize)]
        struct Fixture {
            cases: Vec<Case>,
        }
        let fixture: Fixture =
            serde_json::from_str(include_str!("../../tests/oracle/fisher_cases.json")).unwrap();
        assert_eq!(fixture.cases.len(), 22);
        for c in fixture.cases {
            let [[a, b], [cc, d]] = c.table;
            let p = fisher_greater(a, b, cc, d);
            let err = (p - c.pvalue).abs() / c.pvalue;
            assert!(err < 1e-9, "{}: {p} vs scipy {}", c.name, c.pvalue);
        }
    }

    #[test]
    fn one_possible_table_gives_one() {
        assert_eq!(fisher_greater(5, 0, 3, 0), 1.0); // nothing unflagged
        assert_eq!(fisher_greater(0, 0, 3, 4), 1.0); // no lost deal
        assert_eq!(fisher_greater(0, 0, 0, 0), 1.0);
    }

    #[test]
    fn transposing_the_table_changes_nothing() {
        // Rows and columns play symmetric roles in the hypergeometric count.
        for (a, b, c, d) in [
            (7, 30, 12, 200),
            (0, 5, 9, 1),
            (40, 2, 3, 40),
            (12, 12, 12, 12),
        ] {
            let p = fisher_greater(a, b, c, d);
            let q = fisher_greater(a, c, b, d);
            assert!((p - q).abs() <= 1e-14 * p.max(1e-300), "{p} vs {q}");
        }
    }

    #[test]
    fn more_flagged_lost_deals_give_a_smaller_p() {
        // Moving one flag from a won deal to a lost one keeps the margins' totals and must
        // make the table more extreme.
        let mut last = 1.0 + 1e-12;
        for a in 0..=20u64 {
            let p = fisher_greater(a, 20 - a, 20 - a, 60 + a);
            assert!(
                (0.0..=1.0).contains(&p) && p < last,
                "a = {a}: {p} after {last}"
            );
            last = p;
        }
    }
}
