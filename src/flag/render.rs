//! `flag`'s outputs: the terminal table, `flags.csv` (one row per broken rule), `reps.csv`
//! and `flags.json`.

use std::borrow::Cow;
use std::fmt::Write;

use serde::Serialize;

use crate::columns::{one_line, width};

use super::FlagReport;
use crate::tuning::risk::MIN_RISK_DEALS;

/// Flagged deals shown in the terminal; the files have all of them.
const TERMINAL_ROWS: usize = 25;

#[derive(Default, Serialize)]
struct FlagRow<'a> {
    case_id: &'a str,
    segment: &'a str,
    rep: &'a str,
    created: &'a str,
    #[serde(serialize_with = "super::precision::days")]
    age_days: f64,
    #[serde(serialize_with = "super::precision::opt_share")]
    risk: Option<f64>,
    #[serde(serialize_with = "super::precision::opt_stored")]
    forecast: Option<f64>,
    rule: &'a str,
    indicator: &'a str,
    #[serde(serialize_with = "super::precision::stored")]
    value: f64,
    threshold: f64,
    by_day: u32,
    flagged_at_day: u32,
    #[serde(serialize_with = "super::precision::days")]
    days_overdue: f64,
    /// This rule's risk at the deal's age ([`super::RuleRisk`]; `risk` is the highest over the
    /// deal's rules), its interval, the age whose figure it is (empty: the rule's overall
    /// precision) and the tuning deals behind it.
    #[serde(serialize_with = "super::precision::opt_share")]
    rule_risk: Option<f64>,
    #[serde(serialize_with = "super::precision::opt_share")]
    rule_risk_ci_low: Option<f64>,
    #[serde(serialize_with = "super::precision::opt_share")]
    rule_risk_ci_high: Option<f64>,
    risk_age_days: Option<u32>,
    risk_deals: Option<usize>,
    /// Whether the held-out deals confirmed the rule (empty: the policy records no check).
    rule_confirmed: Option<bool>,
}

/// One row per (flagged deal, broken rule), riskiest deal first.
pub fn flags_csv(r: &FlagReport) -> Vec<u8> {
    let rows: Vec<FlagRow<'_>> = r
        .flagged
        .iter()
        .flat_map(|f| {
            f.reasons.iter().map(move |x| FlagRow {
                case_id: &f.case_id,
                segment: &f.segment,
                rep: &f.rep,
                created: &f.created,
                age_days: f.age_days,
                risk: f.risk,
                forecast: f.forecast,
                rule: &x.rule,
                indicator: &x.indicator,
                value: x.value,
                threshold: x.threshold,
                by_day: x.by_day,
                flagged_at_day: x.flagged_at_day,
                days_overdue: x.days_overdue,
                rule_risk: x.risk.as_ref().map(|r| r.value),
                rule_risk_ci_low: x.risk.as_ref().and_then(|r| r.ci).map(|c| c[0]),
                rule_risk_ci_high: x.risk.as_ref().and_then(|r| r.ci).map(|c| c[1]),
                risk_age_days: x.risk.as_ref().and_then(|r| r.age_days),
                risk_deals: x.risk.as_ref().and_then(|r| r.deals),
                rule_confirmed: x.confirmed,
            })
        })
        .collect();
    crate::export::scores::csv_bytes(&rows)
}

/// One row per rep (typical segments only).
pub fn reps_csv(r: &FlagReport) -> Vec<u8> {
    crate::export::scores::csv_bytes(&r.reps)
}

/// The whole report, for tools.
pub fn json(r: &FlagReport) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(r).expect("a report always serialises");
    v.push(b'\n');
    v
}

/// What the terminal's risk column is, under the table.
const RISK_LEGEND: &str = "risk = share of the tuning deals the same rule flagged and that were \
    still open at the deal's age (the last landmark at or before it) later lost";

