//! Evaluating indicators at landmark ages: one pass over each deal's events for all landmarks.
//!
//! For landmark age `d` the cut is `t = created + d days`; events with `time < t` are folded
//! into per-deal state, then every indicator reads its value at `t`. A deal contributes a row
//! at `d` only while it is in the risk set: observable (`t ≤ window end`) and not closed before
//! `t` (`closed ≥ t`: what happens at `t` itself is not yet known, see [`evaluate`]). The result is a column store ([`Panel`]): per landmark, the row deals and
//! one `f32` column per indicator — what the scoring core sorts once and reweights.

use rayon::prelude::*;

use super::spec::{Attribute, Measure};
use super::stage_map::{SegmentMap, StageMaps};
use super::{sym, IndicatorInfo, IndicatorSpec, TRUTH_INDICATOR};
use crate::calendar::{Calendar, WORKDAY_SECONDS};
use crate::log::{Deal, Event, Lifecycle, Log, Outcome, Sym};
use crate::time::{DayNum, Timestamp, SECONDS_PER_DAY};

/// Indicator values of the deals at risk, per landmark.
#[derive(Debug, Clone, Default)]
pub struct LandmarkRows {
    /// Deal indices (rows of the log), ascending.
    pub deals: Vec<u32>,
    /// `values[indicator][row]`; NaN = missing (e.g. no stage map for the segment). 32-bit:
    /// half the memory and sort traffic of f64 at a million deals, at 7 significant digits
    /// (deal values above 2²⁴ that differ by less than 1 part in 10⁷ tie; README).
    pub values: Vec<Vec<f32>>,
}

/// Everything the scoring core needs, in columns.
#[derive(Debug, Clone)]
pub struct Panel {
    pub indicators: Vec<IndicatorInfo>,
    pub landmarks: Vec<u32>,
    pub segments: Vec<String>,
    pub deal_segment: Vec<u16>,
    /// The deal's rep (a symbol of the log): the clusters of a rep-level bootstrap
    /// ([`crate::stats::bootstrap::Cluster::Rep`]).
    pub deal_rep: Vec<u32>,
    pub outcome: Vec<Outcome>,
    /// Days from creation to close (NaN while open).
    pub close_age: Vec<f64>,
    /// Days from creation to the end of the observation window.
    pub window_age: Vec<f64>,
    pub at: Vec<LandmarkRows>,
}

#[derive(Debug, Clone)]
enum Compiled {
    Count {
        activities: Vec<Sym>,
        resource: Option<Sym>,
    },
    StepDone(Sym),
    DaysSinceLast {
        activities: Vec<Sym>,
        resource: Option<Sym>,
        /// Count on the working-day calendar (see [`Measure::DaysSinceLast`]).
        working: bool,
    },
    DaysBetween {
        from: Option<Sym>,
        to: Sym,
        /// Count on the working-day calendar (see [`Measure::DaysBetween`]).
        working: bool,
    },
    StepDuration(Sym),
    StepWait(Sym),
    OverdueSteps,
    OnTimeRatio,
    StageAgeVsNorm {
        /// Count on the working-day calendar (see [`Measure::StageAgeVsNorm`]).
        working: bool,
    },
    ReplyLatency {
        touches: Vec<Sym>,
        reply: Sym,
        /// Count on the working-day calendar (see [`Measure::ReplyLatency`]).
        working: bool,
    },
    CloseDatePushes,
    LastForecast,
    CardCompleteness(f32),
    DealValue,
    PriorWinRate(Box<super::history::History>),
    Truth,
}

