//! One rule applied deal by deal, and its figures with confidence intervals: the bootstrap's
//! over deals, and over reps a cluster-robust interval for each share (the median lead time
//! keeps the bootstrap over reps).
//!
//! The sweep ([`super::sweep`]) scores every candidate at once; this module re-applies a chosen
//! rule to each deal directly (the first landmark at which it flags the deal), which is what
//! the confidence intervals, the holdout figures and their check, and `dealsim flag` need. The two agree
//! exactly (tested), which checks both.

use serde::Serialize;

use super::clock::RuleClock;
use super::sweep::orient;
use crate::indicators::Panel;
use crate::log::Outcome;
use crate::stats::binomial::clopper_pearson;
use crate::stats::bootstrap::{Bootstrap, Cluster, MIN_CLUSTERS};
use crate::stats::cluster_ratio::ClusterRatio;
use crate::stats::first_seen::first_seen_ids;
use crate::stats::fisher::fisher_greater;
use crate::stats::quantile::percentile_interval;

/// "Flag the deal once indicator `indicator` crosses `threshold` by deal age `by_day`"
/// (holidays not counted in the age: [`RuleClock`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Column of the indicator in the panel.
    pub indicator: usize,
    /// Oriented threshold: a deal crosses when `orient(value) ≥ oriented`.
    pub oriented: f32,
    /// Deal age (days, not counting holidays: [`RuleClock`]) by which the rule must fire.
    pub by_day: u32,
}

/// The most landmarks a rule can be tuned or applied at: [`first_flags`] keeps the landmark
/// at which a rule first flags a deal as a `u8` index (a byte a deal, not eight, in the
/// tuner's sweep over millions of deals).
pub const MAX_LANDMARKS: usize = u8::MAX as usize;

/// The oldest deal age (days) a landmark may have: ten years, against sales cycles of months.
/// The rule clock keeps a table per day up to the last landmark, so a hand-edited policy's
/// `landmarks = [7, 3000000000]` would otherwise ask for gigabytes.
pub const MAX_LANDMARK_DAY: u32 = 3650;

/// For every deal of the panel: the landmark index at which `rule` first flags it (the first
/// landmark where the deal is open, its rule age on `clock` is `≤ by_day` and its oriented
/// value is `≥` the threshold).
pub fn first_flags(panel: &Panel, clock: &RuleClock, rule: &Rule) -> Vec<Option<u8>> {
    let dir = panel.indicators[rule.indicator].direction;
    let mut first = vec![None; panel.outcome.len()];
    // Rule ages grow with the landmark, so no later landmark is inside a rule age that an
    // earlier one has passed; holidays may stretch `by_day`, up to the clock's last check.
    let last = clock.last_checked(rule.by_day);
    for (l, at) in panel.at.iter().enumerate().take(last + 1) {
        for (&deal, &v) in at.deals.iter().zip(&at.values[rule.indicator]) {
            let f = &mut first[deal as usize];
            if f.is_none()
                && orient(dir, v) >= rule.oriented
                && clock.checks(deal as usize, l, rule.by_day)
            {
                *f = Some(l as u8);
            }
        }
    }
    first
}

/// A point estimate with its 95% interval: the bootstrap's percentile interval (for a share
/// whose replicates all agree, e.g. a recall of 25 of 25 under the outcome-stratified
/// bootstrap, the exact [`clopper_pearson`] one instead of a point), or for a share measured
/// over reps the cluster-robust one ([`ClusterRatio::share_interval`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    pub value: f64,
    /// `None` without replicates or when the figure is undefined in too many of them; over
    /// reps also at a share of 0 or 1, or with fewer than [`MIN_CLUSTERS`] reps among the
    /// deals it is a share of.
    pub ci: Option<[f64; 2]>,
}

impl Estimate {
    /// `value` with the 95% percentile interval of its `replicates` (NaN where undefined): an
    /// interval only when the figure is defined in at least 95% of them.
    fn percentile(value: f64, replicates: &[f64]) -> Estimate {
        Estimate {
            value,
            ci: percentile_interval(replicates, 0.025),
        }
    }
}

