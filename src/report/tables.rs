//! The descriptive tables behind the report's funnel, cycle-length and market plots, computed
//! from the event log alone (`events.csv` + `deals.csv`, never `truth.csv`), so they work the
//! same on an imported CRM history as on a simulated one.
//!
//! The scoring step writes them next to `scores.csv`; the report only reads them back
//! ([`super::load`]), which is what lets `dealsim report --from DIR` re-render without
//! recomputing. Deals are added one at a time ([`TableBuilder::add`]), so a streaming reader
//! could feed them without holding the whole log.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::export::scores::csv_bytes;
use crate::log::{Deal, Event, Log, Outcome, Sym, Symbols};

/// File names of the tables in a run directory.
pub const FUNNEL_CSV: &str = "funnel.csv";
pub const CYCLE_CSV: &str = "cycle_lengths.csv";
pub const INFLOW_CSV: &str = "inflow.csv";
pub const COHORT_CSV: &str = "cohort_win_rate.csv";
/// Every table of [`ReportTables::files`] (for the check that none of them is an input).
pub const FILES: [&str; 4] = [FUNNEL_CSV, CYCLE_CSV, INFLOW_CSV, COHORT_CSV];

/// Width of a cycle-length histogram bin in calendar days: weekly bins resolve a
/// 3–5 month cycle into about 20 bars.
pub const CYCLE_BIN_DAYS: u32 = 7;

/// One step of a segment's funnel. Steps are ordered by where they usually come in a deal
/// (`order`: mean position among the steps a deal entered), since an imported log has no
/// stage map to say so.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FunnelRow {
    pub segment: String,
    pub order: u32,
    pub stage: String,
    pub step: String,
    /// Deals that started (or were lost at) the step.
    pub entered: u64,
    /// Deals whose recorded loss is at this step.
    pub lost_here: u64,
    /// Deals that entered the step and were eventually won.
    pub won: u64,
    /// Deals that entered the step and are still open at the window end (censored).
    pub open: u64,
}

/// Closed deals per segment, outcome and cycle-length bin `[bin_start, bin_start + CYCLE_BIN_DAYS)` days.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CycleRow {
    pub segment: String,
    pub outcome: String,
    pub bin_start_days: u32,
    pub bin_end_days: u32,
    pub deals: u64,
}

/// Deals created per calendar month (`YYYY-MM`), segment and lead source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InflowRow {
    pub month: String,
    pub segment: String,
    pub source: String,
    pub deals: u64,
}

/// Outcomes of the deals created in a month. `win_rate` is among closed deals only: open
/// deals are censored, not lost, so recent cohorts have few closed deals and wide spread.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CohortRow {
    pub cohort_month: String,
    pub segment: String,
    pub won: u64,
    pub lost: u64,
    pub open: u64,
    pub win_rate: Option<f64>,
}

/// The four tables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportTables {
    pub funnel: Vec<FunnelRow>,
    pub cycles: Vec<CycleRow>,
    pub inflow: Vec<InflowRow>,
    pub cohorts: Vec<CohortRow>,
}

#[derive(Default)]
struct StepTally {
    stage: Option<Sym>,
    entered: u64,
    lost_here: u64,
    won: u64,
    open: u64,
    /// Sum of the step's position among the steps each entering deal went through.
    position_sum: u64,
}

/// Accumulates the tables deal by deal.
#[derive(Default)]
pub struct TableBuilder {
    steps: BTreeMap<(Sym, Sym), StepTally>,
    cycles: BTreeMap<(Sym, &'static str, u32), u64>,
    inflow: BTreeMap<((i32, u32), Sym, Sym), u64>,
    cohorts: BTreeMap<((i32, u32), Sym), [u64; 3]>,
}

impl TableBuilder {
    /// Adds one deal and its events (time-ordered). A step counts as entered when the deal
    /// has an event of that step's own activity (`activity == step`), or was lost there.
    pub fn add(&mut self, deal: &Deal, events: &[Event]) {
        let mut entered: Vec<(Sym, Option<Sym>)> = Vec::new();
        for e in events {
            if let Some(step) = e.step.get().filter(|&s| s == e.activity) {
                if !entered.iter().any(|&(s, _)| s == step) {
                    entered.push((step, e.stage.get()));
                }
            }
        }
        if let Some(step) = deal.lost_step {
            if !entered.iter().any(|&(s, _)| s == step) {
                entered.push((step, deal.lost_stage));
            }
        }
        for (position, &(step, stage)) in entered.iter().enumerate() {
            let t = self.steps.entry((deal.segment, step)).or_default();
            t.stage = t.stage.or(stage);
            t.entered += 1;
            t.position_sum += position as u64;
            match deal.outcome {
                Outcome::Won => t.won += 1,
                Outcome::Open => t.open += 1,
                Outcome::Lost => t.lost_here += u64::from(deal.lost_step == Some(step)),
            }
        }
        if let Some(closed) = deal.closed.filter(|_| deal.outcome != Outcome::Open) {
            let days = closed.days_since(deal.created).max(0.0);
            let bin = (days / CYCLE_BIN_DAYS as f64).floor() as u32 * CYCLE_BIN_DAYS;
            *self
                .cycles
                .entry((deal.segment, deal.outcome.as_str(), bin))
                .or_default() += 1;
        }
        let (y, m, _) = deal.created.day().ymd();
        *self
            .inflow
            .entry(((y, m), deal.segment, deal.source))
            .or_default() += 1;
        let counts = self.cohorts.entry(((y, m), deal.segment)).or_default();
        counts[match deal.outcome {
            Outcome::Won => 0,
            Outcome::Lost => 1,
            Outcome::Open => 2,
        }] += 1;
    }

