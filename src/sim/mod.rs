//! The Monte Carlo engine: from a [`Scenario`] to deal histories.
//!
//! [`Engine::new`] draws arrivals and rep traits; [`Engine::simulate_deal`] walks one deal with
//! its own random stream, derived from `(seed, deal index)` by ChaCha's stream parameter, so
//! any deal can be generated alone, in any order, on any thread, with the same result.
//! [`generate`] runs chunks of deals in parallel and hands their outputs to a consumer in
//! deal order, so files are byte-identical whatever the thread count, and memory stays
//! bounded by a few chunks however many deals there are.
//! Not for: formatting output (see [`crate::export`]) or anything an indicator may read.

mod arrivals;
mod collect;
mod deal;

use std::sync::mpsc;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

pub use arrivals::Arrival;
pub use collect::{collect_log, LogBuilder, LogPart};

use crate::calendar::Calendar;
use crate::log::{Deal, DealId, Event, Outcome, Sym, Symbols};
use crate::scenario::Scenario;
use crate::time::{DayNum, Timestamp};

/// Hidden ground truth of one deal and its rep (written to `truth.csv` only).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Truth {
    pub health: f64,
    pub discipline: f64,
    pub optimism: f64,
    pub late_rep_steps: u32,
    pub skipped_rep_steps: u32,
    /// Loss log-odds added by late or skipped rep steps, at the end of the deal.
    pub process_logit: f64,
    /// Loss log-odds added by the deal's health (`-health_weight * health`).
    pub health_logit: f64,
}

/// One simulated deal with its events; buffers are reused from deal to deal.
#[derive(Clone)]
pub struct DealHistory {
    pub deal: Deal,
    pub events: Vec<Event>,
    pub truth: Truth,
    drafts: Vec<deal::Draft>,
    marks: Vec<deal::Mark>,
    /// (time key, draft index) of the drafts kept, sorted into event order.
    order: Vec<(u64, u32)>,
    passed: Vec<f64>,
}

