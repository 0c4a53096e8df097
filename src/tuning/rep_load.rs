//! The alerts a rep gets from the chosen rules of all segments together.
//!
//! The budget is "alerts per rep per week" within each segment: the segment's flags over its
//! reps. When reps work several segments (a CRM segmented by the client's industry, where
//! every rep sells to every industry), each segment's rule keeps its own budget and a rep's
//! weekly alerts add up over the segments: ten segments at 2 each can send a rep 20. The
//! tuner does not allocate one budget across segments; it says how far the sum goes.

use std::collections::BTreeMap;

use super::{Objective, Tuning};
use crate::indicators::Panel;
use crate::log::{Log, Sym};

/// A rep's load is worth a warning above this many times what the rep gets from its
/// busiest segment alone: small overlaps (a rep covering a colleague's deal) stay quiet.
pub const OVERLOAD: f64 = 1.25;

/// A rep's expected alerts per week from every chosen rule: per segment, the segment's alerts
/// per rep per week times its reps, shared out by the rep's part of the segment's deals.
#[derive(Debug, Clone, PartialEq)]
pub struct RepLoad {
    pub rep: String,
    /// From all segments' rules together.
    pub alerts_per_week: f64,
    /// From the rep's busiest segment alone: what one segment's budget sees of the rep.
    pub from_one_segment: f64,
    /// The segments with a chosen rule the rep has deals in.
    pub segments: Vec<String>,
}

/// The rep with the most alerts per week among those whose segments together give them more
/// than [`OVERLOAD`] times their busiest segment alone (in-sample figures of the chosen
/// rules). A rep with many deals in one segment is not one: the budget is an average over the
/// segment's reps, and that is no sum over segments.
pub fn busiest_rep(log: &Log, panel: &Panel, tuning: &Tuning) -> Option<RepLoad> {
    // Per segment of the panel: the chosen rule's in-sample alerts per rep per week.
    let rate: Vec<Option<f64>> = panel
        .segments
        .iter()
        .map(|name| {
            let plan = tuning.segments.iter().find(|s| &s.segment == name)?;
            Some(plan.chosen.as_ref()?.in_sample.alerts_per_rep_week.value)
                .filter(|a| a.is_finite())
        })
        .collect();
    let n = panel.segments.len();
    let mut deals = vec![0usize; n];
    let mut reps: Vec<BTreeMap<Sym, usize>> = vec![BTreeMap::new(); n];
    for (i, d) in log.deals.iter().enumerate() {
        let s = panel.deal_segment[i] as usize;
        deals[s] += 1;
        *reps[s].entry(d.rep).or_default() += 1;
    }
    // Per rep: the alerts from each segment with a rule, and which segments.
    let mut load: BTreeMap<Sym, Vec<(f64, usize)>> = BTreeMap::new();
    for s in (0..n).filter(|&s| rate[s].is_some()) {
        let per_deal = rate[s].unwrap_or(0.0) * reps[s].len() as f64 / deals[s] as f64;
        for (&rep, &k) in &reps[s] {
            load.entry(rep).or_default().push((per_deal * k as f64, s));
        }
    }
    load.into_iter()
        .map(|(rep, parts)| {
            let total: f64 = parts.iter().map(|p| p.0).sum();
            let one = parts.iter().map(|p| p.0).fold(0.0, f64::max);
            (rep, total, one, parts)
        })
        .filter(|(_, total, one, parts)| parts.len() > 1 && *total > OVERLOAD * one)
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(rep, total, one, parts)| RepLoad {
            rep: log.symbols.name(rep).to_string(),
            alerts_per_week: total,
            from_one_segment: one,
            segments: parts
                .iter()
                .map(|&(_, s)| panel.segments[s].clone())
                .collect(),
        })
}

impl RepLoad {
    /// The warning `tune` prints and `policy.md` lists.
    pub fn warning(&self, objective: &Objective) -> String {
        let (budget, advice) = match objective {
            Objective::Budget {
                alerts_per_rep_week: b,
            } => (
                format!("the budget of {b} alerts per rep per week holds in each segment, not across them"),
                "lower --budget, or segment by something reps own (their region or team) for \
                 one budget per rep"
                    .to_string(),
            ),
            _ => (
                "each segment's alerts per rep per week count that segment's deals only".into(),
                "segment by something reps own (their region or team) to judge a rep's load"
                    .into(),
            ),
        };
        format!(
            "reps work in several segments: {budget}. With every segment's chosen rule, rep {} \
             (deals in {} segments: {}) would get about {:.1} alerts per week, {:.1} of them from \
             the busiest segment (a segment's figure is an average over its reps: one with more \
             deals gets more); {advice}",
            self.rep,
            self.segments.len(),
            self.segments.join(", "),
            self.alerts_per_week,
            self.from_one_segment
        )
    }
}
