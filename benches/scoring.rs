//! Scoring-core benchmarks (issue 4 targets, 2 cores):
//! - one AUC over 1,000,000 float (score, label) pairs: ≤ 40 ms on one core;
//! - the same with integer scores (counted, no sort);
//! - indicator evaluation + point scoring of N deals × 14 indicators × 24 landmarks
//!   (target at N = 1,000,000: ≤ 3 s on 2 cores);
//! - scoring with 200 bootstrap replicates (target at N = 1,000,000: ≤ 30 s);
//! - the passes over the whole log that scoring makes besides the evaluation (the window
//!   end's checks, the unknown-name warnings, the stage maps' calendar, the report's tables):
//!   one thread's work each, while the evaluation's is the pool's.
//!
//! N defaults to 100,000 so `cargo bench` stays short; set `DEALSIM_BENCH_DEALS=1000000`
//! for the size (it needs about 4 GB of memory for the in-memory log).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

mod common;

use dealsim::indicators::{self, stage_map::StageMaps};
use dealsim::log::cut::{check_window_end, within_window, WindowEnd};
use dealsim::report::tables::ReportTables;
use dealsim::scoring::{self, Censoring, IntervalMethod, ScoreOptions};
use dealsim::stats::auc::auc;
use dealsim::stats::bootstrap::Cluster;

fn bench_auc(c: &mut Criterion) {
    let n = 1_000_000;
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let labels: Vec<bool> = (0..n).map(|_| rng.random::<f64>() < 0.3).collect();
    let floats: Vec<f64> = labels
        .iter()
        .map(|&l| rng.random::<f64>() + if l { 0.3 } else { 0.0 })
        .collect();
    let ints: Vec<f64> = floats.iter().map(|x| (x * 60.0).floor()).collect();
    let mut g = c.benchmark_group("auc_1m");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(20);
    // `auc` is single-threaded: these are one-core figures.
    g.bench_function("float", |b| b.iter(|| auc(&floats, &labels, None)));
    g.bench_function("integer", |b| b.iter(|| auc(&ints, &labels, None)));
    g.finish();
}

fn bench_scoring(c: &mut Criterion) {
    let common::Job {
        deals,
        log,
        specs,
        maps,
        landmarks,
        window_end,
        ..
    } = common::default_job();
    let options = |bootstrap| ScoreOptions {
        censoring: Censoring::Known,
        interval: IntervalMethod::Bootstrap,
        bootstrap,
        cluster: Cluster::Deal,
        min_class: 20,
        target: 0.7,
        confidence: 0.95,
        seed: 1,
    };

    let mut g = c.benchmark_group(format!("scoring_{deals}_deals"));
    g.sample_size(10);
    g.throughput(Throughput::Elements(log.deals.len() as u64));
    g.bench_function("evaluate_and_point_score", |b| {
        b.iter(|| {
            let panel = indicators::evaluate(&log, &specs, None, &maps, &landmarks, window_end);
            scoring::score(&panel, &options(0))
        })
    });
    let panel = indicators::evaluate(&log, &specs, None, &maps, &landmarks, window_end);
    // The default intervals (`--interval delong`): the point sweeps carry DeLong's variance.
    g.bench_function("delong", |b| {
        let delong = ScoreOptions {
            interval: IntervalMethod::Delong,
            ..options(0)
        };
        b.iter(|| scoring::score(&panel, &delong))
    });
    // DeLong's intervals over reps (`--cluster rep`, its default): every cell sorts its kept
    // rows and sums placements per (segment, rep).
    g.bench_function("delong_by_rep", |b| {
        let by_rep = ScoreOptions {
            interval: IntervalMethod::Delong,
            cluster: Cluster::Rep,
            ..options(0)
        };
        b.iter(|| scoring::score(&panel, &by_rep))
    });
    g.bench_function("bootstrap_200", |b| {
        b.iter_batched(
            || (),
            |_| scoring::score(&panel, &options(200)),
            BatchSize::PerIteration,
        )
    });
    // The same replicates drawn over reps (`--cluster rep`): drawing is cheaper (a few dozen
    // reps instead of every deal), scoring reads the same weight rows.
    g.bench_function("bootstrap_200_by_rep", |b| {
        let by_rep = ScoreOptions {
            cluster: Cluster::Rep,
            ..options(200)
        };
        b.iter_batched(
            || (),
            |_| scoring::score(&panel, &by_rep),
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

/// What `score_log_to_dir` does with the whole log besides evaluating the indicators: `dealsim
/// run` does the checks twice (its scoring and its tuning step each check the window end).
fn bench_log_passes(c: &mut Criterion) {
    let common::Job {
        deals,
        scenario,
        log,
        specs,
        ..
    } = common::default_job();
    let end = WindowEnd::field(scenario.end, "bench", "window.end");
    let mut g = c.benchmark_group(format!("log_passes_{deals}_deals"));
    g.sample_size(10);
    g.throughput(Throughput::Elements(log.events.len() as u64));
    g.bench_function("checks", |b| {
        b.iter(|| {
            let end = check_window_end(&log, Some(&end)).expect("the window fits the log");
            let log = within_window(&log, end);
            let warnings = indicators::unknown_names(&specs, &log);
            (StageMaps::new(&scenario, &log), warnings)
        })
    });
    g.bench_function("report_tables", |b| b.iter(|| ReportTables::from_log(&log)));
    g.finish();
}

criterion_group!(benches, bench_auc, bench_scoring, bench_log_passes);
criterion_main!(benches);