/// Deals on the smaller side of a recall or false-alarm share (flagged or not) below which its
/// interval is Clopper–Pearson's rather than the bootstrap's (see [`figures_on`]): from about
/// 10 expected deals on, the percentile interval covers 93.7–94.6% at n = 603, as close as
/// its discreteness allows (`tests/oracle/binomial_percentile_coverage.py`).
const FEW_FOR_PERCENTILES: usize = 10;

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

/// A median lead time for people, in whole days or halves (`23`, `23.5`; `–` when undefined):
/// a median of whole days is whole or half, so `23.00` claims precision it does not have. A
/// percentile bound interpolated between two replicates' medians (`30.025`) is shown at the
/// nearest value a median can take.
pub fn lead_days_text(x: f64) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    // `+ 0.0` turns a rounded −0 into 0.
    let days = (2.0 * x).round() / 2.0 + 0.0;
    if days.fract() == 0.0 {
        format!("{days:.0}")
    } else {
        format!("{days:.1}")
    }
}

/// Figures of a rule over `members` (deal indices of one segment), given each deal's first
/// flag from [`first_flags`]; `volume` is new deals per rep per week. Confidence intervals
/// come from `replicates` bootstrap replicates of `cluster`s drawn with `seed`
/// ([`Resamples::new`]), except that over reps the shares take the cluster-robust interval
/// of a ratio of rep totals ([`ClusterRatio`]).
pub fn figures(
    panel: &Panel,
    members: &[usize],
    first: &[Option<u8>],
    volume: f64,
    (replicates, cluster): (usize, Cluster),
    seed: u64,
) -> Figures {
    figures_on(
        panel,
        &Resamples::new(panel, members, (replicates, cluster), seed),
        first,
        volume,
    )
}

/// The decided deals among some members and their bootstrap replicates, drawn once for every
/// rule measured on them: rules compared on the same replicates are compared paired, and
/// drawing is the larger part of a rule's intervals.
pub struct Resamples {
    decided: Vec<usize>,
    boot: Option<Bootstrap>,
    /// Over reps (at least [`MIN_CLUSTERS`] among the decided deals): each decided deal's rep,
    /// numbered 0.. in order of first appearance, and the number of reps. The shares'
    /// intervals come from these.
    reps: Option<(Vec<u32>, usize)>,
}

impl Resamples {
    /// `replicates` replicates of `members`' decided deals, drawn with `seed` (none when 0):
    /// deals stratified by outcome (lost / won), or reps with all their decided deals.
    pub fn new(
        panel: &Panel,
        members: &[usize],
        (replicates, cluster): (usize, Cluster),
        seed: u64,
    ) -> Resamples {
        let decided: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| panel.outcome[i] != Outcome::Open)
            .collect();
        // Too few reps to resample: no intervals (the tuner warns).
        let enough = cluster == Cluster::Deal || reps_among(panel, &decided) >= MIN_CLUSTERS;
        let boot = (replicates > 0 && !decided.is_empty() && enough).then(|| match cluster {
            Cluster::Deal => {
                let strata: Vec<u32> = decided
                    .iter()
                    .map(|&i| u32::from(panel.outcome[i] == Outcome::Lost))
                    .collect();
                Bootstrap::new(&strata, replicates, seed)
            }
            Cluster::Rep => {
                let reps: Vec<u64> = decided.iter().map(|&i| panel.deal_rep[i].into()).collect();
                Bootstrap::clustered(&vec![0; reps.len()], &reps, replicates, seed)
            }
        });
        // The shares' intervals over reps need no replicates.
        let reps = (cluster == Cluster::Rep && enough && !decided.is_empty()).then(|| {
            let mut count = 0;
            let ids = first_seen_ids(decided.iter(), |&i| panel.deal_rep[i], |_| count += 1);
            (ids, count)
        });
        Resamples {
            decided,
            boot,
            reps,
        }
    }
}

/// Per rep: lost, flagged lost, won and flagged won deals among `rows` (lost?, flagged?,
/// anything) of the reps numbered `rep` (of `count`).
fn rep_counts<T>(rows: &[(bool, bool, T)], (rep, count): (&[u32], usize)) -> Vec<[f64; 4]> {
    let mut counts = vec![[0.0; 4]; count];
    for (&(lost, flagged, _), &r) in rows.iter().zip(rep) {
        let c = &mut counts[r as usize];
        let at = if lost { 0 } else { 2 };
        c[at] += 1.0;
        c[at + 1] += f64::from(u8::from(flagged));
    }
    counts
}

