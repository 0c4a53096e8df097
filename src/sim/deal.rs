//! One deal's walk through its segment's stage map, on the working-time axis.
//!
//! The causal model (README, "The causal model") in code: hidden health moves client speed,
//! replies, optional client steps, stakeholders and the loss odds; hidden rep discipline moves
//! rep lateness, skipped rep steps, touch frequency and card hygiene; late or skipped rep steps
//! add their penalty to the loss odds of later steps; external steps only take time.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1, Poisson, StandardNormal};

use super::{DealHistory, Engine, Truth};
use crate::calendar::Calendar;
use crate::log::{Deal, DealId, Event, Lifecycle, Maybe, Outcome, Sym};
use crate::scenario::Owner;
use crate::time::{DayNum, LAST_LOG_DAY};

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// Cap on lateness units of a late rep step; a skipped rep step counts this many.
const MAX_LATENESS_UNITS: f64 = 3.0;

/// A key whose unsigned order is `f64::total_cmp`'s order of `x`.
fn total_order_key(x: f64) -> u64 {
    let bits = x.to_bits();
    // Negative numbers: flip all bits; positive: flip the sign bit (as `total_cmp` does).
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

/// Sorts `(key, index)` pairs whose indices ascend, fast when few are out of place: drafts are
/// pushed almost in time order (only card updates, replies, stakeholders and close-date pushes
/// land ahead of later drafts). Insertion sort moves only strictly greater keys, so it is stable and only
/// needs to compare keys.
fn sort_nearly_sorted(v: &mut [(u64, u32)]) {
    if v.len() > 256 {
        v.sort_unstable();
        return;
    }
    for i in 1..v.len() {
        let x = v[i];
        let mut j = i;
        while j > 0 && v[j - 1].0 > x.0 {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = x;
    }
}

/// Smallest duration of anything, in working days (about five minutes).
const MIN_DURATION: f64 = 0.01;

/// When, in working days after the start of the morning, a rep pushes a passed close date
/// (about half an hour in: the CRM's "close date in the past" reminder is read first thing).
const PUSH_AT: f64 = 0.05;

/// An event placed on the working-time axis, before conversion to a timestamp.
#[derive(Clone, Copy)]
pub(crate) struct Draft {
    w: f64,
    event: Event,
}

/// From working time `w` on, the deal is in `stage` at `step`. Every event is stamped with the
/// mark in force at its own time, not at the moment the walk drew it: a client's reply to a
/// touch of the previous stage, or a card field filled days after creation, carries the stage
/// the deal is in when it is logged, as a CRM records it. (Stamped when drawn, such a late
/// reply sent the deal back a stage and restarted its stage age.)
#[derive(Clone, Copy)]
pub(crate) struct Mark {
    w: f64,
    stage: Sym,
    step: Option<Sym>,
}

/// The mutable state of one walk; borrowed buffers come from the [`DealHistory`].
struct Walk<'e> {
    engine: &'e Engine<'e>,
    segment: usize,
    rng: ChaCha8Rng,
    discipline: f64,
    optimism: f64,
    rep: Sym,
    next_touch: f64,
    expected_close: DayNum,
    /// When `expected_close` is due to be pushed ([`push_due`]).
    push_due: f64,
    /// The rep's current forecast win probability (what a close-date push logs again).
    probability: f64,
    drafts: Vec<Draft>,
    /// In time order; the first is the creation.
    marks: Vec<Mark>,
    /// Fixed by the deal's health, so computed once: the chance the client replies to a
    /// touch, `exp(-latency_health * health)` and `exp(-client_speed * health)`.
    reply_p: f64,
    latency_pace: f64,
    client_pace: f64,
}

impl Walk<'_> {
    fn push(&mut self, w: f64, activity: Sym, lifecycle: Lifecycle, resource: Sym) -> &mut Event {
        self.drafts.push(Draft {
            w,
            event: Event {
                time: crate::time::Timestamp(0),
                activity,
                lifecycle,
                resource,
                // Stamped from the marks once the walk is done.
                stage: Maybe::NONE,
                step: Maybe::NONE,
                card_field: Maybe::NONE,
                forecast_probability: Maybe::NONE,
                expected_close: Maybe::NONE,
            },
        });
        &mut self.drafts.last_mut().expect("just pushed").event
    }

    /// The deal is in `stage` at `step` from `w` on (`w` not before the previous mark).
    fn enter(&mut self, w: f64, stage: Sym, step: Option<Sym>) {
        self.marks.push(Mark { w, stage, step });
    }

    fn touch_interval(&mut self) -> f64 {
        let c = &self.engine.scenario.contacts;
        c.interval.sample_at_least(&mut self.rng, MIN_DURATION) * (1.5 - self.discipline)
    }

    /// Rep touches (and, unless the client has gone silent, client replies) up to `until`,
    /// and none after the window ends: they would not be observed, and a step of a heavy-tailed
    /// duration (valid in a scenario) would otherwise generate millions of them (see
    /// [`Engine::simulate_deal`] on what stopping there changes).
    fn touches_until(&mut self, until: f64, silent: bool) {
        let e = self.engine;
        let c = &e.scenario.contacts;
        let reply_p = self.reply_p;
        let until = until.min(e.w_end);
        while self.next_touch < until {
            let w = self.next_touch;
            let u: f64 = self.rng.random();
            // The first channel whose cumulative share exceeds `u` is the number of shares
            // at most `u` (they ascend), counted without a branch: `position` mispredicted
            // on about every other touch.
            let channel = c
                .channels
                .iter()
                .map(|(_, cum)| usize::from(*cum <= u))
                .sum::<usize>()
                .min(c.channels.len() - 1);
            self.push(w, e.vocab.channels[channel], Lifecycle::Complete, self.rep);
            if !silent && self.rng.random::<f64>() < reply_p {
                let latency = c.reply_latency.sample_at_least(&mut self.rng, MIN_DURATION)
                    * self.latency_pace
                    * e.calendar.slowdown_at(w);
                self.push(
                    w + latency,
                    e.vocab.client_reply,
                    Lifecycle::Complete,
                    e.vocab.client,
                );
            }
            self.next_touch = w + self.touch_interval();
        }
    }

    /// How much slower than nominal the client's steps go at `w` (health and season).
    fn client_factor(&self, w: f64) -> f64 {
        self.client_pace * self.engine.calendar.slowdown_at(w)
    }

    /// Logs a forecast update, as the CRM stores it: the probability in whole percent.
    fn forecast(&mut self, w: f64, probability: f64) {
        self.probability = probability;
        let e = self.engine;
        let close = self.expected_close;
        let ev = self.push(w, e.vocab.forecast_update, Lifecycle::Complete, self.rep);
        ev.forecast_probability = whole_percent(probability).into();
        ev.expected_close = close.into();
    }

    fn stage_forecast(&self, stage: usize) -> f64 {
        let s = self.engine.scenario;
        let name = &s.segments[self.segment].stages[stage];
        (s.forecast.probability(name) + self.optimism).min(0.95)
    }

    /// Logs the close-date pushes due before `until`: whenever the expected close date has
    /// passed with the deal open, the rep pushes it by `push_days` on the next working morning.
    /// They fall on their own days, not at the next step, so a stalled deal (a silent client,
    /// a long wait) keeps being pushed while nothing else happens.
    /// None after the window ends, as touches.
    fn push_close_dates(&mut self, until: f64) {
        let push = self.engine.scenario.forecast.push_days as i32;
        let until = until.min(self.engine.w_end);
        while self.push_due < until {
            let due = self.push_due;
            self.expected_close = planned_close(self.expected_close, push);
            self.push_due = push_due(&self.engine.calendar, self.expected_close);
            self.forecast(due, self.probability);
        }
    }
}

