//! Checks a [`ScenarioSpec`] field by field and builds the engine's [`Scenario`].
//!
//! Errors are `(field path, message)`; [`Scenario::parse`] adds the file and position.

use std::collections::HashSet;

use chrono::NaiveDate;

use super::dist::{short, Sampler, Support};
use super::spec::{DistSpec, Owner, ScenarioSpec, SourceSpec};
use super::{Card, Contacts, Forecast, Model, Scenario, Segment, Source, Step};
use crate::calendar::{CalendarRules, YearlyPeriod};
use crate::error::did_you_mean;
use crate::log::POOLED;
use crate::time::DayNum;

type Check<T> = Result<T, (String, String)>;

fn fail<T>(field: impl Into<String>, message: impl Into<String>) -> Check<T> {
    Err((field.into(), message.into()))
}

/// A date in the years a log holds ([`crate::time::LOG_YEARS`]): chrono's `%Y` also reads
/// `+12025` or `-0001`, which no log could write.
fn date(field: &str, text: &str) -> Check<DayNum> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .map(DayNum::from_naive)
        .filter(|d| d.in_log_years())
        .map_or_else(
            || fail(field, format!("expected a date YYYY-MM-DD, got {text:?}")),
            Ok,
        )
}

/// How long `window.end` may follow `window.last_created`, in days (five years). `run` scores
/// up to the end, however long after the last simulated event (the simulation ran until
/// then); an end years after the last creation, long past any simulated B2B deal, is a typo.
const MAX_END_AFTER_LAST_CREATED: i32 = 5 * 365 + 1;

fn month_day(field: &str, text: &str) -> Check<(u32, u32)> {
    // Parse against a leap year so that 02-29 is accepted.
    NaiveDate::parse_from_str(&format!("2024-{text}"), "%Y-%m-%d")
        .map(|d| (chrono::Datelike::month(&d), chrono::Datelike::day(&d)))
        .or_else(|_| fail(field, format!("expected a month-day MM-DD, got {text:?}")))
}

fn probability(field: &str, p: f64) -> Check<f64> {
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        fail(field, format!("a probability must lie in [0, 1], got {p}"))
    }
}

fn at_least(field: &str, v: f64, min: f64) -> Check<f64> {
    if v.is_finite() && v >= min {
        Ok(v)
    } else {
        fail(field, format!("must be a finite number >= {min}, got {v}"))
    }
}

/// A shift on the log-odds or health scale (a loss shift, a source's mean health): finite and
/// within ±[`MAX_SHIFT`]. NaN made every deal of a segment won, and an infinite or huge health
/// made durations infinite (deals closing before they were created).
fn shift(field: &str, v: f64) -> Check<f64> {
    if v.is_finite() && v.abs() <= MAX_SHIFT {
        Ok(v)
    } else {
        fail(
            field,
            format!("expected a finite number within ±{MAX_SHIFT}, got {v}"),
        )
    }
}

/// Beyond ±20 on the log-odds scale a probability is 1 or 0 to nine decimals, and a health of
/// 20 standard deviations is no client.
const MAX_SHIFT: f64 = 20.0;

fn greater(field: &str, v: f64, min: f64) -> Check<f64> {
    if v.is_finite() && v > min {
        Ok(v)
    } else {
        fail(field, format!("must be a finite number > {min}, got {v}"))
    }
}

fn sampler(field: &str, spec: &DistSpec, support: Support) -> Check<Sampler> {
    Sampler::new(spec, support).or_else(|m| fail(field, m))
}

/// The longest a step may typically take (its median), in working days: ten years of
/// five-day weeks (261 working days a year). A lognormal `mu = 15`, meant as 15 days, is a
/// median of 3.3 million days: the rep planned the deal's close in the year 24655, which no
/// log can write (the engine now stops planned dates at the last writable day). No B2B step
/// typically takes a decade (a legal review takes weeks); one that does has a parameter in the
/// wrong unit. The median, not the mean: a lognormal `calibrate` fits to a messy history's
/// spread (sigma 3) has a mean 90 times its median, and a history whose legal reviews
/// typically take a month must stay one a scenario can hold. Single draws may run far past
/// the window, as a heavy tail allows: the deal is then open at the window end (censored).
const MAX_MEDIAN_STEP_DAYS: f64 = 10.0 * 261.0;