/// How the figures' intervals were computed, for people: after "Intervals are".
pub fn intervals_text(cluster: Cluster, replicates: usize) -> String {
    match cluster {
        Cluster::Deal => format!(
            "95% bootstrap percentile intervals ({replicates} replicates of the deals, \
             stratified by outcome; a share whose replicates all agree, as 25 of 25 lost deals \
             flagged, the exact Clopper–Pearson one), and for precision, which moves with the \
             lost share the strata hold fixed, the exact Clopper–Pearson interval over the \
             flagged deals"
        ),
        Cluster::Rep => format!(
            "95% intervals over reps: for the shares (recall, false alarms, precision, alerts) \
             from the cluster-robust variance of a ratio of rep totals, on the logit scale with \
             t on K − 1 degrees of freedom, K the reps with deals in the share's denominator \
             (none under 5), and likewise for recall differences on their own scale; for median \
             lead times percentiles of {replicates} bootstrap replicates of reps with all their \
             deals"
        ),
    }
}

/// `ratio` if at least [`MIN_CLUSTERS`] reps have deals it is a ratio over (as the scores'
/// intervals over reps ask).
fn enough_reps(ratio: ClusterRatio) -> Option<ClusterRatio> {
    (ratio.clusters >= MIN_CLUSTERS as u64).then_some(ratio)
}

/// The 95% intervals over reps of recall, false-alarm rate, precision and alerts per rep per
/// week (the flagged share of decided deals × `volume`): each a ratio of rep totals with its
/// cluster-robust variance ([`ClusterRatio`]).
fn share_intervals_over_reps(counts: &[[f64; 4]], volume: f64) -> [Option<[f64; 2]>; 4] {
    let interval = |part: fn(&[f64; 4]) -> (f64, f64)| {
        enough_reps(ClusterRatio::new(counts.iter().map(part)))
            .and_then(|r| r.share_interval(0.025))
    };
    [
        interval(|c| (c[1], c[0])),
        interval(|c| (c[3], c[2])),
        interval(|c| (c[1], c[1] + c[3])),
        interval(|c| (c[1] + c[3], c[0] + c[2])).map(|ci| ci.map(|x| x * volume)),
    ]
}

/// Distinct reps among `deals`.
pub fn reps_among(panel: &Panel, deals: &[usize]) -> usize {
    let reps: std::collections::BTreeSet<u32> = deals.iter().map(|&i| panel.deal_rep[i]).collect();
    reps.len()
}

