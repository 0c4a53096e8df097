//! What a history shows, per segment, in the terms of a scenario file.
//!
//! [`discover`] reads the stage map each segment's deals walked (step order, stage, owner) from
//! the step events of a log. [`Tally`] then counts, per step, the deals that passed it, skipped
//! it or were lost in it, and collects step durations, deadline-clock times, cycle lengths and
//! creation days. The same [`Tally::add`] is applied to the real log and to every re-simulated
//! one, so the calibration compares like with like.
//!
//! Censoring is handled step by step, as in a discrete-time (life-table) hazard: a deal still
//! open at the window end has passed the steps before the one it is in, and that step's fate
//! is unknown, so it counts in no step's denominator from there on.

use std::collections::HashMap;

use crate::calendar::Calendar;
use crate::log::{Deal, Event, Lifecycle, Log, Outcome, Symbols};
use crate::scenario::Owner;
use crate::time::DayNum;

/// A step of a segment's map as seen in the log.
#[derive(Debug, Clone, PartialEq)]
pub struct StepShape {
    pub name: String,
    /// Index into [`SegmentShape::stages`].
    pub stage: usize,
    pub owner: Owner,
}

/// The stage map one segment's deals walked, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentShape {
    pub name: String,
    pub stages: Vec<String>,
    pub steps: Vec<StepShape>,
}

/// Resource names the engine (and the importers) use for the client and outside parties;
/// any other resource of a step event is a rep.
fn owner_of(resource: &str) -> Owner {
    match resource {
        "client" => Owner::Client,
        "external" => Owner::External,
        _ => Owner::Rep,
    }
}

/// Is `e` an event of a stage-map step (its activity is the step's own name)?
fn step_event(e: &Event) -> Option<u32> {
    e.step.get().filter(|&s| s == e.activity)
}

/// The stage maps of the log's segments, in order of first appearance in the deal table.
///
/// Steps are ordered by how many other steps they precede within the same deals (a Copeland
/// ranking: exact when every deal follows one order, robust to a few out-of-order events);
/// a step's stage and owner are the ones its start events carry most often.
pub fn discover(log: &Log) -> Vec<SegmentShape> {
    let sy = &log.symbols;
    let mut segments: Vec<u32> = Vec::new();
    for d in &log.deals {
        if !segments.contains(&d.segment) {
            segments.push(d.segment);
        }
    }
    segments
        .iter()
        .map(|&seg| {
            // step symbol -> (index, first-start order per deal)
            let mut steps: Vec<u32> = Vec::new();
            let mut precedes: HashMap<(u32, u32), usize> = HashMap::new();
            // Per step: ((stage, owner), events) in order of first sight.
            type Votes = Vec<((Option<u32>, Owner), usize)>;
            let mut votes: HashMap<u32, Votes> = HashMap::new();
            for (i, d) in log.deals.iter().enumerate() {
                if d.segment != seg {
                    continue;
                }
                let mut seen: Vec<u32> = Vec::new();
                for e in log.events_of(i) {
                    let Some(s) = step_event(e) else { continue };
                    if !steps.contains(&s) {
                        steps.push(s);
                    }
                    if e.lifecycle == Lifecycle::Start || !seen.contains(&s) {
                        let owner = owner_of(sy.name(e.resource));
                        let v = votes.entry(s).or_default();
                        match v.iter_mut().find(|(k, _)| *k == (e.stage.get(), owner)) {
                            Some((_, n)) => *n += 1,
                            None => v.push(((e.stage.get(), owner), 1)),
                        }
                    }
                    if !seen.contains(&s) {
                        for &p in &seen {
                            *precedes.entry((p, s)).or_default() += 1;
                        }
                        seen.push(s);
                    }
                }
            }
            let wins = |s: u32| {
                steps
                    .iter()
                    .filter(|&&t| {
                        t != s
                            && precedes.get(&(s, t)).copied().unwrap_or(0)
                                > precedes.get(&(t, s)).copied().unwrap_or(0)
                    })
                    .count()
            };
            // Stable: equal rankings keep first-appearance order.
            let mut order = steps.clone();
            order.sort_by_key(|&s| std::cmp::Reverse(wins(s)));
            let mut stages: Vec<String> = Vec::new();
            let steps: Vec<StepShape> = order
                .iter()
                .map(|&s| {
                    // The most frequent (stage, owner); ties go to the first seen.
                    let (stage, owner) = votes[&s]
                        .iter()
                        .fold(
                            None,
                            |best: Option<&((Option<u32>, Owner), usize)>, v| match best {
                                Some(b) if b.1 >= v.1 => Some(b),
                                _ => Some(v),
                            },
                        )
                        .map(|(k, _)| *k)
                        .expect("a step has at least one event");
                    let stage_name = stage.map_or("process", |t| sy.name(t)).to_string();
                    let stage = match stages.iter().position(|x| *x == stage_name) {
                        Some(i) => i,
                        None => {
                            stages.push(stage_name);
                            stages.len() - 1
                        }
                    };
                    StepShape {
                        name: sy.name(s).to_string(),
                        stage,
                        owner,
                    }
                })
                .collect();
            // The engine walks stage by stage: keep each stage's steps together, in order.
            let mut steps: Vec<StepShape> = steps;
            steps.sort_by_key(|s| s.stage);
            SegmentShape {
                name: sy.name(seg).to_string(),
                stages,
                steps,
            }
        })
        .collect()
}