/// A step's duration, with a median within [`MAX_MEDIAN_STEP_DAYS`].
fn step_duration(field: &str, spec: &DistSpec) -> Check<Sampler> {
    let d = sampler(field, spec, Support::Positive)?;
    if d.median() > MAX_MEDIAN_STEP_DAYS {
        return fail(
            field,
            format!(
                "expected a median duration of at most {MAX_MEDIAN_STEP_DAYS} working days (ten \
                 years of five-day weeks), got {}: no B2B step typically takes a decade; is a \
                 parameter in another unit (a lognormal's mu is the log of the median)?",
                short(d.median().round())
            ),
        );
    }
    Ok(d)
}

/// `segments[i].pace` multiplies every step of the segment's map: it must not stretch one past
/// [`MAX_MEDIAN_STEP_DAYS`] either.
fn paced_steps(field: &str, map: &str, steps: &[Step], pace: f64) -> Check<()> {
    match steps
        .iter()
        .find(|st| st.duration.median() * pace > MAX_MEDIAN_STEP_DAYS)
    {
        Some(st) => fail(
            field,
            format!(
                "step {:?} of stage map {map:?} has a median of {:.1} working days, {} at pace \
                 {pace}: expected at most {MAX_MEDIAN_STEP_DAYS} (ten years of five-day weeks) \
                 per step; lower the pace",
                st.name,
                st.duration.median(),
                short((st.duration.median() * pace).round())
            ),
        ),
        None => Ok(()),
    }
}

/// The most calendar days a close date may be pushed by: ten years. Each push is written as a
/// date, and one of a billion days put it past the year 9999 (`push_days` is a `u32`).
const MAX_PUSH_DAYS: u32 = 3653;

fn name(field: &str, n: &str) -> Check<String> {
    match name_problem(n) {
        None => Ok(n.to_string()),
        Some(why) => fail(field, why),
    }
}

/// Why `n` cannot name a segment, stage, step or source of a scenario, if it cannot. Names end
/// up in CSV cells and file names: they are kept to simple identifiers. Public so that
/// `calibrate` can refuse a log's names up front, naming the file they come from.
pub fn name_problem(n: &str) -> Option<String> {
    let ok = !n.is_empty()
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    (!ok).then(|| format!("expected a non-empty name of letters, digits, '_' or '-', got {n:?}"))
}

/// A segment's name: besides [`name_problem`], not [`POOLED`], which every output gives the rows
/// of all segments pooled. A segment so named passed here, and `run` then failed reading its
/// own log back (the reader refuses it) while `sweep` wrote two `all` rows per seed.
fn segment_name(field: &str, n: &str) -> Check<String> {
    if n == POOLED {
        return fail(
            field,
            format!(
                "the name {POOLED:?} is reserved for the rows of all segments pooled in every \
                 output; name the segment otherwise"
            ),
        );
    }
    name(field, n)
}

/// Why `n` cannot name a step when the contact channels are `channels`, beyond
/// [`name_problem`]: a step's events carry its name as their activity, so one named like a
/// touch or an engine event would be counted as that (a `meeting` step as a touch).
pub fn step_name_problem<'c>(
    n: &str,
    mut channels: impl Iterator<Item = &'c String>,
) -> Option<String> {
    let what = if crate::sim::activity::ALL.contains(&n) {
        "an activity the engine logs itself"
    } else if channels.any(|c| c == n) {
        "a contact channel (contacts.channels)"
    } else {
        return name_problem(n);
    };
    Some(format!(
        "step name {n:?} is {what}, so its events could not be told apart; name the step \
         otherwise (e.g. \"{n}_step\")"
    ))
}