/// [`figures`] on replicates drawn already.
pub fn figures_on(
    panel: &Panel,
    resamples: &Resamples,
    first: &[Option<u8>],
    volume: f64,
) -> Figures {
    let decided = &resamples.decided;
    // Per decided member: lost?, flagged?, lead (whole days) if flagged and lost.
    let lead = |i: usize| -> Option<usize> {
        let l = first[i]?;
        (panel.outcome[i] == Outcome::Lost).then(|| {
            (panel.close_age[i] - panel.landmarks[l as usize] as f64)
                .floor()
                .max(0.0) as usize
        })
    };
    let bins = decided.iter().filter_map(|&i| lead(i)).max().unwrap_or(0) + 1;
    // Per decided member: lost?, flagged?, lead bin (flagged lost deals only).
    let rows: Vec<(bool, bool, Option<usize>)> = decided
        .iter()
        .map(|&i| {
            (
                panel.outcome[i] == Outcome::Lost,
                first[i].is_some(),
                lead(i),
            )
        })
        .collect();
    let point = Sums::new(1, bins)
        .add_all(&rows, |_| &[1u8][..])
        .stats(0, volume);
    let mut reps: Vec<Vec<f64>> = vec![Vec::new(); 5];
    if let Some(boot) = &resamples.boot {
        let sums = Sums::new(boot.replicates(), bins).add_all(&rows, |m| boot.row(m));
        for b in 0..boot.replicates() {
            for (k, x) in sums.stats(b, volume).into_iter().enumerate() {
                reps[k].push(x);
            }
        }
    }
    let mut est: Vec<Estimate> = (0..5)
        .map(|k| Estimate::percentile(point[k], &reps[k]))
        .collect();
    let lost = decided
        .iter()
        .filter(|&&i| panel.outcome[i] == Outcome::Lost)
        .count();
    let flagged_lost = decided
        .iter()
        .filter(|&&i| panel.outcome[i] == Outcome::Lost && first[i].is_some())
        .count();
    let flagged = decided.iter().filter(|&&i| first[i].is_some()).count();
    let shares = [
        (flagged_lost, lost),
        (flagged - flagged_lost, decided.len() - lost),
    ];
    // A share's replicates stratified by outcome are Binomial(n, x/n) draws, whose percentile
    // interval collapses to a point at x = 0 or n and undercovers near them: at n = 603 its
    // exact coverage is 80% for 3 expected deals and 93% for 6 (2 false alarms of 603 got
    // [0, 0.83%], with a 0 the data rule out). Below FEW_FOR_PERCENTILES deals on either side
    // of the share, the exact binomial interval is given instead.
    for (e, (x, n)) in est.iter_mut().zip(shares) {
        e.ci = e.ci.and_then(|ci| {
            if ci[0] == ci[1] || x.min(n - x) < FEW_FOR_PERCENTILES {
                clopper_pearson(x, n, 0.025)
            } else {
                Some(ci)
            }
        });
    }
    // Precision (the lost share among flagged deals) and the alerts (the flagged share of
    // decided deals × the volume, taken as fixed) both move with the lost share of the deals,
    // which replicates stratified by outcome hold fixed: a rule flagging nearly every deal got
    // a precision interval a tenth as wide as it should be (21% coverage), and one flagging
    // 90% of lost and 10% of won deals an alerts interval 0.6 times as wide (75%). Each
    // flagged deal is lost or not, and each decided deal flagged or not, so the exact binomial
    // intervals over them are the ones to give.
    if resamples.boot.is_some() {
        est[2].ci = clopper_pearson(flagged_lost, flagged, 0.025);
        est[3].ci = clopper_pearson(flagged, decided.len(), 0.025).map(|ci| ci.map(|x| x * volume));
    }
    if let Some((rep, count)) = &resamples.reps {
        let counts = rep_counts(&rows, (rep, *count));
        for (e, ci) in est
            .iter_mut()
            .zip(share_intervals_over_reps(&counts, volume))
        {
            e.ci = ci;
        }
    }
    // A median of whole days is a whole or a half day, and so are its bounds: the percentile
    // interpolates between two replicates' medians (30.025 between 30 and 30.5), a precision
    // that 200 replicates do not have and that policy.toml showed as 30.025000000000006.
    est[4].ci = est[4].ci.map(|ci| ci.map(|x| (x * 2.0).round() / 2.0));
    Figures {
        lost,
        won: decided.len() - lost,
        flagged_lost,
        flagged_won: flagged - flagged_lost,
        recall: est[0],
        false_alarm_rate: est[1],
        precision: est[2],
        alerts_per_rep_week: est[3],
        median_lead_days: est[4],
    }
}

/// A rule's recall on some resampled deals and in each of their replicates, for
/// [`recall_difference`].
pub struct Recalls {
    point: f64,
    replicates: Vec<f64>,
    /// Over reps: per rep, flagged lost and lost deals.
    by_rep: Option<Vec<(f64, f64)>>,
}

impl Recalls {
    /// The recall of the rule flagging `first` on `resamples`.
    pub fn new(panel: &Panel, resamples: &Resamples, first: &[Option<u8>]) -> Recalls {
        let rows: Vec<(bool, bool, Option<usize>)> = resamples
            .decided
            .iter()
            .map(|&i| (panel.outcome[i] == Outcome::Lost, first[i].is_some(), None))
            .collect();
        let point = Sums::new(1, 1).add_all(&rows, |_| &[1u8][..]).stats(0, 1.0)[0];
        let replicates = resamples.boot.as_ref().map_or(Vec::new(), |boot| {
            let sums = Sums::new(boot.replicates(), 1).add_all(&rows, |m| boot.row(m));
            (0..boot.replicates())
                .map(|b| sums.stats(b, 1.0)[0])
                .collect()
        });
        let by_rep = resamples.reps.as_ref().map(|(rep, count)| {
            rep_counts(&rows, (rep, *count))
                .iter()
                .map(|c| (c[1], c[0]))
                .collect()
        });
        Recalls {
            point,
            replicates,
            by_rep,
        }
    }
}