/// `days` after `day`, but never past the last day a log can write. The rep's close dates are
/// the engine's own (a plan from the steps' mean durations, then pushes by `push_days`), not
/// input to keep as read, and a CRM's date field ends there too: a window in the year 9999,
/// or a map of many long steps, planned dates `events.csv` cannot hold (`simulate` panicked),
/// and a plan millions of years out overflowed the day arithmetic.
fn planned_close(day: DayNum, days: i32) -> DayNum {
    DayNum(day.0.saturating_add(days)).min(LAST_LOG_DAY)
}

/// The working time at which a rep pushes the close date `close` once it has passed: the next
/// working morning; never, beyond the calendar.
fn push_due(calendar: &Calendar, close: DayNum) -> f64 {
    let next_morning = DayNum(close.0 + 1);
    if calendar.covers(next_morning) {
        calendar.work_start(next_morning) + PUSH_AT
    } else {
        f64::INFINITY
    }
}

impl Engine<'_> {
    /// Simulates deal `index` into `out`, reusing its buffers. Deterministic in (seed, index).
    ///
    /// The walk goes on past the window end (the hidden truth counts a censored deal's late
    /// and skipped steps to its end), but without the touches and close-date pushes there,
    /// which only the events would show. Their draws are therefore not taken after the window
    /// end, which changes the later draws of censored deals only: their events are the same,
    /// their truth another draw of the same model.
    pub fn simulate_deal(&self, index: usize, out: &mut DealHistory) {
        let s = self.scenario;
        let arrival = self.arrivals[index];
        let seg = &s.segments[arrival.segment];
        let v = &self.vocab;
        let mut rng = self.base_rng.clone();
        rng.set_stream(index as u64);
        rng.set_word_pos(0);

        let u: f64 = rng.random();
        let source = seg
            .sources
            .iter()
            .position(|x| u < x.cumulative)
            .unwrap_or(seg.sources.len() - 1);
        let rep_index = rng.random_range(0..seg.rep_count as usize);
        let traits = self.reps[arrival.segment][rep_index];
        let value = seg.value.sample_at_least(&mut rng, 1.0).round();
        let z: f64 = StandardNormal.sample(&mut rng);
        let health: f64 = seg.sources[source].health + z;
        let w0 = self.calendar.work_start(arrival.day) + rng.random::<f64>() * 0.9;

        let nominal_calendar_days = seg.nominal_working_days_from[0] * 7.0 / 5.0;
        // `as` saturates: a plan beyond i32 days is cut by `planned_close` like any other.
        let expected_close = planned_close(
            arrival.day,
            (nominal_calendar_days * (1.0 - traits.optimism)).round() as i32,
        );
        let mut walk = Walk {
            engine: self,
            segment: arrival.segment,
            rng,
            discipline: traits.discipline,
            optimism: traits.optimism,
            rep: v.reps[arrival.segment][rep_index],
            next_touch: 0.0,
            expected_close,
            push_due: push_due(&self.calendar, expected_close),
            probability: 0.0,
            drafts: std::mem::take(&mut out.drafts),
            marks: std::mem::take(&mut out.marks),
            reply_p: sigmoid(
                logit(s.contacts.reply_probability.clamp(1e-9, 1.0 - 1e-9))
                    + s.contacts.reply_health * health,
            ),
            latency_pace: (-s.contacts.latency_health * health).exp(),
            client_pace: (-s.model.client_speed * health).exp(),
        };
        walk.drafts.clear();
        walk.marks.clear();
        let stages = &v.stages[arrival.segment];
        walk.enter(w0, stages[0], None);
        walk.next_touch = w0 + walk.touch_interval();
        walk.push(w0, v.created, Lifecycle::Complete, walk.rep);
        let first_forecast = walk.stage_forecast(0);
        walk.forecast(w0, first_forecast);
        let empty_share = self.fill_card(&mut walk, w0);

        let model = &s.model;
        let mut truth = Truth {
            health,
            discipline: traits.discipline,
            optimism: traits.optimism,
            late_rep_steps: 0,
            skipped_rep_steps: 0,
            process_logit: s.card.empty_penalty * empty_share,
            health_logit: -model.health_weight * health,
        };
        let passed = &mut out.passed;
        passed.clear();
        let mut w = w0;
        let mut current_stage = 0;
        // (lost at, stage, step) when the deal is lost
        let mut lost: Option<(f64, Sym, Sym)> = None;
        for (i, step) in seg.steps.iter().enumerate() {
            let step_sym = v.steps[arrival.segment][i];
            walk.push_close_dates(w);
            walk.enter(w, stages[step.stage], Some(step_sym));
            if step.stage != current_stage {
                current_stage = step.stage;
                let probability = walk.stage_forecast(current_stage);
                walk.forecast(w, probability);
            }
            let skip_p = match step.owner {
                Owner::Rep if step.skip_probability > 0.0 => {
                    (step.skip_probability + model.rep_skip * (1.0 - traits.discipline)).min(1.0)
                }
                Owner::Client if step.skip_probability > 0.0 && step.skip_probability < 1.0 => {
                    sigmoid(logit(step.skip_probability) - model.client_skip * health)
                }
                _ => step.skip_probability,
            };
            let skipped = walk.rng.random::<f64>() < skip_p;
            let mut duration =
                step.duration.sample_at_least(&mut walk.rng, MIN_DURATION) * seg.pace;
            duration *= match step.owner {
                Owner::Rep => {
                    let e: f64 = Exp1.sample(&mut walk.rng);
                    1.0 + model.rep_lateness * (1.0 - traits.discipline) * e
                }
                Owner::Client => walk.client_factor(w),
                Owner::External => self.calendar.slowdown_at(w),
            };
            let drivers = if step.exogenous_loss {
                0.0
            } else {
                truth.health_logit + truth.process_logit
            };
            let loss_p = sigmoid(step.loss_logit + seg.loss_shift + drivers);
            let is_lost = walk.rng.random::<f64>() < loss_p;
            let decision_fraction: f64 = walk.rng.random();

            if is_lost {
                // External work (legal, security) is never where a client walks away: a deal
                // lost at an external step is lost after that step completes, so external
                // durations stay unrelated to the outcome (the planted distractor).
                let finishes_external = !skipped && step.owner == Owner::External;
                let decided = if skipped {
                    w
                } else if finishes_external {
                    w + duration
                } else {
                    w + decision_fraction * duration
                };
                if !skipped {
                    walk.push(
                        w,
                        step_sym,
                        Lifecycle::Start,
                        step_owner_resource(self, &walk, step.owner),
                    );
                }
                walk.touches_until(decided, false);
                if finishes_external {
                    walk.push(decided, step_sym, Lifecycle::Complete, self.vocab.external);
                }
                let silence = model
                    .silence_before_loss
                    .sample_at_least(&mut walk.rng, MIN_DURATION);
                let lost_at = decided + silence;
                let reacts = s.forecast.reacts_before_loss.sample(&mut walk.rng);
                let reaction = (lost_at - reacts).max(decided);
                walk.touches_until(reaction, true);
                walk.push_close_dates(reaction);
                walk.forecast(reaction, 0.1_f64.min(walk.probability));
                walk.touches_until(lost_at, true);
                lost = Some((lost_at, stages[current_stage], step_sym));
                w = lost_at;
                break;
            }
            if skipped {
                if step.owner == Owner::Rep {
                    truth.skipped_rep_steps += 1;
                    truth.process_logit += step.late_penalty * MAX_LATENESS_UNITS;
                }
                passed.push(w);
                continue;
            }
            walk.push(
                w,
                step_sym,
                Lifecycle::Start,
                step_owner_resource(self, &walk, step.owner),
            );
            if seg.stages[current_stage] == model.stakeholder_stage && model.stakeholders_mean > 0.0
            {
                let per_step = model.stakeholders_mean * (0.5 * health).exp()
                    / self.stakeholder_steps[arrival.segment] as f64;
                let n = Poisson::new(per_step).map_or(0.0, |p| p.sample(&mut walk.rng)) as usize;
                for _ in 0..n {
                    let at = w + walk.rng.random::<f64>() * duration;
                    walk.push(at, v.stakeholder_engaged, Lifecycle::Complete, v.client);
                }
            }
            let end = w + duration;
            walk.touches_until(end, false);
            walk.push(
                end,
                step_sym,
                Lifecycle::Complete,
                step_owner_resource(self, &walk, step.owner),
            );
            let clock_start = step.deadline_from.map_or(w0, |k| passed[k]);
            let due = clock_start + step.deadline_days;
            if step.owner == Owner::Rep && end > due {
                // The later, the worse: one unit for being late plus one per deadline length
                // of delay, capped (a skipped step counts as the cap).
                truth.late_rep_steps += 1;
                let units = (1.0 + (end - due) / step.deadline_days).min(MAX_LATENESS_UNITS);
                truth.process_logit += step.late_penalty * units;
            }
            walk.push_close_dates(end);
            passed.push(end);
            // Hand-over to the next step: up to half a working day.
            w = end + walk.rng.random::<f64>() * 0.5;
        }

        // The last step's hand-over, or the silence before the loss.
        walk.push_close_dates(w);
        let (close_w, outcome, lost_stage, lost_step) = match lost {
            Some((at, stage, step)) => (at, Outcome::Lost, Some(stage), Some(step)),
            None => (w, Outcome::Won, None, None),
        };
        walk.enter(close_w, stages[current_stage], lost_step);
        let closing_activity = if outcome == Outcome::Won {
            v.won
        } else {
            v.lost
        };
        walk.push(close_w, closing_activity, Lifecycle::Complete, walk.rep);

        // Nothing happens after the close; nothing is observed after the window ends.
        let censored = close_w >= self.w_end;
        let cutoff = close_w.min(self.w_end);
        let (drafts, marks) = (walk.drafts, walk.marks);
        // Sorting (time, push order) keys is a stable sort by time (a step's start stays
        // before its completion when times coincide), and much cheaper than moving drafts.
        let order = &mut out.order;
        order.clear();
        order.extend(
            drafts
                .iter()
                .enumerate()
                .filter(|(_, d)| d.w <= cutoff && d.w < self.w_end)
                .map(|(i, d)| (total_order_key(d.w), i as u32)),
        );
        sort_nearly_sorted(order);
        out.events.clear();
        out.events.reserve(order.len());
        let mut m = marks[0];
        let mut next_marks = marks[1..].iter().peekable();
        for &(_, i) in order.iter() {
            let d = &drafts[i as usize];
            let Some(time) = self.calendar.timestamp(d.w) else {
                continue;
            };
            while let Some(next) = next_marks.next_if(|n| n.w <= d.w) {
                m = *next;
            }
            out.events.push(Event {
                time,
                stage: Some(m.stage).into(),
                step: m.step.into(),
                ..d.event
            });
        }
        out.drafts = drafts;
        out.marks = marks;
        let created = self
            .calendar
            .timestamp(w0)
            .expect("creation lies inside the calendar");
        out.deal = Deal {
            id: DealId(index as u64 + 1),
            segment: v.segments[arrival.segment],
            rep: v.reps[arrival.segment][rep_index],
            source: v.sources[arrival.segment][source],
            value,
            created,
            closed: if censored {
                None
            } else {
                self.calendar.timestamp(close_w)
            },
            outcome: if censored { Outcome::Open } else { outcome },
            lost_stage: if censored { None } else { lost_stage },
            lost_step: if censored { None } else { lost_step },
        };
        out.truth = truth;
    }

    /// Card updates by the rep; returns the share of fields the rep leaves empty.
    fn fill_card(&self, walk: &mut Walk<'_>, w0: f64) -> f64 {
        let card = &self.scenario.card;
        let p_fill = 0.2 + 0.8 * walk.discipline;
        let mut empty = 0;
        for &field in &self.vocab.card_fields {
            if walk.rng.random::<f64>() >= p_fill {
                empty += 1;
                continue;
            }
            let e: f64 = Exp1.sample(&mut walk.rng);
            let at = w0 + e * card.fill_within * (2.0 - walk.discipline) / 2.0;
            let rep = walk.rep;
            let ev = walk.push(at, self.vocab.card_update, Lifecycle::Complete, rep);
            ev.card_field = field.into();
        }
        empty as f64 / self.vocab.card_fields.len() as f64
    }
}