impl Default for DealHistory {
    fn default() -> Self {
        DealHistory {
            deal: Deal {
                id: DealId(0),
                segment: 0,
                rep: 0,
                source: 0,
                value: 0.0,
                created: Timestamp(0),
                closed: None,
                outcome: Outcome::Open,
                lost_stage: None,
                lost_step: None,
            },
            events: Vec::new(),
            truth: Truth::default(),
            drafts: Vec::new(),
            marks: Vec::new(),
            order: Vec::new(),
            passed: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct RepTraits {
    discipline: f64,
    optimism: f64,
}

/// Interned names the engine emits, resolved once.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    pub symbols: Symbols,
    created: Sym,
    won: Sym,
    lost: Sym,
    client_reply: Sym,
    card_update: Sym,
    forecast_update: Sym,
    stakeholder_engaged: Sym,
    client: Sym,
    external: Sym,
    channels: Vec<Sym>,
    card_fields: Vec<Sym>,
    pub segments: Vec<Sym>,
    sources: Vec<Vec<Sym>>,
    reps: Vec<Vec<Sym>>,
    stages: Vec<Vec<Sym>>,
    pub steps: Vec<Vec<Sym>>,
}

/// Activity names of the engine's non-step events (documented in the README).
pub mod activity {
    pub const CREATED: &str = "deal_created";
    pub const WON: &str = "won";
    pub const LOST: &str = "lost";
    pub const CLIENT_REPLY: &str = "client_reply";
    pub const CARD_UPDATE: &str = "card_update";
    pub const FORECAST_UPDATE: &str = "forecast_update";
    pub const STAKEHOLDER_ENGAGED: &str = "stakeholder_engaged";
    /// All of them: a step may not take one of these names (see the scenario's validation).
    pub const ALL: [&str; 7] = [
        CREATED,
        WON,
        LOST,
        CLIENT_REPLY,
        CARD_UPDATE,
        FORECAST_UPDATE,
        STAKEHOLDER_ENGAGED,
    ];
}

impl Vocabulary {
    fn new(s: &Scenario) -> Vocabulary {
        let mut sy = Symbols::default();
        let per_segment = |f: &dyn Fn(usize) -> Vec<String>, sy: &mut Symbols| {
            (0..s.segments.len())
                .map(|i| f(i).iter().map(|n| sy.intern(n)).collect())
                .collect::<Vec<Vec<Sym>>>()
        };
        let reps = per_segment(
            &|i| {
                (1..=s.segments[i].rep_count)
                    .map(|r| format!("{}-rep-{r:02}", s.segments[i].name))
                    .collect()
            },
            &mut sy,
        );
        let sources = per_segment(
            &|i| {
                s.segments[i]
                    .sources
                    .iter()
                    .map(|x| x.name.clone())
                    .collect()
            },
            &mut sy,
        );
        let stages = per_segment(&|i| s.segments[i].stages.clone(), &mut sy);
        let steps = per_segment(
            &|i| s.segments[i].steps.iter().map(|x| x.name.clone()).collect(),
            &mut sy,
        );
        Vocabulary {
            created: sy.intern(activity::CREATED),
            won: sy.intern(activity::WON),
            lost: sy.intern(activity::LOST),
            client_reply: sy.intern(activity::CLIENT_REPLY),
            card_update: sy.intern(activity::CARD_UPDATE),
            forecast_update: sy.intern(activity::FORECAST_UPDATE),
            stakeholder_engaged: sy.intern(activity::STAKEHOLDER_ENGAGED),
            client: sy.intern("client"),
            external: sy.intern("external"),
            channels: s
                .contacts
                .channels
                .iter()
                .map(|(n, _)| sy.intern(n))
                .collect(),
            card_fields: s.card.fields.iter().map(|n| sy.intern(n)).collect(),
            segments: s.segments.iter().map(|x| sy.intern(&x.name)).collect(),
            sources,
            reps,
            stages,
            steps,
            symbols: sy,
        }
    }
}

/// Stream numbers of per-segment rep-trait streams start here.
const REP_STREAM: u64 = 3 << 61;

/// A scenario made ready to simulate: calendar, arrivals and rep traits drawn.
pub struct Engine<'s> {
    pub scenario: &'s Scenario,
    pub calendar: Calendar,
    pub vocab: Vocabulary,
    arrivals: Vec<Arrival>,
    reps: Vec<Vec<RepTraits>>,
    /// Per segment, its steps in the stakeholder stage (at least 1): each brings in a share.
    stakeholder_steps: Vec<usize>,
    base_rng: ChaCha8Rng,
    /// Working time at which the observation window closes.
    w_end: f64,
}

/// The calendar covers the creation window and a week past its end.
fn calendar_for(s: &Scenario) -> Calendar {
    Calendar::new(&s.calendar, s.first_created, DayNum(s.end.0 + 7))
}

/// Expected number of deals the scenario creates.
pub fn expected_deals(s: &Scenario) -> f64 {
    expected_deals_by_segment(s).iter().sum()
}

/// Expected number of deals each segment creates, in the scenario's order.
pub fn expected_deals_by_segment(s: &Scenario) -> Vec<f64> {
    arrivals::expected_deals_with(s, &calendar_for(s))
}

impl<'s> Engine<'s> {
    pub fn new(scenario: &'s Scenario) -> Engine<'s> {
        let calendar = calendar_for(scenario);
        let arrivals = arrivals::draw_arrivals(scenario, &calendar);
        let reps = scenario
            .segments
            .iter()
            .enumerate()
            .map(|(i, seg)| {
                let mut rng = ChaCha8Rng::seed_from_u64(scenario.seed);
                rng.set_stream(REP_STREAM + i as u64);
                (0..seg.rep_count)
                    .map(|_| RepTraits {
                        discipline: seg.discipline.sample(&mut rng).clamp(0.0, 1.0),
                        optimism: seg.optimism.sample(&mut rng).clamp(0.0, 1.0),
                    })
                    .collect()
            })
            .collect();
        let stakeholder_steps = scenario
            .segments
            .iter()
            .map(|seg| {
                seg.steps
                    .iter()
                    .filter(|st| seg.stages[st.stage] == scenario.model.stakeholder_stage)
                    .count()
                    .max(1)
            })
            .collect();
        let w_end = calendar.work_start(DayNum(scenario.end.0 + 1));
        Engine {
            vocab: Vocabulary::new(scenario),
            scenario,
            arrivals,
            reps,
            stakeholder_steps,
            base_rng: ChaCha8Rng::seed_from_u64(scenario.seed),
            w_end,
            calendar,
        }
    }

    pub fn deal_count(&self) -> usize {
        self.arrivals.len()
    }

    pub fn arrivals(&self) -> &[Arrival] {
        &self.arrivals
    }
}

/// Deals per parallel work item. Big enough to amortise scheduling, small enough to balance.
pub const CHUNK: usize = 512;
/// Chunks per batch handed to rayon; bounds memory to `BATCH * CHUNK` deals' outputs in flight.
const BATCH: usize = 32;

/// Simulates every deal in parallel; `format` turns a deal into part of a chunk's output `B`,
/// and `consume` receives the chunk outputs in deal order, on a helper thread, while the next
/// batch is being simulated. `progress` is told how many deals were consumed.
///
/// Simulation runs in the rayon pool of the calling thread (the global pool, or the pool of an
/// enclosing `ThreadPool::install`), so callers choose the thread count; the output does not
/// depend on it.
pub fn generate<B, F, C, P>(
    engine: &Engine<'_>,
    format: F,
    mut consume: C,
    mut progress: P,
) -> Result<(), std::io::Error>
where
    B: Default + Send,
    F: Fn(&DealHistory, &mut B) + Sync,
    C: FnMut(B) -> Result<(), std::io::Error> + Send,
    P: FnMut(usize) + Send,
{
    let n = engine.deal_count();
    let chunks = n.div_ceil(CHUNK);
    let (tx, rx) = mpsc::sync_channel::<Vec<(usize, B)>>(1);
    std::thread::scope(|scope| {
        let consumer = scope.spawn(move || -> Result<(), std::io::Error> {
            for batch in rx {
                for (deals, out) in batch {
                    consume(out)?;
                    progress(deals);
                }
            }
            Ok(())
        });
        for first in (0..chunks).step_by(BATCH) {
            let batch: Vec<(usize, B)> = (first..(first + BATCH).min(chunks))
                .into_par_iter()
                .map(|c| {
                    let lo = c * CHUNK;
                    let hi = (lo + CHUNK).min(n);
                    let mut out = B::default();
                    let mut history = DealHistory::default();
                    for i in lo..hi {
                        engine.simulate_deal(i, &mut history);
                        format(&history, &mut out);
                    }
                    (hi - lo, out)
                })
                .collect();
            if tx.send(batch).is_err() {
                break; // the consumer failed and hung up; its error is returned below
            }
        }
        drop(tx);
        match consumer.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}