/// Counts for one step of one segment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepTally {
    /// Deals known to have got past the step (done or skipped).
    pub passed: usize,
    /// Deals lost at the step.
    pub lost: usize,
    /// Of `passed`, those that skipped the step. (Whether a deal lost at a step had skipped
    /// it is not known when a log has no start events, so skips are counted among passes:
    /// the engine draws the skip and the loss of a step independently given health.)
    pub skipped: usize,
    /// Working days from the step's start to its completion.
    pub durations: Vec<f64>,
    /// Working days from the previous step's completion (or the creation) to this step's
    /// completion: what a deadline counted from the previous step measures.
    pub clock: Vec<f64>,
}

impl StepTally {
    /// Share of the deals that reached the step and whose fate there is known that were lost
    /// there (discrete-time hazard); `None` when no deal's fate is known.
    pub fn hazard(&self) -> Option<f64> {
        let n = self.passed + self.lost;
        (n > 0).then(|| self.lost as f64 / n as f64)
    }

    /// The step's timing sample and its name: start-to-completion durations when the log
    /// has at least `min` of them, else (a log without start events) the deadline-clock times,
    /// which then include the hand-over from the previous step. `use_clock` forces the
    /// latter, so a re-simulation is measured the way the history was.
    pub fn timing(&self, min: usize, use_clock: bool) -> (&[f64], bool) {
        if use_clock || self.durations.len() < min.min(self.clock.len()) {
            (&self.clock, true)
        } else {
            (&self.durations, false)
        }
    }

    /// Share of the deals that got past the step that skipped it.
    pub fn skip_rate(&self) -> Option<f64> {
        (self.passed > 0).then(|| self.skipped as f64 / self.passed as f64)
    }

    /// The counts behind [`Self::hazard`]: (lost, deals whose fate is known).
    pub fn hazard_counts(&self) -> Option<(usize, usize)> {
        let n = self.passed + self.lost;
        (n > 0).then_some((self.lost, n))
    }

    /// The counts behind [`Self::skip_rate`]: (skipped, passed).
    pub fn skip_counts(&self) -> Option<(usize, usize)> {
        (self.passed > 0).then_some((self.skipped, self.passed))
    }
}

/// Counts for one segment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SegmentTally {
    pub won: usize,
    pub lost: usize,
    pub open: usize,
    /// Calendar days from creation to close, closed deals only, in deal order.
    pub cycles: Vec<f64>,
    pub created: Vec<DayNum>,
    pub values: Vec<f64>,
    pub reps: Vec<String>,
    /// Deals per lead source, in order of first appearance.
    pub sources: Vec<(String, usize)>,
    pub steps: Vec<StepTally>,
}

impl SegmentTally {
    /// Won among closed deals (open deals have no outcome yet).
    pub fn win_rate(&self) -> Option<f64> {
        let closed = self.won + self.lost;
        (closed > 0).then(|| self.won as f64 / closed as f64)
    }

    pub fn deals(&self) -> usize {
        self.won + self.lost + self.open
    }

    fn merge(&mut self, other: SegmentTally) {
        self.won += other.won;
        self.lost += other.lost;
        self.open += other.open;
        self.cycles.extend(other.cycles);
        self.created.extend(other.created);
        self.values.extend(other.values);
        for r in other.reps {
            if !self.reps.contains(&r) {
                self.reps.push(r);
            }
        }
        for (s, n) in other.sources {
            match self.sources.iter_mut().find(|(t, _)| *t == s) {
                Some((_, m)) => *m += n,
                None => self.sources.push((s, n)),
            }
        }
        for (a, b) in self.steps.iter_mut().zip(other.steps) {
            a.passed += b.passed;
            a.lost += b.lost;
            a.skipped += b.skipped;
            a.durations.extend(b.durations);
            a.clock.extend(b.clock);
        }
    }
}

/// Per-segment tallies against fixed segment shapes.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub segments: Vec<SegmentTally>,
}

/// What happened to a deal at one step.
#[derive(Clone, Copy)]
struct Marks {
    start: Option<f64>,
    complete: Option<f64>,
}