fn compile(spec: &IndicatorSpec, log: &Log, maps: &StageMaps) -> Compiled {
    let sy = &log.symbols;
    let syms = |v: &[String]| v.iter().map(|n| sym(sy, n)).collect::<Vec<_>>();
    match &spec.measure {
        Measure::Count {
            activities,
            resource,
        } => Compiled::Count {
            activities: syms(activities),
            resource: resource.as_deref().map(|r| sym(sy, r)),
        },
        Measure::StepDone { step } => Compiled::StepDone(sym(sy, step)),
        Measure::DaysSinceLast {
            activities,
            resource,
            working_days,
        } => Compiled::DaysSinceLast {
            activities: syms(activities),
            resource: resource.as_deref().map(|r| sym(sy, r)),
            working: *working_days,
        },
        Measure::DaysBetween {
            from,
            to,
            working_days,
        } => Compiled::DaysBetween {
            from: (from != "created").then(|| sym(sy, from)),
            to: sym(sy, to),
            working: *working_days,
        },
        Measure::StepDuration { step } => Compiled::StepDuration(sym(sy, step)),
        Measure::StepWait { step } => Compiled::StepWait(sym(sy, step)),
        Measure::OverdueSteps {} => Compiled::OverdueSteps,
        Measure::OnTimeRatio {} => Compiled::OnTimeRatio,
        Measure::StageAgeVsNorm { working_days } => Compiled::StageAgeVsNorm {
            working: *working_days,
        },
        Measure::ReplyLatency {
            touches,
            reply,
            working_days,
        } => Compiled::ReplyLatency {
            touches: syms(touches),
            reply: sym(sy, reply),
            working: *working_days,
        },
        Measure::CloseDatePushes {} => Compiled::CloseDatePushes,
        Measure::LastValue {
            attribute: Attribute::ForecastProbability,
        } => Compiled::LastForecast,
        Measure::CardCompleteness { out_of } => {
            Compiled::CardCompleteness(out_of.unwrap_or(maps.card_fields) as f32)
        }
        Measure::DealValue {} => Compiled::DealValue,
        Measure::PriorWinRate { by, min_closed } => Compiled::PriorWinRate(Box::new(
            super::history::History::new(log, *by, *min_closed),
        )),
    }
}

const NONE: i64 = i64::MIN;

/// Per-indicator running state (fields are used differently by each primitive).
#[derive(Debug, Clone, Copy)]
struct Acc {
    count: u32,
    /// Last matching event / step start / first unanswered touch.
    a: i64,
    /// Step completion.
    b: i64,
    /// Working time of `a` and `b` (NaN until set), kept only by primitives that count working
    /// days: converted once when the event is folded in, so that a landmark only subtracts.
    a_w: f64,
    b_w: f64,
    /// Working seconds of `a` ([`Calendar::working_seconds`]) for the primitives that count
    /// working days by the second, and the `a` they were converted from.
    a_ws: i64,
    a_ws_of: i64,
    sum: f64,
    n: u32,
}

impl Acc {
    /// A counted event, if its resource `matches`. Whether it matches is data, not a pattern:
    /// arithmetic and a select, no branch to mispredict.
    #[inline]
    fn count_if(&mut self, matches: bool) {
        self.count += u32::from(matches);
    }

    /// The time `t` of a remembered event, if its resource `matches` (a select, as above).
    #[inline]
    fn remember_if(&mut self, matches: bool, t: i64) {
        self.a = if matches { t } else { self.a };
    }

    /// Working seconds of the remembered `a` (set), converted once however many landmarks
    /// and replies read it: a silent deal keeps its last event for many landmarks.
    #[inline]
    fn a_working_seconds(&mut self, calendar: &Calendar) -> i64 {
        if self.a_ws_of != self.a {
            self.a_ws = calendar.working_seconds(Timestamp(self.a));
            self.a_ws_of = self.a;
        }
        self.a_ws
    }
}

const EMPTY: Acc = Acc {
    count: 0,
    a: NONE,
    b: NONE,
    a_w: f64::NAN,
    b_w: f64::NAN,
    a_ws: 0,
    a_ws_of: NONE,
    sum: 0.0,
    n: 0,
};

/// State shared by all indicators of one deal.
#[derive(Default)]
struct Shared {
    done_w: Vec<f64>,
    furthest: Option<usize>,
    /// Per step whose clock has started: (deadline, done by it), for [`Shared::deadlines`].
    /// Rebuilt only when a step completes or the deal moves further, which most landmarks
    /// do not see: between rebuilds a landmark only compares deadlines with its `now`.
    book: Vec<(f64, bool)>,
    book_stale: bool,
    stage: Option<Sym>,
    stage_entered: i64,
    cards: Vec<Sym>,
    forecast: f32,
    pushes: u32,
    last_close: Option<DayNum>,
}

/// What an event does to one indicator's running state. Resolved per activity when the
/// indicators are compiled, so that the event loop runs a short list of these without
/// checking activity lists again.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Action {
    /// Count the event if its resource matches.
    Count { resource: Option<Sym> },
    /// Remember the event's time if its resource matches.
    Last { resource: Option<Sym> },
    /// The first start and the first completion of a step.
    Step,
    /// The first completion of the step a span starts from ...
    SpanFrom { working: bool },
    /// ... and of the step it ends with.
    SpanTo { working: bool },
    /// A touch that waits for the client's reply.
    Touch,
    /// The client's reply to the first waiting touch; `working`: its wait in working days.
    Reply { working: bool },
}

