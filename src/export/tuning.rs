//! Tuning results: `tradeoffs.csv` (candidate rules on each trade-off curve), `deadlines.csv`
//! (step deadlines from experience) and `review.csv` (deals of atypical segments). Each file
//! has its header even when it has no rows.

use serde::Serialize;

use crate::tuning::deadlines::DeadlineRow;
use crate::tuning::Tuning;

pub const POLICY_TOML: &str = "policy.toml";
pub const POLICY_MD: &str = "policy.md";
pub const TRADEOFFS_CSV: &str = "tradeoffs.csv";
pub const DEADLINES_CSV: &str = "deadlines.csv";
pub const REVIEW_CSV: &str = "review.csv";
/// Every file `dealsim tune` writes (with the report's pages, in a run directory).
pub const FILES: [&str; 5] = [
    POLICY_TOML,
    POLICY_MD,
    TRADEOFFS_CSV,
    DEADLINES_CSV,
    REVIEW_CSV,
];

/// The contract with the report: exactly these columns.
pub const TRADEOFFS_HEADER: &str = "segment,indicator,landmark_day,threshold,recall,false_alarm_rate,precision,alerts_per_rep_week,median_lead_days,chosen,indicator_best";
const DEADLINES_HEADER: &str = "segment,step,current_days,won_deals,lost_deals,won_median_days,lost_median_days,current_catch,current_false_alarm,proposed_days,proposed_catch,proposed_false_alarm,separation_p_value,separation_p_holm";
const REVIEW_HEADER: &str = "case_id,segment,rep,created,outcome,value";

fn with_header<T: Serialize>(header: &str, rows: &[T]) -> Vec<u8> {
    let mut out = format!("{header}\n").into_bytes();
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(&mut out);
    for r in rows {
        w.serialize(r).expect("rows of plain fields serialise");
    }
    drop(w);
    out
}

/// One row per rule on each (segment, indicator) recall / false-alarm Pareto frontier, plus
/// the chosen rule if it is not on it.
pub fn tradeoffs_csv(t: &Tuning) -> Vec<u8> {
    with_header(TRADEOFFS_HEADER, &t.tradeoffs)
}

/// One row per (typical segment, step with a deadline), each proposing only a change
/// ([`DeadlineRow::as_written`]).
pub fn deadlines_csv(t: &Tuning) -> Vec<u8> {
    let rows: Vec<DeadlineRow> = t.deadlines.iter().map(DeadlineRow::as_written).collect();
    with_header(DEADLINES_HEADER, &rows)
}

/// Every deal of the review (atypical) segments.
pub fn review_csv(t: &Tuning) -> Vec<u8> {
    with_header(REVIEW_HEADER, &t.review)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Day figures of deadlines.csv are written to 4 decimals: a deadline of 6 × 1.15 days is
    /// 6.9, not 6.8999999999999995; medians likewise, and an absent median stays empty.
    #[test]
    fn deadline_days_are_written_without_float_noise() {
        let d = crate::tuning::deadlines::DeadlineRow {
            segment: "s".into(),
            step: "x".into(),
            current_days: 6.0 * 1.15,
            won_deals: 1,
            lost_deals: 1,
            won_median_days: Some(3.2619444444444525),
            lost_median_days: None,
            current_catch: 0.5,
            current_false_alarm: 0.25,
            proposed_days: 5.0,
            proposed_catch: 0.5,
            proposed_false_alarm: 0.25,
            separation_p_value: 0.5,
            separation_p_holm: 1.0,
        };
        assert_eq!(d.current_days.to_string(), "6.8999999999999995");
        let text = String::from_utf8(with_header(DEADLINES_HEADER, &[d])).unwrap();
        assert_eq!(
            text.lines().nth(1),
            Some("s,x,6.9,1,1,3.2619,,0.5,0.25,5.0,0.5,0.25,0.5,1.0")
        );
    }

    /// The headers are the structs' field names, in order.
    #[test]
    fn headers_match_the_row_types() {
        let header = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
        let row = crate::tuning::TradeoffRow {
            segment: "s".into(),
            indicator: "i".into(),
            landmark_day: 7,
            threshold: 1.5,
            recall: 0.5,
            false_alarm_rate: 0.25,
            precision: 0.8,
            alerts_per_rep_week: 1.0,
            median_lead_days: 30.0,
            chosen: true,
            indicator_best: true,
        };
        assert_eq!(
            header(crate::export::scores::csv_bytes(std::slice::from_ref(&row))),
            format!("{TRADEOFFS_HEADER}\ns,i,7,1.5,0.5,0.25,0.8,1.0,30.0,1,1\n")
        );
        assert_eq!(
            header(with_header(TRADEOFFS_HEADER, &[row])),
            format!("{TRADEOFFS_HEADER}\ns,i,7,1.5,0.5,0.25,0.8,1.0,30.0,1,1\n")
        );
        let d = crate::tuning::deadlines::DeadlineRow {
            segment: "s".into(),
            step: "x".into(),
            current_days: 5.0,
            won_deals: 1,
            lost_deals: 1,
            won_median_days: None,
            lost_median_days: None,
            current_catch: 0.0,
            current_false_alarm: 0.0,
            proposed_days: 1.0,
            proposed_catch: 0.0,
            proposed_false_alarm: 0.0,
            separation_p_value: 1.0,
            separation_p_holm: 1.0,
        };
        let with = header(crate::export::scores::csv_bytes(&[d]));
        assert_eq!(with.lines().next(), Some(DEADLINES_HEADER));
        let r = crate::tuning::ReviewDeal {
            case_id: "1".into(),
            segment: "a".into(),
            rep: "r".into(),
            created: "2025-01-01".into(),
            outcome: "open".into(),
            value: 1.0,
        };
        let with = header(crate::export::scores::csv_bytes(&[r]));
        assert_eq!(with.lines().next(), Some(REVIEW_HEADER));
        assert_eq!(
            header(with_header::<crate::tuning::ReviewDeal>(REVIEW_HEADER, &[])),
            format!("{REVIEW_HEADER}\n")
        );
    }
}
