//! Tuning results: `tradeoffs.csv` (candidate rules on each trade-off curve), `deadlines.csv`
//! (step deadlines from experience) and `review.csv` (deals of atypical segments).

use super::scores::csv_bytes;
use crate::tuning::Tuning;

pub const POLICY_TOML: &str = "policy.toml";
pub const POLICY_MD: &str = "policy.md";
pub const TRADEOFFS_CSV: &str = "tradeoffs.csv";
pub const DEADLINES_CSV: &str = "deadlines.csv";
pub const REVIEW_CSV: &str = "review.csv";

/// `segment,indicator,landmark_day,threshold,recall,false_alarm_rate,precision,
/// alerts_per_rep_week,median_lead_days,chosen` (the contract with the report).
pub fn tradeoffs_csv(t: &Tuning) -> Vec<u8> {
    csv_bytes(&t.tradeoffs)
}

pub fn deadlines_csv(t: &Tuning) -> Vec<u8> {
    csv_bytes(&t.deadlines)
}

pub fn review_csv(t: &Tuning) -> Vec<u8> {
    csv_bytes(&t.review)
}
