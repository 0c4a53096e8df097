//! The risk of a deal a rule has flagged and that is still open: the rule's precision
//! conditional on what `dealsim flag` knows on its as-of date, by deal age.
//!
//! Why: a rule's precision (share of the deals it flagged that were later lost) describes a
//! flag when it fires. A deal that has stayed open long after its flag is much less likely
//! to be lost: on the default run cut at 2026-02-15 the smb rule's precision was 97%, while
//! the deals it had flagged more than 60 days before were later lost at 25–65%. So at each
//! landmark age `a` the tuner measures, among the decided tuning deals the rule flagged at a
//! landmark `≤ a` (by `min(a, d)` for a rule by day `d`; holidays may stretch a rule's last
//! check past `d`, [`super::clock`]) and still open at age `a` (not closed before `a`), the share
//! later lost, with its exact (Clopper–Pearson) 95% interval. `flag` shows a deal the figure
//! at the last landmark `≤` its age.
//!
//! **Censoring.** Tuning deals are the decided ones among the deals created at least the last
//! landmark's age before the window end ([`super`]): every landmark is observed for them, but
//! a deal still open at the window end has no outcome and is left out. At long ages such
//! deals are a growing part of those still open, so the figure there describes the deals that
//! closed between age `a` and the window end — the slow deals whose outcome came in time —
//! and fewer deals stand behind it; the counts say how many.
//!
//! Not for: choosing rules ([`super::objective`]) or the rule's other figures ([`super::rule`]).

use serde::Serialize;

use crate::indicators::Panel;
use crate::log::Outcome;
use crate::stats::binomial::clopper_pearson;

/// Below this many flagged deals still open at an age, `flag` takes the figure of the
/// nearest age with at least as many: the scoring's default `--min-class`, the fewest deals
/// of a class an AUC is shown on. At 20 deals the 95% Clopper–Pearson interval of a share
/// near ½ is 0.27–0.73, and near 0.9 0.68–0.99: wide, but still a figure that orders deals.
pub const MIN_RISK_DEALS: usize = 20;

/// A rule's risk at one deal age.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskAtAge {
    /// The landmark (deal age, days).
    pub age_days: u32,
    /// Decided tuning deals the rule flagged at a landmark `≤ age_days` that were still open
    /// at that age.
    pub flagged_open: usize,
    /// Of those, the ones later lost.
    pub lost: usize,
    /// `lost / flagged_open` (NaN without any such deal).
    pub risk: f64,
    /// Its 95% Clopper–Pearson interval; `None` without any such deal.
    pub ci: Option<[f64; 2]>,
}

impl RiskAtAge {
    /// The figure for `lost` of `flagged_open` deals at `age_days`.
    pub fn new(age_days: u32, flagged_open: usize, lost: usize) -> RiskAtAge {
        RiskAtAge {
            age_days,
            flagged_open,
            lost,
            risk: if flagged_open == 0 {
                f64::NAN
            } else {
                lost as f64 / flagged_open as f64
            },
            ci: clopper_pearson(lost, flagged_open, 0.025),
        }
    }
}

/// The risk at every landmark of `panel` of the rule that first flags each deal at landmark
/// index `first` ([`super::rule::first_flags`]), over the decided deals among `members`.
pub fn risk_by_age(panel: &Panel, members: &[usize], first: &[Option<u8>]) -> Vec<RiskAtAge> {
    // Per flagged decided member: the landmark index of its flag, its close age, lost?
    let flagged: Vec<(usize, f64, bool)> = members
        .iter()
        .filter(|&&i| panel.outcome[i] != Outcome::Open)
        .filter_map(|&i| {
            let l = usize::from(first[i]?);
            Some((l, panel.close_age[i], panel.outcome[i] == Outcome::Lost))
        })
        .collect();
    panel
        .landmarks
        .iter()
        .enumerate()
        .map(|(a, &age)| {
            // Open at the landmark, as the risk sets count it: not closed before
            // `created + age`.
            let open = flagged
                .iter()
                .filter(|&&(l, close, _)| l <= a && close >= f64::from(age));
            let (n, lost) = open.fold((0, 0), |(n, x), &(_, _, lost)| {
                (n + 1, x + usize::from(lost))
            });
            RiskAtAge::new(age, n, lost)
        })
        .collect()
}