/// Which indicators react to an event, and how, by activity: most events concern 2–3.
struct Dispatch {
    /// (indicator, action) per activity symbol.
    by_activity: Vec<Vec<(u16, Action)>>,
    /// Indicators that count, or remember the time of, events of every activity (no activity
    /// filter), with their resource filters: run for every event in loops of their own,
    /// rather than added to every activity's list, where each would cost a dispatch per event.
    count_any: Vec<(u16, Option<Sym>)>,
    last_any: Vec<(u16, Option<Sym>)>,
}

impl Dispatch {
    fn new(ind: &[Compiled], n_symbols: usize) -> Dispatch {
        let (mut count_any, mut last_any) = (Vec::new(), Vec::new());
        let mut by_activity: Vec<Vec<(u16, Action)>> = vec![Vec::new(); n_symbols];
        let mut on = |a: Sym, entry: (u16, Action)| {
            if let Some(list) = by_activity.get_mut(a as usize) {
                if !list.contains(&entry) {
                    list.push(entry);
                }
            }
        };
        for (j, c) in ind.iter().enumerate() {
            let j = j as u16;
            let (activities, action) = match c {
                Compiled::Count {
                    activities,
                    resource,
                } if activities.is_empty() => {
                    count_any.push((j, *resource));
                    continue;
                }
                Compiled::DaysSinceLast {
                    activities,
                    resource,
                    ..
                } if activities.is_empty() => {
                    last_any.push((j, *resource));
                    continue;
                }
                Compiled::Count {
                    activities,
                    resource,
                } => (
                    activities,
                    Action::Count {
                        resource: *resource,
                    },
                ),
                Compiled::DaysSinceLast {
                    activities,
                    resource,
                    ..
                } => (
                    activities,
                    Action::Last {
                        resource: *resource,
                    },
                ),
                Compiled::StepDone(s) | Compiled::StepDuration(s) | Compiled::StepWait(s) => {
                    on(*s, (j, Action::Step));
                    continue;
                }
                Compiled::DaysBetween { from, to, working } => {
                    let working = *working;
                    from.iter()
                        .for_each(|&a| on(a, (j, Action::SpanFrom { working })));
                    on(*to, (j, Action::SpanTo { working }));
                    continue;
                }
                Compiled::ReplyLatency {
                    touches,
                    reply,
                    working,
                } => {
                    touches.iter().for_each(|&a| on(a, (j, Action::Touch)));
                    if !touches.contains(reply) {
                        let working = *working;
                        on(*reply, (j, Action::Reply { working }));
                    }
                    continue;
                }
                _ => continue,
            };
            activities.iter().for_each(|&a| on(a, (j, action)));
        }
        Dispatch {
            by_activity,
            count_any,
            last_any,
        }
    }

    fn actions(&self, activity: Sym) -> &[(u16, Action)] {
        self.by_activity
            .get(activity as usize)
            .map_or(&[], Vec::as_slice)
    }
}

