//! Tuning benchmark (issue 6, acceptance 4: tuning 1,000,000 deals × 14 indicators ≤ 5 s on
//! 2 cores): the sweep of every indicator × threshold × deadline per segment, the choice,
//! the chosen rules' bootstrap intervals (200 replicates) and the holdout figures, on an
//! evaluated panel (indicator evaluation is benchmarked in `benches/scoring.rs`).
//!
//! N defaults to 100,000 deals; set `DEALSIM_BENCH_DEALS=1000000` for the size (the
//! in-memory log needs about 4.3 GB).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

mod common;

use dealsim::indicators::{self, Signal};
use dealsim::tuning::clock::RuleClock;
use dealsim::tuning::run::review_segments;
use dealsim::tuning::{tune, Objective, TuneOptions};

fn bench_tuning(c: &mut Criterion) {
    let common::Job {
        deals,
        scenario,
        log,
        specs,
        maps,
        landmarks,
        window_end,
    } = common::default_job();
    let panel = indicators::evaluate(&log, &specs, None, &maps, &landmarks, window_end);
    let review = review_segments(&scenario);
    let options = TuneOptions {
        objective: Objective::Budget {
            alerts_per_rep_week: 2.0,
        },
        holdout: 0.3,
        bootstrap: 200,
        cluster: dealsim::stats::bootstrap::Cluster::Deal,
        seed: 1,
        signals: vec![Signal::Rep, Signal::Process, Signal::Client],
        min_lead_days: 21.0,
        significance: 0.05,
    };
    let mut g = c.benchmark_group(format!("tuning_{deals}_deals"));
    g.sample_size(10);
    g.throughput(Throughput::Elements(log.deals.len() as u64));
    g.bench_function("tune_14_indicators", |b| {
        b.iter(|| {
            let clock = RuleClock::new(&log, &scenario.calendar.holidays, &landmarks);
            tune(&log, &panel, &clock, &review, &options)
        })
    });
    g.finish();
}

criterion_group!(benches, bench_tuning);
criterion_main!(benches);