    /// The finished tables, names resolved through `symbols`, in a fixed order (segment by
    /// name, then step order / outcome / bin / month) so equal logs give identical files.
    pub fn finish(self, symbols: &Symbols) -> ReportTables {
        let name = |s: Sym| symbols.name(s).to_string();
        let month = |(y, m): (i32, u32)| format!("{y:04}-{m:02}");
        let mut funnel: Vec<FunnelRow> = Vec::new();
        let mut by_segment: BTreeMap<String, Vec<(f64, String, &StepTally)>> = BTreeMap::new();
        for (&(seg, step), t) in &self.steps {
            let mean = t.position_sum as f64 / t.entered as f64;
            by_segment
                .entry(name(seg))
                .or_default()
                .push((mean, name(step), t));
        }
        for (segment, mut steps) in by_segment {
            steps.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
            for (order, (_, step, t)) in steps.into_iter().enumerate() {
                funnel.push(FunnelRow {
                    segment: segment.clone(),
                    order: order as u32 + 1,
                    stage: t.stage.map(name).unwrap_or_default(),
                    step,
                    entered: t.entered,
                    lost_here: t.lost_here,
                    won: t.won,
                    open: t.open,
                });
            }
        }
        let mut cycles: Vec<CycleRow> = self
            .cycles
            .iter()
            .map(|(&(seg, outcome, bin), &deals)| CycleRow {
                segment: name(seg),
                outcome: outcome.to_string(),
                bin_start_days: bin,
                bin_end_days: bin + CYCLE_BIN_DAYS,
                deals,
            })
            .collect();
        cycles.sort_by(|a, b| {
            (&a.segment, &a.outcome, a.bin_start_days).cmp(&(
                &b.segment,
                &b.outcome,
                b.bin_start_days,
            ))
        });
        let mut inflow: Vec<InflowRow> = self
            .inflow
            .iter()
            .map(|(&(m, seg, src), &deals)| InflowRow {
                month: month(m),
                segment: name(seg),
                source: name(src),
                deals,
            })
            .collect();
        inflow.sort_by(|a, b| {
            (&a.month, &a.segment, &a.source).cmp(&(&b.month, &b.segment, &b.source))
        });
        let mut cohorts: Vec<CohortRow> = self
            .cohorts
            .iter()
            .map(|(&(m, seg), &[won, lost, open])| CohortRow {
                cohort_month: month(m),
                segment: name(seg),
                won,
                lost,
                open,
                win_rate: (won + lost > 0).then(|| won as f64 / (won + lost) as f64),
            })
            .collect();
        cohorts.sort_by(|a, b| (&a.cohort_month, &a.segment).cmp(&(&b.cohort_month, &b.segment)));
        ReportTables {
            funnel,
            cycles,
            inflow,
            cohorts,
        }
    }
}

impl ReportTables {
    /// The tables of a whole log.
    pub fn from_log(log: &Log) -> ReportTables {
        let mut b = TableBuilder::default();
        for (i, deal) in log.deals.iter().enumerate() {
            b.add(deal, log.events_of(i));
        }
        b.finish(&log.symbols)
    }

    /// The four CSVs, name and bytes, for [`write_files`](crate::output::write_files) with the scores they go with.
    pub fn files(&self) -> [(&'static str, Vec<u8>); 4] {
        [
            (FUNNEL_CSV, csv_bytes(&self.funnel)),
            (CYCLE_CSV, csv_bytes(&self.cycles)),
            (INFLOW_CSV, csv_bytes(&self.inflow)),
            (COHORT_CSV, csv_bytes(&self.cohorts)),
        ]
    }
}