fn update(
    dispatch: &Dispatch,
    acc: &mut [Acc],
    sh: &mut Shared,
    map: Option<&SegmentMap>,
    maps: &StageMaps,
    e: &Event,
) {
    let t = e.time.0;
    // The event's working time, converted at most once however many consumers need it.
    let event_w = std::cell::OnceCell::new();
    let work = || *event_w.get_or_init(|| maps.calendar.working_time(e.time));
    if let Some(map) = map {
        if let Some(j) = map.step_index(e.activity) {
            if e.lifecycle == Lifecycle::Complete && sh.done_w[j].is_nan() {
                sh.done_w[j] = work();
                sh.book_stale = true;
            }
            if sh.furthest.is_none_or(|f| j > f) {
                sh.furthest = Some(j);
                sh.book_stale = true;
            }
        }
    }
    if let Some(s) = e.stage.get() {
        if sh.stage != Some(s) {
            sh.stage = Some(s);
            sh.stage_entered = t;
        }
    }
    if let Some(f) = e.card_field.get() {
        if !sh.cards.contains(&f) {
            sh.cards.push(f);
        }
    }
    if let Some(p) = e.forecast_probability.get() {
        sh.forecast = p;
    }
    if let Some(c) = e.expected_close.get() {
        if sh.last_close.is_some_and(|p| c > p) {
            sh.pushes += 1;
        }
        sh.last_close = Some(c);
    }
    let resource_matches = |r: Option<Sym>| r.is_none_or(|r| r == e.resource);
    for &(j, resource) in &dispatch.count_any {
        acc[j as usize].count_if(resource_matches(resource));
    }
    for &(j, resource) in &dispatch.last_any {
        acc[j as usize].remember_if(resource_matches(resource), t);
    }
    let complete = e.lifecycle == Lifecycle::Complete;
    for &(j, action) in dispatch.actions(e.activity) {
        let a = &mut acc[j as usize];
        match action {
            Action::Count { resource } => a.count_if(resource_matches(resource)),
            Action::Last { resource } => a.remember_if(resource_matches(resource), t),
            Action::Step => match e.lifecycle {
                Lifecycle::Start if a.a == NONE => a.a = t,
                Lifecycle::Complete if a.b == NONE => a.b = t,
                _ => {}
            },
            Action::SpanFrom { working } if complete && a.a == NONE => {
                a.a = t;
                if working {
                    a.a_w = work();
                }
            }
            Action::SpanTo { working } if complete && a.b == NONE => {
                a.b = t;
                if working {
                    a.b_w = work();
                }
            }
            Action::Touch if a.a == NONE => a.a = t,
            Action::Reply { working } if a.a != NONE => {
                // Whole seconds either way: the sum is exact.
                a.sum += if working {
                    (maps.calendar.working_seconds(e.time) - a.a_working_seconds(&maps.calendar))
                        as f64
                } else {
                    (t - a.a) as f64
                };
                a.n += 1;
                a.a = NONE;
            }
            _ => {}
        }
    }
}

fn days(seconds: i64) -> f32 {
    (seconds as f64 / SECONDS_PER_DAY as f64) as f32
}

impl Shared {
    /// The state of a new deal created at `created` whose segment has `steps` steps.
    fn reset(&mut self, steps: usize, created: i64) {
        self.done_w.clear();
        self.done_w.resize(steps, f64::NAN);
        self.furthest = None;
        self.book_stale = true;
        self.stage = None;
        self.stage_entered = created;
        self.cards.clear();
        self.forecast = f32::NAN;
        self.pushes = 0;
        self.last_close = None;
    }

    /// (due steps, steps done on time, overdue steps) at working time `now_w`.
    fn deadlines(&mut self, map: &SegmentMap, created_w: f64, now_w: f64) -> (u32, u32, u32) {
        if self.book_stale {
            self.rebuild_book(map, created_w);
        }
        let (mut due, mut on_time) = (0, 0);
        for &(deadline, done) in &self.book {
            if deadline < now_w {
                due += 1;
                on_time += u32::from(done);
            }
        }
        (due, on_time, due - on_time)
    }

    /// Every step's deadline whose clock has started, and whether the step was done by it.
    fn rebuild_book(&mut self, map: &SegmentMap, created_w: f64) {
        self.book.clear();
        for (j, rule) in map.steps.iter().enumerate() {
            let Some(clock) = rule.clock_start(&self.done_w, self.furthest, created_w) else {
                continue;
            };
            let deadline = clock + rule.deadline_days;
            self.book.push((deadline, self.done_w[j] <= deadline));
        }
        self.book_stale = false;
    }
}

/// What every indicator may read about one deal at one landmark.
struct Moment<'a> {
    shared: &'a Shared,
    map: Option<&'a SegmentMap>,
    created: i64,
    now: i64,
    deal_value: f64,
    deal: &'a crate::log::Deal,
    truth: f32,
    created_w: f64,
    now_w: f64,
    /// Working seconds of creation and `now`, for the client-silence primitives that count
    /// working days (0 when no indicator does).
    created_ws: i64,
    now_ws: i64,
    /// Converts event times for those primitives.
    calendar: &'a Calendar,
    /// (due, on time, overdue) steps; `None` without a stage map or when no indicator reads
    /// deadlines.
    deadlines: Option<(u32, u32, u32)>,
}