/// Recall of rule `a` minus that of rule `b`, measured on the same resamples, with the 95%
/// percentile interval of the difference over their shared replicates: paired, so the
/// interval is narrower than the two rules' own intervals suggest when the rules flag many
/// of the same deals. Over reps the interval is the cluster-robust one of the difference (a
/// ratio of rep totals, [`ClusterRatio::interval`]), paired the same way.
pub fn recall_difference(a: &Recalls, b: &Recalls) -> Estimate {
    if let Some((a_reps, b_reps)) = a.by_rep.as_ref().zip(b.by_rep.as_ref()) {
        let parts = a_reps.iter().zip(b_reps).map(|(x, y)| (x.0 - y.0, x.1));
        return Estimate {
            value: a.point - b.point,
            ci: enough_reps(ClusterRatio::new(parts)).and_then(|r| r.interval(0.025)),
        };
    }
    let diffs: Vec<f64> = a
        .replicates
        .iter()
        .zip(&b.replicates)
        .map(|(x, y)| x - y)
        .collect();
    Estimate::percentile(a.point - b.point, &diffs)
}

/// Held-out recall minus in-sample recall, each given as (recall, lost deals), and the
/// standard error of that difference from sampling alone (each recall a binomial share of its
/// lost deals, the two samples independent): the unpooled two-proportion z-test's numerator
/// and denominator. `None` when either side has no lost deal, or when the standard error is
/// 0 (both recalls 0 or 1): then sampling gives no yardstick.
///
/// Why: the in-sample interval describes the tuning deals only. Even a rule that generalises
/// perfectly lands its held-out recall outside that interval about 28% of the time with 30%
/// held out, so a reader comparing the two needs the difference's own yardstick.
pub fn recall_shift(in_sample: (f64, usize), holdout: (f64, usize)) -> Option<(f64, f64)> {
    if in_sample.1 == 0 || holdout.1 == 0 {
        return None;
    }
    let var = |(p, lost): (f64, usize)| p * (1.0 - p) / lost as f64;
    let se = (var(in_sample) + var(holdout)).sqrt();
    (se > 0.0).then_some((holdout.0 - in_sample.0, se))
}

/// Below this one-sided p-value the held-out deals confirm a rule: the deals it flagged were
/// lost more often than the others ([`Figures::confirmation_p_value`]).
pub const CONFIRMATION_ALPHA: f64 = 0.05;

/// What a rule the held-out deals do not confirm means for its user.
pub const NOT_CONFIRMED: &str = "among the held-out deals, the ones this rule flagged were not \
     lost significantly more often than the others, so it may fit noise in the tuning deals";

/// "confirmed (p < 0.001)" or "not confirmed (p = 0.519)": how every output words a
/// confirmation p-value.
pub fn confirmation_text(p: f64) -> String {
    format!("{} ({})", verdict(p), p_text(p))
}

/// "confirmed" below [`CONFIRMATION_ALPHA`], "not confirmed" otherwise.
pub fn verdict(p: f64) -> &'static str {
    if p < CONFIRMATION_ALPHA {
        "confirmed"
    } else {
        "not confirmed"
    }
}

/// "p < 0.001" or "p = 0.519".
pub fn p_text(p: f64) -> String {
    let cell = p_cell(p);
    if cell.starts_with('<') {
        format!("p {cell}")
    } else {
        format!("p = {cell}")
    }
}

/// A p-value in a table cell: "< 0.001" or "0.519" (three decimals; smaller values say no
/// more to a reader).
pub fn p_cell(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".to_string()
    } else {
        format!("{p:.3}")
    }
}

impl Figures {
    /// One-sided Fisher exact p-value ([`fisher_greater`]) of "the flagged deals were lost no
    /// more often than the unflagged ones"; `None` without both lost and won deals.
    ///
    /// Meant for the held-out figures: the tuning deals chose the rule among thousands, so
    /// there even a rule fitted to noise looks significant, while the held-out deals had no
    /// say in the choice.
    pub fn confirmation_p_value(&self) -> Option<f64> {
        (self.lost > 0 && self.won > 0).then(|| {
            fisher_greater(
                self.flagged_lost as u64,
                (self.lost - self.flagged_lost) as u64,
                self.flagged_won as u64,
                (self.won - self.flagged_won) as u64,
            )
        })
    }

