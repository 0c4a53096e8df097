//! One rule applied deal by deal, and its figures with bootstrap confidence intervals.
//!
//! The sweep ([`super::sweep`]) scores every candidate at once; this module re-applies a chosen
//! rule to each deal directly (the first landmark at which it flags the deal), which is what
//! the confidence intervals, the holdout figures and `dealsim flag` need. The two agree
//! exactly (tested), which checks both.

use serde::Serialize;

use super::sweep::orient;
use crate::indicators::Panel;
use crate::log::Outcome;
use crate::stats::bootstrap::{quantile, Bootstrap};

/// "Flag the deal once indicator `indicator` crosses `threshold` by deal age `by_day`".
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Column of the indicator in the panel.
    pub indicator: usize,
    /// Oriented threshold: a deal crosses when `orient(value) ≥ oriented`.
    pub oriented: f32,
    /// Deal age (days) by which the rule must fire; it is checked at every landmark ≤ this.
    pub by_day: u32,
}

/// For every deal of the panel: the landmark index at which `rule` first flags it (the first
/// landmark `≤ by_day` where the deal is open and its oriented value is `≥` the threshold).
pub fn first_flags(panel: &Panel, rule: &Rule) -> Vec<Option<u8>> {
    let dir = panel.indicators[rule.indicator].direction;
    let mut first = vec![None; panel.outcome.len()];
    for (l, at) in panel.at.iter().enumerate() {
        if panel.landmarks[l] > rule.by_day {
            break;
        }
        for (&deal, &v) in at.deals.iter().zip(&at.values[rule.indicator]) {
            let f = &mut first[deal as usize];
            if f.is_none() && orient(dir, v) >= rule.oriented {
                *f = Some(l as u8);
            }
        }
    }
    first
}

/// A point estimate with its 95% bootstrap percentile interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    pub value: f64,
    /// `None` without replicates or when the figure is undefined in too many of them.
    pub ci: Option<[f64; 2]>,
}

/// What a rule achieves on a set of decided deals (open deals have no known outcome and are
/// left out; see the README's "Tuning" section for the definitions).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub lost: usize,
    pub won: usize,
    pub flagged_lost: usize,
    pub flagged_won: usize,
    /// Share of lost deals flagged before they were lost.
    pub recall: Estimate,
    /// Share of won deals flagged.
    pub false_alarm_rate: Estimate,
    /// Share of flagged decided deals that were lost (NaN if none is flagged).
    pub precision: Estimate,
    /// Flagged share of decided deals × new deals per rep per week in the segment.
    pub alerts_per_rep_week: Estimate,
    /// Median whole days from the first flag to the loss (NaN if no lost deal is flagged).
    pub median_lead_days: Estimate,
}

/// Figures of a rule over `members` (deal indices of one segment), given each deal's first
/// flag from [`first_flags`]; `volume` is new deals per rep per week. Confidence intervals
/// come from `replicates` stratified (lost / won) bootstrap replicates drawn with `seed`.
pub fn figures(
    panel: &Panel,
    members: &[usize],
    first: &[Option<u8>],
    volume: f64,
    replicates: usize,
    seed: u64,
) -> Figures {
    // Decided members, and per member: lost?, flagged?, lead (whole days) if flagged and lost.
    let decided: Vec<usize> = members
        .iter()
        .copied()
        .filter(|&i| panel.outcome[i] != Outcome::Open)
        .collect();
    let lead = |i: usize| -> Option<usize> {
        let l = first[i]?;
        (panel.outcome[i] == Outcome::Lost).then(|| {
            (panel.close_age[i] - panel.landmarks[l as usize] as f64)
                .floor()
                .max(0.0) as usize
        })
    };
    let bins = decided.iter().filter_map(|&i| lead(i)).max().unwrap_or(0) + 1;
    let stats = |w: &dyn Fn(usize) -> u32| -> [f64; 5] {
        let (mut lost, mut won, mut fl, mut fw) = (0u64, 0u64, 0u64, 0u64);
        let mut hist = vec![0i64; bins];
        for (m, &i) in decided.iter().enumerate() {
            let w = w(m) as u64;
            let flagged = first[i].is_some();
            if panel.outcome[i] == Outcome::Lost {
                lost += w;
                fl += w * flagged as u64;
                if let Some(x) = lead(i) {
                    hist[x] += w as i64;
                }
            } else {
                won += w;
                fw += w * flagged as u64;
            }
        }
        let ratio = |a: u64, b: u64| {
            if b == 0 {
                f64::NAN
            } else {
                a as f64 / b as f64
            }
        };
        [
            ratio(fl, lost),
            ratio(fw, won),
            ratio(fl, fl + fw),
            ratio(fl + fw, lost + won) * volume,
            super::sweep::histogram_median(&hist, fl as i64).unwrap_or(f64::NAN),
        ]
    };
    let point = stats(&|_| 1);
    let mut reps: Vec<Vec<f64>> = vec![Vec::with_capacity(replicates); 5];
    if replicates > 0 && !decided.is_empty() {
        let strata: Vec<u32> = decided
            .iter()
            .map(|&i| (panel.outcome[i] == Outcome::Lost) as u32)
            .collect();
        let boot = Bootstrap::new(&strata, replicates, seed);
        for b in 0..replicates {
            let r = stats(&|m| boot.weight(m, b) as u32);
            for (k, x) in r.into_iter().enumerate() {
                reps[k].push(x);
            }
        }
    }
    let est = |k: usize| {
        let value = point[k];
        let n = reps[k].len();
        let mut v = reps[k].clone();
        v.retain(|x| !x.is_nan());
        // An interval only when the figure is defined in at least 95% of the replicates.
        let ci = (n > 0 && v.len() * 20 >= n * 19)
            .then(|| Some([quantile(&mut v, 0.025)?, quantile(&mut v, 0.975)?]))
            .flatten();
        Estimate { value, ci }
    };
    let lost = decided
        .iter()
        .filter(|&&i| panel.outcome[i] == Outcome::Lost)
        .count();
    let flagged_lost = decided
        .iter()
        .filter(|&&i| panel.outcome[i] == Outcome::Lost && first[i].is_some())
        .count();
    let flagged = decided.iter().filter(|&&i| first[i].is_some()).count();
    Figures {
        lost,
        won: decided.len() - lost,
        flagged_lost,
        flagged_won: flagged - flagged_lost,
        recall: est(0),
        false_alarm_rate: est(1),
        precision: est(2),
        alerts_per_rep_week: est(3),
        median_lead_days: est(4),
    }
}