fn value(c: &Compiled, a: &mut Acc, m: &Moment<'_>) -> f32 {
    let (sh, created, now) = (m.shared, m.created, m.now);
    match c {
        Compiled::Count { .. } => a.count as f32,
        Compiled::StepDone(_) => (a.b != NONE) as u8 as f32,
        Compiled::DaysSinceLast { working: false, .. } => {
            days(now - if a.a == NONE { created } else { a.a })
        }
        // The last event's working time is converted here, when a landmark reads it, rather
        // than per event: most events are followed by another before the next landmark.
        Compiled::DaysSinceLast { working: true, .. } => {
            let last = if a.a == NONE {
                m.created_ws
            } else {
                a.a_working_seconds(m.calendar)
            };
            ((m.now_ws - last) as f64 / WORKDAY_SECONDS as f64) as f32
        }
        Compiled::DaysBetween {
            from,
            working: false,
            ..
        } => {
            let start = if from.is_none() { created } else { a.a };
            match (start, a.b) {
                (NONE, _) => f32::NAN,
                (s, NONE) => days(now - s),
                (s, b) => days(b - s),
            }
        }
        // The same on the working-time axis: creation and `now` were converted once per deal
        // and per landmark, the steps' completions once when folded in.
        Compiled::DaysBetween {
            from,
            working: true,
            ..
        } => {
            let start = if from.is_none() { m.created_w } else { a.a_w };
            let end = if a.b == NONE { m.now_w } else { a.b_w };
            if from.is_some() && a.a == NONE {
                f32::NAN
            } else {
                (end - start) as f32
            }
        }
        Compiled::StepDuration(_) => match (a.a, a.b) {
            (NONE, _) => f32::NAN,
            (s, NONE) => days(now - s),
            (s, b) => days(b - s),
        },
        Compiled::StepWait(_) => match (a.a, a.b) {
            (s, NONE) if s != NONE => days(now - s),
            _ => f32::NAN,
        },
        Compiled::OverdueSteps => match m.deadlines {
            None => f32::NAN,
            Some((_, _, overdue)) => overdue as f32,
        },
        Compiled::OnTimeRatio => match m.deadlines {
            None => f32::NAN,
            Some((0, ..)) => 1.0,
            Some((due, on_time, _)) => on_time as f32 / due as f32,
        },
        Compiled::StageAgeVsNorm { working: false } => {
            let norm = m
                .map
                .and_then(|map| sh.stage.and_then(|s| map.stage_norm_days(s)));
            match norm {
                Some(n) => days(now - sh.stage_entered) / n,
                None => f32::NAN,
            }
        }
        Compiled::StageAgeVsNorm { working: true } => {
            let norm = m
                .map
                .and_then(|map| sh.stage.and_then(|s| map.stage_norm_working_days(s)));
            match norm {
                Some(n) => {
                    let entered = m.calendar.working_seconds(Timestamp(sh.stage_entered));
                    ((m.now_ws - entered) as f64 / WORKDAY_SECONDS as f64) as f32 / n
                }
                None => f32::NAN,
            }
        }
        Compiled::ReplyLatency { working, .. } => {
            // Waits in seconds, or in working seconds.
            let pending = (a.a != NONE).then(|| {
                if *working {
                    (m.now_ws - a.a_working_seconds(m.calendar)) as f64
                } else {
                    (now - a.a) as f64
                }
            });
            let n = a.n + pending.is_some() as u32;
            let per_day = if *working {
                WORKDAY_SECONDS
            } else {
                SECONDS_PER_DAY
            } as f64;
            if n == 0 {
                0.0
            } else {
                ((a.sum + pending.unwrap_or(0.0)) / n as f64 / per_day) as f32
            }
        }
        Compiled::CloseDatePushes => sh.pushes as f32,
        Compiled::LastForecast => sh.forecast,
        Compiled::CardCompleteness(out_of) => (sh.cards.len() as f32 / out_of).min(1.0),
        Compiled::DealValue => m.deal_value as f32,
        Compiled::PriorWinRate(h) => h.win_rate(m.deal, Timestamp(now).day()),
        Compiled::Truth => m.truth,
    }
}

/// A moment a deal is read at: its time, and the same as a day and the seconds into that day
/// (what the working-time scales take).
#[derive(Debug, Clone, Copy)]
struct At {
    now: i64,
    day: DayNum,
    clock: i64,
}

impl At {
    fn of(t: Timestamp) -> At {
        let day = t.day();
        At {
            now: t.0,
            day,
            clock: t.0 - day.start().0,
        }
    }
}

