//! A segment's stage map as the indicators need it: step deadlines and stage norms, resolved
//! against a log's names. Deadlines come from the scenario (simulated logs use the scenario
//! that made them; imported logs pass `--scenario` with their own maps).

use std::collections::HashMap;

use crate::calendar::Calendar;
use crate::log::{Log, Sym};
use crate::scenario::Scenario;
use crate::time::DayNum;

#[derive(Debug, Clone)]
pub struct StepRule {
    pub step: Sym,
    /// SLA in working days.
    pub deadline_days: f64,
    /// Index of the step whose completion starts the clock; `None` = creation.
    pub from: Option<usize>,
}

impl StepRule {
    /// When the step's deadline clock started (working time), `None` while it has not: the
    /// deal's creation, else the first completion of the `from` step. A deal that moved past
    /// that step without completing it (skipped; `furthest` is the furthest step any of its
    /// events reached) starts the clock at the latest completion of the steps up to it, or at
    /// creation without any. `done_w`: each step's first completion (NaN while not done).
    ///
    /// The one definition of the clock: the deadline indicators read it deal by deal, and the
    /// tuner's deadlines from experience ([`crate::tuning::deadlines`]) measure it on closed
    /// deals, so both judge a step late alike.
    pub fn clock_start(
        &self,
        done_w: &[f64],
        furthest: Option<usize>,
        created_w: f64,
    ) -> Option<f64> {
        match self.from {
            None => Some(created_w),
            Some(f) if !done_w[f].is_nan() => Some(done_w[f]),
            Some(f) if furthest.is_some_and(|x| x > f) => Some(
                done_w[..=f]
                    .iter()
                    .copied()
                    .filter(|x| !x.is_nan())
                    .fold(created_w, f64::max),
            ),
            Some(_) => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SegmentMap {
    pub steps: Vec<StepRule>,
    /// Indexed by symbol: the step's index in `steps` (`u16::MAX` if not a step). A dense
    /// table, because it is consulted for every event.
    step_of: Vec<u16>,
    /// Indexed by symbol: the stage's nominal length in calendar days (NaN if not a stage).
    stage_norm: Vec<f32>,
    /// The same in working days.
    stage_norm_working: Vec<f32>,
}

impl SegmentMap {
    /// Index in `steps` of the step named by activity `s`.
    #[inline]
    pub fn step_index(&self, s: Sym) -> Option<usize> {
        self.step_of
            .get(s as usize)
            .filter(|&&j| j != u16::MAX)
            .map(|&j| j as usize)
    }

    /// Nominal length (calendar days: the working days × 7/5, at least 1) of stage `s`.
    #[inline]
    pub fn stage_norm_days(&self, s: Sym) -> Option<f32> {
        Self::norm(&self.stage_norm, s)
    }

    /// Nominal length (working days, at least 1) of stage `s`.
    #[inline]
    pub fn stage_norm_working_days(&self, s: Sym) -> Option<f32> {
        Self::norm(&self.stage_norm_working, s)
    }

    fn norm(table: &[f32], s: Sym) -> Option<f32> {
        table.get(s as usize).copied().filter(|n| !n.is_nan())
    }
}

/// Stage maps of the log's segments (`None` where the scenario has no such segment), the
/// working-day calendar deadlines are counted on, and the size of the scenario's client card:
/// what the indicators read from the scenario.
pub struct StageMaps {
    pub by_segment: HashMap<Sym, SegmentMap>,
    pub calendar: Calendar,
    /// Fields of the scenario's client card (`card.fields`): what card completeness is out of
    /// when its indicator does not say.
    pub card_fields: u32,
}

impl StageMaps {
    pub fn new(scenario: &Scenario, log: &Log) -> StageMaps {
        let mut by_segment = HashMap::new();
        for seg in &scenario.segments {
            let Some(seg_sym) = log.symbols.get(&seg.name) else {
                continue;
            };
            let steps: Vec<StepRule> = seg
                .steps
                .iter()
                .map(|st| StepRule {
                    step: super::sym(&log.symbols, &st.name),
                    deadline_days: st.deadline_days,
                    from: st.deadline_from,
                })
                .collect();
            let n_symbols = log.symbols.len();
            let mut step_of = vec![u16::MAX; n_symbols];
            for (i, r) in steps.iter().enumerate() {
                if let Some(slot) = step_of.get_mut(r.step as usize) {
                    *slot = i as u16;
                }
            }
            let mut stage_norm = vec![f32::NAN; n_symbols];
            let mut stage_norm_working = vec![f32::NAN; n_symbols];
            for (k, stage) in seg.stages.iter().enumerate() {
                let working: f64 = seg
                    .steps
                    .iter()
                    .filter(|st| st.stage == k)
                    .map(|st| st.duration.mean() * seg.pace * (1.0 - st.skip_probability))
                    .sum();
                let at = super::sym(&log.symbols, stage) as usize;
                if let Some(slot) = stage_norm.get_mut(at) {
                    *slot = (working * 7.0 / 5.0).max(1.0) as f32;
                }
                if let Some(slot) = stage_norm_working.get_mut(at) {
                    *slot = working.max(1.0) as f32;
                }
            }
            by_segment.insert(
                seg_sym,
                SegmentMap {
                    steps,
                    step_of,
                    stage_norm,
                    stage_norm_working,
                },
            );
        }
        let first = log
            .deals
            .iter()
            .map(|d| d.created.day())
            .min()
            .unwrap_or(DayNum(0));
        let last = log.last_timestamp().map_or(first, |t| t.day());
        let calendar = Calendar::new(
            &scenario.calendar,
            DayNum(first.0 - 7),
            DayNum(last.0 + 400),
        );
        StageMaps {
            by_segment,
            calendar,
            card_fields: scenario.card.fields.len() as u32,
        }
    }
}