impl Tally {
    pub fn new(shapes: &[SegmentShape]) -> Tally {
        Tally {
            segments: shapes
                .iter()
                .map(|s| SegmentTally {
                    steps: vec![StepTally::default(); s.steps.len()],
                    ..SegmentTally::default()
                })
                .collect(),
        }
    }

    /// Adds one deal; deals of segments not in `shapes` and steps not in their map are ignored.
    pub fn add(
        &mut self,
        shapes: &[SegmentShape],
        calendar: &Calendar,
        symbols: &Symbols,
        deal: &Deal,
        events: &[Event],
    ) {
        let seg_name = symbols.name(deal.segment);
        let Some(si) = shapes.iter().position(|s| s.name == seg_name) else {
            return;
        };
        let shape = &shapes[si];
        let t = &mut self.segments[si];
        match deal.outcome {
            Outcome::Won => t.won += 1,
            Outcome::Lost => t.lost += 1,
            Outcome::Open => t.open += 1,
        }
        if let Some(closed) = deal.closed {
            t.cycles.push(closed.days_since(deal.created));
        }
        t.created.push(deal.created.day());
        if deal.value.is_finite() {
            t.values.push(deal.value);
        }
        let rep = symbols.name(deal.rep);
        if !t.reps.iter().any(|r| r == rep) {
            t.reps.push(rep.to_string());
        }
        let source = symbols.name(deal.source);
        match t.sources.iter_mut().find(|(s, _)| s == source) {
            Some((_, n)) => *n += 1,
            None => t.sources.push((source.to_string(), 1)),
        }

        let index = |sym: u32| {
            let name = symbols.name(sym);
            shape.steps.iter().position(|s| s.name == name)
        };
        let mut marks = vec![
            Marks {
                start: None,
                complete: None
            };
            shape.steps.len()
        ];
        let mut furthest: Option<usize> = None;
        for e in events {
            let Some(k) = step_event(e).and_then(index) else {
                continue;
            };
            let w = calendar.working_time(e.time);
            match e.lifecycle {
                Lifecycle::Start => marks[k].start = marks[k].start.or(Some(w)),
                Lifecycle::Complete => marks[k].complete = Some(w),
            }
            furthest = furthest.max(Some(k));
        }
        // How far the deal's fate is known: every step of a won deal; up to the loss step of a
        // lost one (the furthest step seen when the log does not name it); the steps before
        // the one an open deal is in, plus that one if it is done.
        let (known, lost_at) = match deal.outcome {
            Outcome::Won => (shape.steps.len(), None),
            Outcome::Lost => {
                let k = deal.lost_step.and_then(index).or(furthest).unwrap_or(0);
                (k, Some(k))
            }
            Outcome::Open => match furthest {
                Some(k) if marks[k].complete.is_some() => (k + 1, None),
                Some(k) => (k, None),
                None => (0, None),
            },
        };
        let mut clock = calendar.working_time(deal.created);
        for (k, m) in marks.iter().enumerate().take(known.min(shape.steps.len())) {
            let st = &mut t.steps[k];
            st.passed += 1;
            // A step with neither a start nor a completion was skipped (a log may have
            // completions only).
            if m.start.is_none() && m.complete.is_none() {
                st.skipped += 1;
            }
            if let (Some(a), Some(b)) = (m.start, m.complete) {
                st.durations.push(b - a);
            }
            if let Some(b) = m.complete {
                st.clock.push(b - clock);
                clock = b;
            }
        }
        if let Some(k) = lost_at.filter(|&k| k < shape.steps.len()) {
            let st = &mut t.steps[k];
            st.lost += 1;
        }
    }

    /// Appends `other` (tallied against the same shapes) after this one's deals.
    pub fn merge(&mut self, other: Tally) {
        for (a, b) in self.segments.iter_mut().zip(other.segments) {
            a.merge(b);
        }
    }