/// The compiled indicators and what reading any deal with them needs: one per evaluation,
/// shared by the workers.
struct Evaluator<'a> {
    compiled: Vec<Compiled>,
    dispatch: Dispatch,
    maps: &'a StageMaps,
    /// Some indicator reads step deadlines: only then is the deadline book kept.
    reads_deadlines: bool,
    /// Some indicator counts client silence in working seconds: only then are they computed.
    counts_working_seconds: bool,
}

/// One worker's state for the deal it reads, reset from deal to deal (no allocation per deal).
struct Scratch {
    acc: Vec<Acc>,
    shared: Shared,
    /// The values of the moment being read, one per indicator.
    row: Vec<f32>,
}

impl<'a> Evaluator<'a> {
    fn new(compiled: Vec<Compiled>, log: &Log, maps: &'a StageMaps) -> Self {
        let dispatch = Dispatch::new(&compiled, log.symbols.len());
        let reads_deadlines = compiled
            .iter()
            .any(|c| matches!(c, Compiled::OverdueSteps | Compiled::OnTimeRatio));
        let counts_working_seconds = compiled.iter().any(|c| {
            matches!(
                c,
                Compiled::DaysSinceLast { working: true, .. }
                    | Compiled::ReplyLatency { working: true, .. }
                    | Compiled::StageAgeVsNorm { working: true }
            )
        });
        Evaluator {
            compiled,
            dispatch,
            maps,
            reads_deadlines,
            counts_working_seconds,
        }
    }

    fn scratch(&self) -> Scratch {
        Scratch {
            acc: vec![EMPTY; self.compiled.len()],
            shared: Shared::default(),
            row: vec![0.0; self.compiled.len()],
        }
    }

    /// Reads deal `i` of `log` at each of `moments` (ascending), folding each of its events
    /// in once, in time order, as the first moment after it comes; `emit` receives each
    /// moment's values (one per indicator) in turn, with its (due, on time, overdue) steps
    /// when deadlines are read ([`Moment::deadlines`]).
    fn deal(
        &self,
        s: &mut Scratch,
        log: &Log,
        i: usize,
        truth: f32,
        moments: impl IntoIterator<Item = At>,
        mut emit: impl FnMut(&[f32], Option<(u32, u32, u32)>),
    ) {
        let deal = &log.deals[i];
        let map = self.maps.by_segment.get(&deal.segment);
        let calendar = &self.maps.calendar;
        s.acc.fill(EMPTY);
        s.shared
            .reset(map.map_or(0, |m| m.steps.len()), deal.created.0);
        let created_w = calendar.working_time(deal.created);
        let created_ws = if self.counts_working_seconds {
            calendar.working_seconds(deal.created)
        } else {
            0
        };
        let events = log.events_of(i);
        let mut next = 0;
        for at in moments {
            while next < events.len() && events[next].time.0 < at.now {
                update(
                    &self.dispatch,
                    &mut s.acc,
                    &mut s.shared,
                    map,
                    self.maps,
                    &events[next],
                );
                next += 1;
            }
            let now_w = calendar.working_time_on(at.day, at.clock);
            let now_ws = if self.counts_working_seconds {
                calendar.working_seconds_on(at.day, at.clock)
            } else {
                0
            };
            let deadlines = map
                .filter(|_| self.reads_deadlines)
                .map(|m| s.shared.deadlines(m, created_w, now_w));
            let moment = Moment {
                shared: &s.shared,
                map,
                created: deal.created.0,
                now: at.now,
                deal_value: deal.value,
                deal,
                truth,
                created_w,
                now_w,
                created_ws,
                now_ws,
                calendar,
                deadlines,
            };
            for ((c, a), v) in self.compiled.iter().zip(&mut s.acc).zip(&mut s.row) {
                *v = value(c, a, &moment);
            }
            emit(&s.row, deadlines);
        }
    }
}

/// `specs` read for each of `deals` (rows of `log`, created by `at`) at the moment `at`
/// itself: `values[k][indicator]` for `deals[k]`, from the events before `at` only.
///
/// Why: landmarks are whole days after each deal's creation, so a deal's latest landmark
/// may be up to six days behind today; `flag` shows the rep's forecast and discipline as
/// they stand today, e.g. a forecast cut from 70% to 10% yesterday.
pub fn evaluate_at(
    log: &Log,
    specs: &[IndicatorSpec],
    maps: &StageMaps,
    deals: &[usize],
    at: Timestamp,
) -> Vec<Vec<f32>> {
    let compiled = specs.iter().map(|s| compile(s, log, maps)).collect();
    let evaluator = Evaluator::new(compiled, log, maps);
    deals
        .par_iter()
        .map_init(
            || evaluator.scratch(),
            |scratch, &i| {
                let mut values = Vec::new();
                let now = [At::of(at)];
                evaluator.deal(scratch, log, i, f32::NAN, now, |row, _| {
                    values = row.to_vec();
                });
                values
            },
        )
        .collect()
}