fn unique<'a>(field: &str, names: impl IntoIterator<Item = &'a str>) -> Check<()> {
    let mut seen = HashSet::new();
    for (i, n) in names.into_iter().enumerate() {
        if !seen.insert(n) {
            return fail(
                format!("{field}[{i}].name"),
                format!("duplicate name {n:?}"),
            );
        }
    }
    Ok(())
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

pub(super) fn validate(spec: ScenarioSpec) -> Check<Scenario> {
    let name = self::name("name", &spec.name)?;
    let w = &spec.window;
    let first_created = date("window.first_created", &w.first_created)?;
    let last_created = date("window.last_created", &w.last_created)?;
    let end = date("window.end", &w.end)?;
    if last_created < first_created {
        return fail(
            "window.last_created",
            format!(
                "the window ends before it starts: {} is before first_created {}",
                w.last_created, w.first_created
            ),
        );
    }
    if end < last_created {
        return fail(
            "window.end",
            format!(
                "must not be before last_created {}, got {}",
                w.last_created, w.end
            ),
        );
    }
    // The calendar runs a week past the end.
    let last_day = DayNum::from_ymd(*crate::time::LOG_YEARS.end(), 12, 24);
    let latest = DayNum(last_created.0 + MAX_END_AFTER_LAST_CREATED).min(last_day);
    if end > latest {
        return fail(
            "window.end",
            format!(
                "expected a day up to {}, at most five years after last_created {} (`run` \
                 scores up to the end, and refuses one long after the simulated deals' last \
                 events) and a week before the end of the year 9999, got {}",
                latest.iso(),
                w.last_created,
                w.end
            ),
        );
    }

    let calendar = calendar_rules(&spec)?;
    let model = model(&spec)?;
    let contacts = contacts(&spec)?;
    let card = card(&spec)?;
    let forecast = forecast(&spec)?;

    if spec.stage_maps.is_empty() {
        return fail("stage_maps", "at least one stage map is needed");
    }
    unique(
        "stage_maps",
        spec.stage_maps.iter().map(|m| m.name.as_str()),
    )?;
    if spec.segments.is_empty() {
        return fail(
            "segments",
            "at least one segment is needed, got an empty list",
        );
    }
    unique("segments", spec.segments.iter().map(|s| s.name.as_str()))?;
    let segments = spec
        .segments
        .iter()
        .enumerate()
        .map(|(i, _)| segment(&spec, i))
        .collect::<Check<Vec<_>>>()?;
    for (si, seg) in segments.iter().enumerate() {
        for stage in &seg.stages {
            if !forecast.stage_probability.iter().any(|(s, _)| s == stage) {
                return fail(
                    "forecast.stage_probability",
                    format!(
                        "no probability for stage {stage:?} (used by segment {:?}, segments[{si}])",
                        seg.name
                    ),
                );
            }
        }
    }
    let scenario = Scenario {
        name,
        seed: spec.seed,
        first_created,
        last_created,
        end,
        calendar,
        model,
        contacts,
        card,
        forecast,
        segments,
        spec,
    };
    check_deal_count(&scenario)?;
    Ok(scenario)
}

/// A scenario must be able to create a deal, and no more than [`super::MAX_DEALS`] are
/// expected: the engine draws every arrival before the first deal, so a mistyped inflow
/// (`per_month = 1e12`) would otherwise abort on memory rather than say what is wrong.
fn check_deal_count(s: &Scenario) -> Check<()> {
    let expected = crate::sim::expected_deals_by_segment(s);
    let total: f64 = expected.iter().sum();
    if total > super::MAX_DEALS as f64 {
        let (k, most) = expected
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .expect("a scenario has segments");
        return fail(
            format!("segments[{k}].inflow.per_month"),
            format!(
                "the scenario would create about {total:.3e} deals over its window ({most:.3e} in \
                 this segment), more than the {} one run can index (32-bit deal indices): \
                 lower the inflow",
                super::MAX_DEALS
            ),
        );
    }
    if total <= 0.0 {
        let (from, to) = (
            s.spec.window.first_created.as_str(),
            s.spec.window.last_created.as_str(),
        );
        return match s.segments.iter().all(|g| g.per_month <= 0.0) {
            true => fail(
                "segments[0].inflow.per_month",
                "every segment's inflow is 0, so the scenario creates no deal",
            ),
            false => fail(
                "window.last_created",
                format!(
                    "the creation window {from} to {to} has no working day (see \
                     calendar.working_days and calendar.holidays), so the scenario creates no deal"
                ),
            ),
        };
    }
    Ok(())
}

fn calendar_rules(spec: &ScenarioSpec) -> Check<CalendarRules> {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let mut working_weekdays = [false; 7];
    for (i, d) in spec.calendar.working_days.iter().enumerate() {
        let field = format!("calendar.working_days[{i}]");
        match DAYS.iter().position(|x| x.eq_ignore_ascii_case(d)) {
            Some(k) => working_weekdays[k] = true,
            None => {
                let hint = did_you_mean(&d.to_lowercase(), DAYS)
                    .map(|h| format!(" (did you mean {h:?}?)"))
                    .unwrap_or_default();
                return fail(field, format!("expected one of mon..sun, got {d:?}{hint}"));
            }
        }
    }
    if !working_weekdays.iter().any(|w| *w) {
        return fail(
            "calendar.working_days",
            "at least one working weekday is needed",
        );
    }
    let period = |field: String, from: &str, to: &str| -> Check<YearlyPeriod> {
        Ok(YearlyPeriod {
            from: month_day(&format!("{field}.from"), from)?,
            to: month_day(&format!("{field}.to"), to)?,
        })
    };
    let holidays = spec
        .calendar
        .holidays
        .iter()
        .enumerate()
        .map(|(i, h)| period(format!("calendar.holidays[{i}]"), &h.from, &h.to))
        .collect::<Check<Vec<_>>>()?;
    let slowdowns = spec
        .calendar
        .slowdowns
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let field = format!("calendar.slowdowns[{i}]");
            let p = period(field.clone(), &s.from, &s.to)?;
            Ok((p, at_least(&format!("{field}.factor"), s.factor, 1.0)?))
        })
        .collect::<Check<Vec<_>>>()?;
    Ok(CalendarRules {
        working_weekdays,
        holidays,
        slowdowns,
    })
}