    /// Tallies a whole log.
    pub fn of_log(shapes: &[SegmentShape], calendar: &Calendar, log: &Log) -> Tally {
        let mut t = Tally::new(shapes);
        for (i, d) in log.deals.iter().enumerate() {
            t.add(shapes, calendar, &log.symbols, d, log.events_of(i));
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::read::parse_timestamp;
    use crate::log::{DealId, Maybe};

    /// Steps `a` (rep, stage `one`) then `b` (client, stage `two`); per deal its outcome, lost
    /// step and step events as (step, lifecycle, "YYYY-MM-DD HH:MM").
    type StepEvent<'a> = (&'a str, Lifecycle, &'a str);

    fn log(deals: &[(Outcome, Option<&str>, &[StepEvent])]) -> Log {
        let mut sy = Symbols::default();
        let (seg, rep, client, src) = (
            sy.intern("s"),
            sy.intern("s-rep-01"),
            sy.intern("client"),
            sy.intern("inbound"),
        );
        let ts = |s: &str| parse_timestamp(s).unwrap();
        let mut log = Log {
            symbols: Symbols::default(),
            deals: Vec::new(),
            case_ids: Vec::new(),
            events: Vec::new(),
            offsets: vec![0],
        };
        for (i, (outcome, lost, events)) in deals.iter().enumerate() {
            for (step, lifecycle, at) in events.iter() {
                let s = sy.intern(step);
                let stage = sy.intern(if *step == "a" { "one" } else { "two" });
                log.events.push(Event {
                    time: ts(at),
                    activity: s,
                    lifecycle: *lifecycle,
                    resource: if *step == "a" { rep } else { client },
                    stage: stage.into(),
                    step: s.into(),
                    card_field: Maybe::NONE,
                    forecast_probability: Maybe::NONE,
                    expected_close: Maybe::NONE,
                });
            }
            log.offsets.push(log.events.len());
            log.case_ids.push(i.to_string());
            log.deals.push(Deal {
                id: DealId(i as u64),
                segment: seg,
                rep,
                source: src,
                value: 1000.0,
                created: ts("2025-03-03 09:00"),
                closed: (*outcome != Outcome::Open).then(|| ts("2025-03-24 09:00")),
                outcome: *outcome,
                lost_stage: None,
                lost_step: lost.map(|s| sy.intern(s)),
            });
        }
        log.symbols = sy;
        log
    }

    #[test]
    fn hazards_skips_and_censoring_by_hand() {
        use Lifecycle::{Complete as C, Start as S};
        // Mon 3 Mar 2025 09:00 is working time 0 from the calendar's first day (3 Mar).
        let a_done: &[StepEvent] = &[("a", S, "2025-03-03 13:30"), ("a", C, "2025-03-05 13:30")];
        let won = [
            a_done.to_vec(),
            vec![("b", S, "2025-03-06 09:00"), ("b", C, "2025-03-10 09:00")],
        ]
        .concat();
        let lost_b = [a_done.to_vec(), vec![("b", S, "2025-03-06 09:00")]].concat();
        let open_in_b = lost_b.clone();
        let log = log(&[
            (Outcome::Won, None, &won),
            (Outcome::Lost, Some("b"), &lost_b),
            (Outcome::Open, None, &open_in_b),
            (Outcome::Lost, Some("a"), &[]), // lost at a without starting it: a skip
            (Outcome::Won, None, a_done),    // won without doing b: b skipped
        ]);
        let shapes = discover(&log);
        assert_eq!(shapes.len(), 1);
        let names: Vec<(&str, usize, Owner)> = shapes[0]
            .steps
            .iter()
            .map(|s| (s.name.as_str(), s.stage, s.owner))
            .collect();
        assert_eq!(names, [("a", 0, Owner::Rep), ("b", 1, Owner::Client)]);
        assert_eq!(shapes[0].stages, ["one", "two"]);

        let rules = crate::scenario::Scenario::embedded_default().calendar;
        let cal = Calendar::new(
            &rules,
            DayNum::from_ymd(2025, 3, 3),
            DayNum::from_ymd(2025, 6, 1),
        );
        let t = Tally::of_log(&shapes, &cal, &log);
        let s = &t.segments[0];
        assert_eq!((s.won, s.lost, s.open), (2, 2, 1));
        assert_eq!(s.win_rate(), Some(0.5));
        assert_eq!(s.cycles, [21.0; 4]);
        let (a, b) = (&s.steps[0], &s.steps[1]);
        // a: passed by deals 1, 2, 3, 5; lost by deal 4 (without a trace, which is not
        // counted as a skip).
        assert_eq!((a.passed, a.lost, a.skipped), (4, 1, 0));
        assert_eq!(a.hazard(), Some(0.2));
        // 13:30 Mon to 13:30 Wed: two working days; the clock runs from creation (09:00 Mon).
        assert_eq!(a.durations, [2.0; 4]);
        assert_eq!(a.clock, [2.5; 4]);
        // b: passed by deals 1 and 5 (5 skipped it), lost by deal 2, deal 3 censored in it.
        assert_eq!((b.passed, b.lost, b.skipped), (2, 1, 1));
        assert_eq!(b.hazard(), Some(1.0 / 3.0));
        assert_eq!(b.skip_rate(), Some(0.5));
        // 09:00 Thu (3.0) to 09:00 Mon (5.0): two working days; from a's completion (Wed
        // 13:30, 2.5) 2.5 working days.
        assert_eq!(b.durations, [2.0]);
        assert_eq!(b.clock, [2.5]);
    }
}