/// The steps due at the moment `at` (their deadline passed, done in time or not) for each of
/// `deals` (rows of `log`, created by `at`), from the events before `at`; 0 for a deal whose
/// segment has no stage map.
///
/// Why: [`Measure::OnTimeRatio`] reads 1 while no step is due, which is right for a rule (no
/// deadline missed yet) but not for an average of on-time shares: `flag`'s per-rep table
/// leaves such deals out of it, and needs this count to tell them from deals on time.
pub fn steps_due_at(log: &Log, maps: &StageMaps, deals: &[usize], at: Timestamp) -> Vec<u32> {
    let mut evaluator = Evaluator::new(Vec::new(), log, maps);
    evaluator.reads_deadlines = true;
    deals
        .par_iter()
        .map_init(
            || evaluator.scratch(),
            |scratch, &i| {
                let mut due = 0;
                let now = [At::of(at)];
                evaluator.deal(scratch, log, i, f32::NAN, now, |_, deadlines| {
                    due = deadlines.map_or(0, |(due, _, _)| due);
                });
                due
            },
        )
        .collect()
}

/// Deals per parallel work item.
const CHUNK: usize = 1024;

/// One chunk's share of the final columns: `deals[landmark]`, `values[landmark * n_ind + j]`.
#[derive(Default)]
struct ChunkRows<'a> {
    deals: Vec<&'a mut [u32]>,
    values: Vec<&'a mut [f32]>,
}

/// Evaluates `specs` (plus the truth ceiling when `truth` is given: hidden risk per deal)
/// at `landmarks` (ages in days, ascending) for every deal of `log`.
///
/// At landmark `d` a deal is in the risk set when `created + d` is within the window and it
/// did not close before that moment, and its values read the events before it. A close or an
/// event at the moment itself is not yet known: with dates only (a CRM export stamps them at
/// midnight) it happens during the landmark's date, which `flag --as-of` the day before must
/// not see either.
pub fn evaluate(
    log: &Log,
    specs: &[IndicatorSpec],
    truth: Option<&[f64]>,
    maps: &StageMaps,
    landmarks: &[u32],
    window_end: Timestamp,
) -> Panel {
    evaluate_with_progress(log, specs, truth, maps, landmarks, window_end, &|_| {})
}