fn step_owner_resource(engine: &Engine, walk: &Walk<'_>, owner: Owner) -> Sym {
    match owner {
        Owner::Rep => walk.rep,
        Owner::Client => engine.vocab.client,
        Owner::External => engine.vocab.external,
    }
}

/// `p` rounded to whole percent, exactly as `events.csv` holds it and the reader gets it back:
/// the writer prints `(p as f32)` with two decimals, and a two-decimal number parses to the
/// `f32` nearest to it, which is `cents / 100` divided in `f32` (correctly rounded).
fn whole_percent(p: f64) -> f32 {
    let cents = ((p as f32) as f64 * 100.0).round() as f32;
    cents / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What `events.csv` holds for a forecast of `p` (the writer's text, parsed as the reader
    /// parses it).
    fn written_and_read(p: f32) -> f32 {
        use crate::log::{Deal, Event, Lifecycle, Symbols};
        use crate::time::Timestamp;
        let mut sy = Symbols::default();
        let a = sy.intern("forecast_update");
        let deal = Deal::open_fixture(1, a, a, a);
        let e = Event {
            time: Timestamp(0),
            activity: a,
            lifecycle: Lifecycle::Complete,
            resource: a,
            stage: None.into(),
            step: None.into(),
            card_field: None.into(),
            forecast_probability: p.into(),
            expected_close: None.into(),
        };
        let mut row = Vec::new();
        crate::export::csv_log::write_event(&mut row, &sy, &deal, &e);
        let row = String::from_utf8(row).expect("utf-8");
        row.trim_end()
            .split(',')
            .nth(9)
            .expect("10 columns")
            .parse()
            .expect("a number")
    }

    #[test]
    fn forecasts_on_half_percents_round_as_the_writer_does() {
        for k in 0..100 {
            let p = (k as f64 + 0.5) / 100.0;
            assert_eq!(whole_percent(p), written_and_read(p as f32), "p = {p}");
        }
    }

    proptest! {
        /// The engine's forecast is the value the files give back, so the log `run` keeps and
        /// the log read from its files agree (see tests/kept_log.rs).
        #[test]
        fn whole_percent_is_what_the_files_hold(p in 0.0f64..1.0) {
            let q = whole_percent(p);
            prop_assert_eq!(q, written_and_read(p as f32));
            prop_assert_eq!(q, written_and_read(q));
        }

        #[test]
        fn order_keys_sort_like_total_cmp(a in any::<f64>(), b in any::<f64>()) {
            prop_assert_eq!(total_order_key(a).cmp(&total_order_key(b)), a.total_cmp(&b));
        }

        #[test]
        fn nearly_sorted_sort_sorts(keys in proptest::collection::vec(0u64..20, 0..600)) {
            let mut v: Vec<(u64, u32)> = keys.iter().zip(0..).map(|(&k, i)| (k, i)).collect();
            let mut expected = v.clone();
            expected.sort();
            sort_nearly_sorted(&mut v);
            prop_assert_eq!(v, expected);
        }
    }

    /// A step taking years (within the ten-year bound on a step's mean, past the window end;
    /// a heavy tail draws such durations too) leaves the deal open at the window end with no
    /// touch drafted after it, not one every few days to the step's end (a lognormal σ = 5
    /// once drafted millions and aborted `simulate` on a failed allocation).
    #[test]
    fn a_step_far_beyond_the_window_drafts_nothing_after_it() {
        // Every stage map's proposal step.
        let source: String = crate::scenario::DEFAULT_TOML
            .lines()
            .map(|line| match line.find("duration = {") {
                Some(at) if line.contains("\"proposal_sent\"") => {
                    let end = at + line[at..].find('}').expect("an inline table") + 1;
                    let long = "duration = { dist = \"constant\", value = 1500.0 }";
                    format!("{}{long}{}\n", &line[..at], &line[end..])
                }
                _ => format!("{line}\n"),
            })
            .collect();
        assert_eq!(source.matches("1500.0").count(), 2, "both stage maps");
        let scenario = crate::scenario::Scenario::parse(&source, "long.toml").expect("valid");
        let engine = crate::sim::Engine::new(&scenario);
        let mut out = crate::sim::DealHistory::default();
        let mut open = 0;
        for deal in 0..200 {
            engine.simulate_deal(deal, &mut out);
            open += usize::from(out.deal.outcome == crate::log::Outcome::Open);
            // The later steps' starts and completions, stakeholders, the close: no touches.
            let after = out.drafts.iter().filter(|d| d.w >= engine.w_end).count();
            assert!(
                after < 50,
                "deal {deal}: {after} drafts after the window end"
            );
        }
        // All but the deals lost before or at the proposal.
        assert!(open > 100, "{open} of 200 open");
    }

    /// The rep's close dates are derived, not read: with a window in the year 9999 (valid),
    /// the first plan and the pushes once fell in the year 10000, which `events.csv` cannot
    /// write (`simulate` panicked). They stop at the last day a log can write.
    #[test]
    fn planned_close_dates_stay_within_the_years_a_log_can_write() {
        let source = crate::scenario::DEFAULT_TOML
            .replace(
                "first_created = \"2025-01-01\"",
                "first_created = \"9999-01-01\"",
            )
            .replace(
                "last_created = \"2026-06-30\"",
                "last_created = \"9999-12-20\"",
            )
            .replace("end = \"2026-08-31\"", "end = \"9999-12-24\"");
        let scenario = crate::scenario::Scenario::parse(&source, "9999.toml").expect("valid");
        let engine = crate::sim::Engine::new(&scenario);
        let mut out = crate::sim::DealHistory::default();
        let mut closes = 0;
        for deal in 0..engine.deal_count() {
            engine.simulate_deal(deal, &mut out);
            for close in out.events.iter().filter_map(|e| e.expected_close.get()) {
                assert!(close.in_log_years(), "deal {deal}: {close:?}");
                closes += 1;
            }
        }
        assert!(closes > 1000, "{closes} close dates");
        assert_eq!(planned_close(DayNum(i32::MAX - 1), 10), LAST_LOG_DAY);
    }

    #[test]
    fn order_keys_at_the_edges() {
        let xs = [
            f64::NEG_INFINITY,
            -1.0,
            -0.0,
            0.0,
            1e-300,
            1.0,
            f64::INFINITY,
            f64::NAN,
        ];
        for a in xs {
            for b in xs {
                assert_eq!(total_order_key(a).cmp(&total_order_key(b)), a.total_cmp(&b));
            }
        }
    }
}