fn model(spec: &ScenarioSpec) -> Check<Model> {
    let m = &spec.model;
    Ok(Model {
        health_weight: at_least("model.health_weight", m.health_weight, 0.0)?,
        client_speed: at_least("model.client_speed", m.client_speed, 0.0)?,
        client_skip: at_least("model.client_skip", m.client_skip, 0.0)?,
        rep_lateness: at_least("model.rep_lateness", m.rep_lateness, 0.0)?,
        rep_skip: probability("model.rep_skip", m.rep_skip)?,
        stakeholders_mean: at_least("model.stakeholders_mean", m.stakeholders_mean, 0.0)?,
        stakeholder_stage: stakeholder_stage(spec)?,
        silence_before_loss: sampler(
            "model.silence_before_loss",
            &m.silence_before_loss,
            Support::Positive,
        )?,
    })
}

/// `model.stakeholder_stage` must name a stage of some stage map while stakeholders are
/// brought in: a map without it (a renamed `sale`) silently had none.
fn stakeholder_stage(spec: &ScenarioSpec) -> Check<String> {
    let m = &spec.model;
    let stages = || spec.stage_maps.iter().flat_map(|map| &map.stages);
    if m.stakeholders_mean > 0.0 && !stages().any(|s| s.name == m.stakeholder_stage) {
        let hint = did_you_mean(&m.stakeholder_stage, stages().map(|s| s.name.as_str()))
            .map(|h| format!(" (did you mean {h:?}?)"))
            .unwrap_or_default();
        return fail(
            "model.stakeholder_stage",
            format!(
                "no stage map has a stage named {:?}, so stakeholders_mean = {} would bring in \
                 no stakeholder; name the stage where they join{hint}, or set \
                 stakeholders_mean = 0",
                m.stakeholder_stage, m.stakeholders_mean
            ),
        );
    }
    Ok(m.stakeholder_stage.clone())
}