/// [`evaluate`], calling `progress(n)` as each chunk of `n` deals is done (from any worker
/// thread; the counts add up to the number of deals), e.g. to move a progress bar.
pub fn evaluate_with_progress(
    log: &Log,
    specs: &[IndicatorSpec],
    truth: Option<&[f64]>,
    maps: &StageMaps,
    landmarks: &[u32],
    window_end: Timestamp,
    progress: &(dyn Fn(u64) + Sync),
) -> Panel {
    let mut compiled: Vec<Compiled> = specs.iter().map(|s| compile(s, log, maps)).collect();
    let mut indicators: Vec<IndicatorInfo> = specs
        .iter()
        .zip(&compiled)
        .map(|(s, c)| IndicatorInfo {
            name: s.name.clone(),
            description: s.description.clone(),
            direction: s.direction,
            signal: s.signal,
            unit: s.measure.unit(),
            fixed_at_creation: matches!(c, Compiled::DealValue),
            not_scored: None,
        })
        .collect();
    if truth.is_some() {
        compiled.push(Compiled::Truth);
        indicators.push(IndicatorInfo {
            name: TRUTH_INDICATOR.to_string(),
            description: "RESEARCH ONLY: the hidden loss log-odds from truth.csv (deal health plus the rep's process lapses, \
                          including those still to come), the ceiling no observable indicator can beat."
                .into(),
            direction: super::Direction::HigherIsRiskier,
            signal: super::Signal::Truth,
            unit: super::Unit::LogOdds,
            fixed_at_creation: true,
            not_scored: None,
        });
    }
    let mut segments: Vec<String> = Vec::new();
    let mut segment_syms: Vec<Sym> = Vec::new();
    let deal_segment: Vec<u16> = log
        .deals
        .iter()
        .map(|d| {
            let k = segment_syms
                .iter()
                .position(|&s| s == d.segment)
                .unwrap_or_else(|| {
                    segment_syms.push(d.segment);
                    segments.push(log.symbols.name(d.segment).to_string());
                    segment_syms.len() - 1
                });
            k as u16
        })
        .collect();

    let n_ind = compiled.len();
    let evaluator = Evaluator::new(compiled, log, maps);
    let at_risk = |deal: &Deal, d: u32| {
        let now = deal.created.0 + d as i64 * SECONDS_PER_DAY;
        (now <= window_end.0 && deal.closed.is_none_or(|c| c.0 >= now)).then_some(now)
    };
    // Exact row counts per chunk and landmark first, so that every chunk writes its rows
    // straight into its own part of the final columns: no growing, no merge copy.
    let n_chunks = log.deals.len().div_ceil(CHUNK);
    let chunk_deals = |c: usize| c * CHUNK..((c + 1) * CHUNK).min(log.deals.len());
    let sizes: Vec<Vec<usize>> = (0..n_chunks)
        .into_par_iter()
        .map(|c| {
            let mut sizes = vec![0usize; landmarks.len()];
            for deal in &log.deals[chunk_deals(c)] {
                let n = landmarks
                    .iter()
                    .take_while(|&&d| at_risk(deal, d).is_some());
                sizes.iter_mut().zip(n).for_each(|(s, _)| *s += 1);
            }
            sizes
        })
        .collect();
    // Allocated in parallel: the allocator zeroes part of the memory it hands out again.
    let mut at: Vec<LandmarkRows> = (0..landmarks.len())
        .into_par_iter()
        .map(|k| {
            let rows: usize = sizes.iter().map(|s| s[k]).sum();
            LandmarkRows {
                deals: vec![0; rows],
                // zeroed allocations: pages are only touched when written
                values: (0..n_ind).map(|_| vec![0.0; rows]).collect(),
            }
        })
        .collect();
    let mut parts: Vec<ChunkRows<'_>> = (0..n_chunks).map(|_| ChunkRows::default()).collect();
    for (k, rows) in at.iter_mut().enumerate() {
        let mut deals = rows.deals.as_mut_slice();
        let mut values: Vec<&mut [f32]> = rows.values.iter_mut().map(Vec::as_mut_slice).collect();
        for (part, sizes) in parts.iter_mut().zip(&sizes) {
            let n = sizes[k];
            let (mine, rest) = std::mem::take(&mut deals).split_at_mut(n);
            part.deals.push(mine);
            deals = rest;
            for col in &mut values {
                let (mine, rest) = std::mem::take(col).split_at_mut(n);
                part.values.push(mine);
                *col = rest;
            }
        }
    }
    parts.into_par_iter().enumerate().for_each(|(c, mut part)| {
        let mut scratch = evaluator.scratch();
        let mut filled = vec![0usize; landmarks.len()];
        for i in chunk_deals(c) {
            let deal = &log.deals[i];
            // Landmarks are whole days after creation: the same clock time on later days.
            let created = At::of(deal.created);
            let moments = landmarks.iter().map_while(|&d| {
                Some(At {
                    now: at_risk(deal, d)?,
                    day: DayNum(created.day.0 + d as i32),
                    clock: created.clock,
                })
            });
            let truth_value = truth.map_or(f32::NAN, |t| t[i] as f32);
            let mut k = 0;
            evaluator.deal(&mut scratch, log, i, truth_value, moments, |row, _| {
                let r = filled[k];
                filled[k] += 1;
                part.deals[k][r] = i as u32;
                for (j, &v) in row.iter().enumerate() {
                    part.values[k * n_ind + j][r] = v;
                }
                k += 1;
            });
        }
        progress(chunk_deals(c).len() as u64);
    });
    let day = SECONDS_PER_DAY as f64;
    Panel {
        indicators,
        landmarks: landmarks.to_vec(),
        segments,
        deal_segment,
        deal_rep: log.deals.iter().map(|d| d.rep).collect(),
        outcome: log.deals.par_iter().map(|d| d.outcome).collect(),
        close_age: log
            .deals
            .par_iter()
            .map(|d| {
                d.closed
                    .map_or(f64::NAN, |c| (c.0 - d.created.0) as f64 / day)
            })
            .collect(),
        window_age: log
            .deals
            .par_iter()
            .map(|d| (window_end.0 - d.created.0) as f64 / day)
            .collect(),
        at,
    }
}
