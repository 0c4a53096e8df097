//! Simulating straight into an in-memory [`Log`], skipping CSV: for `dealsim run` (which also
//! writes the files, see [`crate::simulate`]), benchmarks, tests and research code that scores
//! many scenarios. Memory grows with the log (about 40 bytes per event).
//!
//! The engine records values as the files hold them (whole currency units, forecasts in whole
//! percent), so a collected log equals the log read back from the run's files: scoring either
//! gives the same figures.

use super::{generate, DealHistory, Engine, Truth};
use crate::log::{Deal, Event, Log};

/// Deals with their events, in deal order: one chunk's share of a log.
#[derive(Debug, Default)]
pub struct LogPart {
    deals: Vec<Deal>,
    events: Vec<Event>,
    counts: Vec<usize>,
}

impl LogPart {
    /// Appends one simulated deal and its events (the next deal in the chunk's order).
    pub fn push(&mut self, h: &DealHistory) {
        self.deals.push(h.deal.clone());
        self.events.extend_from_slice(&h.events);
        self.counts.push(h.events.len());
    }

    /// Empties the part but keeps its buffers, for the next chunk.
    pub fn clear(&mut self) {
        self.deals.clear();
        self.events.clear();
        self.counts.clear();
    }
}

/// A log assembled from [`LogPart`]s handed over in deal order: the parts come from parallel
/// workers, the builder runs on the one thread that receives them in order.
pub struct LogBuilder {
    log: Log,
}

impl LogBuilder {
    /// An empty log with the engine's names, sized for its deals.
    pub fn new(engine: &Engine<'_>) -> LogBuilder {
        let n = engine.deal_count();
        LogBuilder {
            log: Log {
                symbols: engine.vocab.symbols.clone(),
                deals: Vec::with_capacity(n),
                case_ids: Vec::with_capacity(n),
                events: Vec::new(),
                offsets: vec![0],
            },
        }
    }

    /// Appends the deals of `part` (the next ones in deal order), with case ids as the CSV
    /// writer prints them.
    pub fn append(&mut self, part: &LogPart) {
        let log = &mut self.log;
        for (d, &c) in part.deals.iter().zip(&part.counts) {
            log.case_ids.push(d.id.0.to_string());
            log.deals.push(d.clone());
            let last = *log.offsets.last().expect("offsets start with 0");
            log.offsets.push(last + c);
        }
        log.events.extend_from_slice(&part.events);
    }

    /// The finished log.
    pub fn finish(self) -> Log {
        self.log
    }
}

#[derive(Default)]
struct Part {
    log: LogPart,
    truth: Vec<Truth>,
}

/// All deals of `engine` as a log, with each deal's hidden truth alongside (same order).
pub fn collect_log(engine: &Engine<'_>) -> (Log, Vec<Truth>) {
    let mut log = LogBuilder::new(engine);
    let mut truth = Vec::with_capacity(engine.deal_count());
    let format = |h: &DealHistory, p: &mut Part| {
        p.log.push(h);
        p.truth.push(h.truth);
    };
    let consume = |p: Part| -> std::io::Result<()> {
        log.append(&p.log);
        truth.extend(p.truth);
        Ok(())
    };
    generate(engine, format, consume, |_| {}).expect("collecting into memory cannot fail");
    (log.finish(), truth)
}
