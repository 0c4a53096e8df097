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

#[derive(Debug, Clone)]
pub struct SegmentMap {
    pub steps: Vec<StepRule>,
    /// Step symbol → index in `steps`.
    pub index: HashMap<Sym, usize>,
    /// Stage symbol → nominal length in calendar days.
    pub stage_norm_days: HashMap<Sym, f64>,
}

/// Stage maps of the log's segments (`None` where the scenario has no such segment) and
/// the working-day calendar deadlines are counted on.
pub struct StageMaps {
    pub by_segment: HashMap<Sym, SegmentMap>,
    pub calendar: Calendar,
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
            let index = steps
                .iter()
                .enumerate()
                .filter(|(_, r)| r.step != super::NO_SYM)
                .map(|(i, r)| (r.step, i))
                .collect();
            let mut stage_norm_days = HashMap::new();
            for (k, stage) in seg.stages.iter().enumerate() {
                let working: f64 = seg
                    .steps
                    .iter()
                    .filter(|st| st.stage == k)
                    .map(|st| st.duration.mean() * seg.pace * (1.0 - st.skip_probability))
                    .sum();
                stage_norm_days.insert(
                    super::sym(&log.symbols, stage),
                    (working * 7.0 / 5.0).max(1.0),
                );
            }
            by_segment.insert(
                seg_sym,
                SegmentMap {
                    steps,
                    index,
                    stage_norm_days,
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
        }
    }
}