fn contacts(spec: &ScenarioSpec) -> Check<Contacts> {
    let c = &spec.contacts;
    Ok(Contacts {
        interval: sampler("contacts.interval", &c.interval, Support::Positive)?,
        channels: cumulative_shares(
            "contacts.channels",
            c.channels.iter().map(|(k, v)| (k.as_str(), *v)),
        )?,
        reply_probability: probability("contacts.reply_probability", c.reply_probability)?,
        reply_health: at_least("contacts.reply_health", c.reply_health, 0.0)?,
        reply_latency: sampler(
            "contacts.reply_latency",
            &c.reply_latency,
            Support::Positive,
        )?,
        latency_health: at_least("contacts.latency_health", c.latency_health, 0.0)?,
    })
}

/// Shares must be >= 0 and sum to a positive total; they are normalised to cumulative form.
/// The channel mix is documented as normalised; a segment's source shares are first checked
/// to sum to 1 ([`shares_sum_to_one`]), so dividing only removes rounding there.
fn cumulative_shares<'a>(
    field: &str,
    shares: impl Iterator<Item = (&'a str, f64)>,
) -> Check<Vec<(String, f64)>> {
    let mut out: Vec<(String, f64)> = Vec::new();
    let mut total = 0.0;
    for (k, v) in shares {
        let n = name(&format!("{field}.{k}"), k)?;
        total += at_least(&format!("{field}.{k}"), v, 0.0)?;
        out.push((n, total));
    }
    if out.is_empty() || total <= 0.0 {
        return fail(field, "needs at least one entry with a share > 0");
    }
    for e in &mut out {
        e.1 /= total;
    }
    Ok(out)
}

/// How far a segment's lead-source shares may sum from 1. Shares written with a few decimals
/// sum to 1 within about 1e-16 in floating point (the default's 0.5 + 0.35 + 0.15 exactly);
/// 1e-6 also takes thirds written to seven decimals, and refuses a mistyped share.
const SHARE_SUM_TOLERANCE: f64 = 1e-6;

/// A segment's source shares split its inflow, so they must sum to 1 (the scenario documents
/// them as "share of inflow", not as weights): shares summing to 1.4 were silently divided by
/// 1.4, hiding the typo.
fn shares_sum_to_one(field: &str, sources: &[SourceSpec]) -> Check<()> {
    let total: f64 = sources.iter().map(|x| x.share).sum();
    if (total - 1.0).abs() <= SHARE_SUM_TOLERANCE {
        return Ok(());
    }
    let terms: Vec<String> = sources
        .iter()
        .map(|x| format!("{} {}", x.name, x.share))
        .collect();
    fail(
        field,
        format!(
            "the shares must sum to 1 (each is its source's part of the segment's inflow), got \
             {total} ({})",
            terms.join(" + ")
        ),
    )
}

fn card(spec: &ScenarioSpec) -> Check<Card> {
    let c = &spec.card;
    if c.fields.is_empty() {
        return fail("card.fields", "list at least one client-card field");
    }
    let fields = c
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| name(&format!("card.fields[{i}]"), f))
        .collect::<Check<Vec<_>>>()?;
    Ok(Card {
        fields,
        fill_within: greater("card.fill_within", c.fill_within, 0.0)?,
        empty_penalty: at_least("card.empty_penalty", c.empty_penalty, 0.0)?,
    })
}

