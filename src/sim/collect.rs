//! Simulating straight into an in-memory [`Log`], skipping CSV: for benchmarks, tests and
//! research code that scores many scenarios. Memory grows with the log (about 64 bytes per
//! event); the CLI streams to disk instead.

use super::{generate, DealHistory, Engine, Truth};
use crate::log::{Deal, Event, Log};

#[derive(Default)]
struct Part {
    deals: Vec<Deal>,
    events: Vec<Event>,
    counts: Vec<usize>,
    truth: Vec<Truth>,
}

/// All deals of `engine` as a log, with each deal's hidden truth alongside (same order).
pub fn collect_log(engine: &Engine<'_>) -> (Log, Vec<Truth>) {
    let n = engine.deal_count();
    let mut log = Log {
        symbols: engine.vocab.symbols.clone(),
        deals: Vec::with_capacity(n),
        case_ids: Vec::with_capacity(n),
        events: Vec::new(),
        offsets: vec![0],
    };
    let mut truth = Vec::with_capacity(n);
    let format = |h: &DealHistory, p: &mut Part| {
        p.deals.push(h.deal.clone());
        p.events.extend_from_slice(&h.events);
        p.counts.push(h.events.len());
        p.truth.push(h.truth);
    };
    let consume = |p: Part| -> std::io::Result<()> {
        for (d, c) in p.deals.into_iter().zip(p.counts) {
            log.case_ids.push(d.id.0.to_string());
            log.deals.push(d);
            let last = *log.offsets.last().expect("offsets start with 0");
            log.offsets.push(last + c);
        }
        log.events.extend(p.events);
        truth.extend(p.truth);
        Ok(())
    };
    generate(engine, format, consume, |_| {}).expect("collecting into memory cannot fail");
    (log, truth)
}