/// The terminal view: the riskiest flagged deals with their reasons, then one line per rep.
pub fn table(r: &FlagReport) -> String {
    let pct = |x: Option<f64>| x.map_or("  -  ".to_string(), |v| format!("{:>4.0}%", 100.0 * v));
    // Deals of segments without rules (not in the policy, or in it without one) are never
    // flagged: said, so "231 flagged" is not read against a pipeline mostly out of reach.
    let without_rules = r.open_deals - r.policed_deals - r.review_deals;
    let mut s = format!(
        "As of {}: {} open deals, {} flagged (of {} in segments with rules), {} in review \
         segments (not flagged){}.\n\n",
        r.as_of,
        r.open_deals,
        r.flagged.len(),
        r.policed_deals,
        r.review_deals,
        match without_rules {
            0 => String::new(),
            n => format!(", {n} in segments without rules (never flagged)"),
        }
    );
    // The list reads as "call these deals": say first when its rules failed their check.
    let unconfirmed = r.flagged.iter().filter(|f| f.only_unconfirmed()).count();
    if unconfirmed > 0 {
        let _ = writeln!(
            s,
            "{unconfirmed} of the {} flagged deals break only rules the held-out deals did not \
             confirm (warnings above; rule_confirmed in flags.csv): on past deals such flags were \
             not lost significantly more often than the others, so they may be noise.\n",
            r.flagged.len()
        );
    }
    let shown = &r.flagged[..r.flagged.len().min(TERMINAL_ROWS)];
    let names: Vec<[Cow<str>; 3]> = shown
        .iter()
        .map(|f| [one_line(&f.case_id), one_line(&f.segment), one_line(&f.rep)])
        .collect();
    let id = width(10, names.iter().map(|n| &*n[0]));
    let seg = width(12, names.iter().map(|n| &*n[1]));
    let rep = width(16, names.iter().map(|n| &*n[2]));
    let _ = writeln!(
        s,
        "{:<id$} {:<seg$} {:<rep$} {:>5} {:>5}  {:>8}  reasons (rule: value, days overdue = calendar days since it fired)",
        "deal", "segment", "rep", "age", "risk", "forecast"
    );
    for (f, [case_id, segment, rep_name]) in shown.iter().zip(&names) {
        let reasons: Vec<String> = f
            .reasons
            .iter()
            .map(|x| {
                let value = x
                    .unit
                    .map_or(format!("{:.1}", x.value), |u| u.value_text(x.value, 1));
                // The age whose risk the deal shows, when too few deals stood behind its own.
                let other = x
                    .risk
                    .as_ref()
                    .and_then(|r| Some((r.instead_of?, r.age_days?)))
                    .map_or(String::new(), |(due, used)| {
                        format!(" (risk as at day {used}: too few deals at day {due})")
                    });
                format!("{}: {value}, {:.0} d{other}", x.rule, x.days_overdue)
            })
            .collect();
        let _ = writeln!(
            s,
            "{:<id$} {:<seg$} {:<rep$} {:>5.0} {}{} {:>8}  {}",
            case_id,
            segment,
            rep_name,
            f.age_days,
            pct(f.risk),
            if f.risk_is_thin { "*" } else { " " },
            pct(f.forecast),
            reasons.join("; ")
        );
    }
    if r.flagged.len() > TERMINAL_ROWS {
        let _ = writeln!(
            s,
            "... {} more in flags.csv",
            r.flagged.len() - TERMINAL_ROWS
        );
    }
    if !r.flagged.is_empty() {
        let _ = writeln!(s, "{RISK_LEGEND}");
    }
    if shown.iter().any(|f| f.risk_is_thin) {
        let _ = writeln!(
            s,
            "* fewer than {MIN_RISK_DEALS} tuning deals behind the risk (flags.csv: rule_risk_ci_low/high, \
             risk_deals): listed after the deals whose risk rests on more"
        );
    }
    let reps: Vec<Cow<str>> = r.reps.iter().map(|p| one_line(&p.rep)).collect();
    let rep = width(16, reps.iter().map(|n| &**n));
    let _ = writeln!(
        s,
        "\n{:<rep$} {:>5} {:>8} {:>8} {:>14} {:>17}",
        "rep", "open", "flagged", "on time", "forecast open", "forecast flagged"
    );
    for (p, name) in r.reps.iter().zip(&reps) {
        let _ = writeln!(
            s,
            "{:<rep$} {:>5} {:>8} {:>8} {:>14} {:>17}",
            name,
            p.open_deals,
            p.flagged_deals,
            pct(p.on_time_share),
            pct(p.forecast_open),
            pct(p.forecast_flagged)
        );
    }
    s
}