fn forecast(spec: &ScenarioSpec) -> Check<Forecast> {
    let f = &spec.forecast;
    let stage_probability = f
        .stage_probability
        .iter()
        .map(|(k, v)| {
            Ok((
                k.clone(),
                probability(&format!("forecast.stage_probability.{k}"), *v)?,
            ))
        })
        .collect::<Check<Vec<_>>>()?;
    let push_days = f.push_days;
    if push_days == 0 {
        return fail(
            "forecast.push_days",
            "must be at least 1 (days a close date is pushed by), got 0",
        );
    }
    if push_days > MAX_PUSH_DAYS {
        return fail(
            "forecast.push_days",
            format!("expected at most {MAX_PUSH_DAYS} calendar days (ten years), got {push_days}"),
        );
    }
    Ok(Forecast {
        stage_probability,
        push_days,
        reacts_before_loss: sampler(
            "forecast.reacts_before_loss",
            &f.reacts_before_loss,
            Support::NonNegative,
        )?,
    })
}

/// The most reps a segment may have. The engine names every rep and draws its traits before
/// the first deal, about 250 bytes each (measured: a segment of a million reps takes 250 MB
/// and a second), so `count = 100000000` needed some 25 GB before simulating anything. The
/// largest sales forces are tens of thousands of people, a segment's fewer still: a million
/// cannot be meant, and stays affordable.
const MAX_REPS: u32 = 1_000_000;

fn segment(spec: &ScenarioSpec, i: usize) -> Check<Segment> {
    let s = &spec.segments[i];
    let f = |rest: &str| format!("segments[{i}].{rest}");
    let name = segment_name(&f("name"), &s.name)?;
    let pace = greater(&f("pace"), s.pace, 0.0)?;
    let Some(map_index) = spec.stage_maps.iter().position(|m| m.name == s.stage_map) else {
        let hint = did_you_mean(
            &s.stage_map,
            spec.stage_maps.iter().map(|m| m.name.as_str()),
        )
        .map(|h| format!(" (did you mean {h:?}?)"))
        .unwrap_or_default();
        return fail(
            f("stage_map"),
            format!("no stage map named {:?}{hint}", s.stage_map),
        );
    };
    let (stages, steps) = stage_map(spec, map_index, pace)?;
    paced_steps(&f("pace"), &s.stage_map, &steps, pace)?;
    if s.sources.is_empty() {
        return fail(f("sources"), "list at least one source");
    }
    unique(&f("sources"), s.sources.iter().map(|x| x.name.as_str()))?;
    let shares = cumulative_shares(
        &f("sources"),
        s.sources.iter().map(|x| (x.name.as_str(), x.share)),
    )?;
    shares_sum_to_one(&f("sources"), &s.sources)?;
    let sources = s
        .sources
        .iter()
        .zip(shares)
        .enumerate()
        .map(|(k, (src, (n, cumulative)))| {
            Ok(Source {
                name: n,
                cumulative,
                health: shift(&f(&format!("sources[{k}].health")), src.health)?,
            })
        })
        .collect::<Check<Vec<_>>>()?;
    if s.reps.count == 0 {
        return fail(f("reps.count"), "must be at least 1, got 0");
    }
    if s.reps.count > MAX_REPS {
        return fail(
            f("reps.count"),
            format!(
                "expected at most {MAX_REPS} reps in a segment, got {}: the engine names and \
                 draws every rep before the first deal (about 250 bytes each)",
                s.reps.count
            ),
        );
    }
    let mut nominal_working_days_from: Vec<f64> = steps
        .iter()
        .rev()
        .scan(0.0, |rest, st| {
            *rest += st.duration.mean() * pace * (1.0 - st.skip_probability);
            Some(*rest)
        })
        .collect();
    nominal_working_days_from.reverse();
    Ok(Segment {
        review: s.review,
        pace,
        loss_shift: shift(&f("loss_shift"), s.loss_shift)?,
        per_month: at_least(&f("inflow.per_month"), s.inflow.per_month, 0.0)?,
        trend_per_year: greater(&f("inflow.trend_per_year"), s.inflow.trend_per_year, -1.0)?,
        sources,
        value: sampler(&f("value"), &s.value, Support::Positive)?,
        rep_count: s.reps.count,
        discipline: sampler(
            &f("reps.discipline"),
            &s.reps.discipline,
            Support::UnitInterval,
        )?,
        optimism: sampler(&f("reps.optimism"), &s.reps.optimism, Support::UnitInterval)?,
        proposal_step: steps.iter().position(|st| st.name == "proposal_sent"),
        stages,
        steps,
        nominal_working_days_from,
        name,
    })
}