    /// [`recall_shift`] from these (in-sample) figures to `holdout`'s.
    pub fn recall_shift_to(&self, holdout: &Figures) -> Option<(f64, f64)> {
        let of = |f: &Figures| (f.recall.value, f.lost);
        recall_shift(of(self), of(holdout))
    }
}

/// Weighted counts of every replicate, accumulated deal by deal (each deal's multiplicities
/// are one contiguous row, so the inner loops run over replicates and vectorise).
struct Sums {
    lost: Vec<u64>,
    won: Vec<u64>,
    flagged_lost: Vec<u64>,
    flagged_won: Vec<u64>,
    /// `leads[b * bins + lead]`: weight of flagged lost deals with that lead in replicate b.
    leads: Vec<i64>,
    bins: usize,
}

impl Sums {
    fn new(replicates: usize, bins: usize) -> Sums {
        Sums {
            lost: vec![0; replicates],
            won: vec![0; replicates],
            flagged_lost: vec![0; replicates],
            flagged_won: vec![0; replicates],
            leads: vec![0; replicates * bins],
            bins,
        }
    }

    fn add_all<'a>(
        mut self,
        rows: &[(bool, bool, Option<usize>)],
        weights: impl Fn(usize) -> &'a [u8],
    ) -> Sums {
        let add = |acc: &mut [u64], w: &[u8]| {
            for (a, &w) in acc.iter_mut().zip(w) {
                *a += w as u64;
            }
        };
        for (m, &(lost, flagged, lead)) in rows.iter().enumerate() {
            let w = weights(m);
            match (lost, flagged) {
                (true, true) => {
                    add(&mut self.lost, w);
                    add(&mut self.flagged_lost, w);
                }
                (true, false) => add(&mut self.lost, w),
                (false, true) => {
                    add(&mut self.won, w);
                    add(&mut self.flagged_won, w);
                }
                (false, false) => add(&mut self.won, w),
            }
            if let Some(x) = lead {
                for (b, &w) in w.iter().enumerate() {
                    self.leads[b * self.bins + x] += w as i64;
                }
            }
        }
        self
    }

    /// Recall, false-alarm rate, precision, alerts per rep per week, median lead of
    /// replicate `b`.
    fn stats(&self, b: usize, volume: f64) -> [f64; 5] {
        let (lost, won, fl, fw) = (
            self.lost[b],
            self.won[b],
            self.flagged_lost[b],
            self.flagged_won[b],
        );
        let ratio = |a: u64, n: u64| {
            if n == 0 {
                f64::NAN
            } else {
                a as f64 / n as f64
            }
        };
        let hist = &self.leads[b * self.bins..(b + 1) * self.bins];
        [
            ratio(fl, lost),
            ratio(fw, won),
            ratio(fl, fl + fw),
            ratio(fl + fw, lost + won) * volume,
            super::sweep::histogram_median(hist, fl as i64).unwrap_or(f64::NAN),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_days_read_whole_or_half() {
        assert_eq!(lead_days_text(23.0), "23");
        assert_eq!(lead_days_text(23.5), "23.5");
        assert_eq!(lead_days_text(0.0), "0");
        assert_eq!(lead_days_text(f64::NAN), "–");
        // Percentile bounds interpolated between replicates' medians: the nearest value a
        // median of whole days can take.
        assert_eq!(lead_days_text(30.025000000000006), "30");
        assert_eq!(lead_days_text(29.512500000000003), "29.5");
        assert_eq!(lead_days_text(23.98), "24");
    }

    /// 20 of 100 lost deals flagged in sample, 15 of 50 held out: +0.1, with standard error
    /// √(0.2·0.8/100 + 0.3·0.7/50) = √0.0058.
    #[test]
    fn recall_shift_by_hand() {
        let (d, se) = recall_shift((0.2, 100), (0.3, 50)).unwrap();
        assert!((d - 0.1).abs() < 1e-12);
        assert!((se - 0.0058f64.sqrt()).abs() < 1e-12);
        // Symmetric up to the sign; undefined without lost deals on either side.
        let (d2, se2) = recall_shift((0.3, 50), (0.2, 100)).unwrap();
        assert_eq!((d2, se2), (-d, se));
        assert_eq!(recall_shift((0.0, 0), (0.3, 50)), None);
        assert_eq!(recall_shift((0.0, 40), (1.0, 50)), None);
    }
}