fn stage_map(spec: &ScenarioSpec, m: usize, pace: f64) -> Check<(Vec<String>, Vec<Step>)> {
    let map = &spec.stage_maps[m];
    let f = |rest: String| format!("stage_maps[{m}].{rest}");
    if map.stages.is_empty() {
        return fail(f("stages".into()), "a stage map needs at least one stage");
    }
    unique(
        &f("stages".into()),
        map.stages.iter().map(|s| s.name.as_str()),
    )?;
    let all_steps: Vec<&str> = map
        .stages
        .iter()
        .flat_map(|s| s.steps.iter().map(|st| st.name.as_str()))
        .collect();
    let mut stages = Vec::new();
    let mut steps: Vec<Step> = Vec::new();
    for (si, stage) in map.stages.iter().enumerate() {
        stages.push(name(&f(format!("stages[{si}].name")), &stage.name)?);
        if stage.steps.is_empty() {
            return fail(
                f(format!("stages[{si}].steps")),
                "a stage needs at least one step",
            );
        }
        for (ti, st) in stage.steps.iter().enumerate() {
            let g = |rest: &str| f(format!("stages[{si}].steps[{ti}].{rest}"));
            if let Some(why) = step_name_problem(&st.name, spec.contacts.channels.keys()) {
                return fail(g("name"), why);
            }
            let step_name = st.name.clone();
            if steps.iter().any(|s| s.name == step_name) {
                return fail(
                    g("name"),
                    format!("duplicate step name {step_name:?} in this stage map"),
                );
            }
            let deadline_from = match &st.deadline_from {
                None => steps.len().checked_sub(1),
                Some(n) if n == "created" => None,
                Some(n) => match steps.iter().position(|s| &s.name == n) {
                    Some(k) => Some(k),
                    None if all_steps.contains(&n.as_str()) => {
                        return fail(g("deadline_from"), format!("step {n:?} comes later in the map; the SLA clock must start at an earlier step"));
                    }
                    None => {
                        let hint = did_you_mean(n, all_steps.iter().copied())
                            .map(|h| format!(" (did you mean {h:?}?)"))
                            .unwrap_or_default();
                        return fail(g("deadline_from"), format!("refers to unknown step {n:?}; expected \"created\" or an earlier step's name{hint}"));
                    }
                },
            };
            let loss = probability(&g("loss_probability"), st.loss_probability)?;
            if loss >= 1.0 {
                return fail(
                    g("loss_probability"),
                    "must be < 1 (a step every deal is lost at would end the map)",
                );
            }
            steps.push(Step {
                stage: si,
                owner: st.owner,
                duration: step_duration(&g("duration"), &st.duration)?,
                deadline_days: greater(&g("deadline_days"), st.deadline_days, 0.0)? * pace,
                deadline_from,
                skip_probability: probability(&g("skip_probability"), st.skip_probability)?,
                // A zero loss probability is kept finite so that health can still move it.
                loss_logit: logit(loss.max(1e-6)),
                late_penalty: at_least(&g("late_penalty"), st.late_penalty, 0.0)?,
                exogenous_loss: st.exogenous_loss,
                name: step_name,
            });
            if st.owner != Owner::Rep && st.late_penalty > 0.0 {
                return fail(g("late_penalty"), "only rep-controlled steps carry a late penalty (the causal model: client and external lateness does not cause losses)");
            }
        }
    }
    Ok((stages, steps))
}
