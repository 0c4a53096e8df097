//! Engine throughput at 100,000 deals of the default scenario (issue 3's targets:
//! ≥ 5M events/s per core for generation).
//!
//! - `generate/*`: simulate every deal into a reused `DealHistory` (`dealsim::sim::generate`),
//!   counting events, with no formatting or I/O;
//! - `generate_csv/*`: the same plus formatting `events.csv`, `deals.csv` and `truth.csv` rows
//!   into memory, exactly as `dealsim simulate` does before writing (no disk);
//! - `*_1thread/*`: the same in a one-thread rayon pool, for "per core" figures.
//!
//! Each benchmark has a `deals` and an `events` id with the same work, so criterion reports
//! both deals/s and events/s. Run with `cargo bench --bench engine`; set
//! `DEALSIM_BENCH_DEALS=N` for another size.

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{
    criterion_group, criterion_main, BenchmarkGroup, Criterion, SamplingMode, Throughput,
};

use dealsim::scenario::Scenario;
use dealsim::sim::{self, DealHistory, Engine};
use dealsim::simulate::{generate_csv, CsvChunk};

/// Deals per benchmark iteration: `DEALSIM_BENCH_DEALS`, default 100,000.
fn deals() -> u64 {
    std::env::var("DEALSIM_BENCH_DEALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

/// Simulates every deal, counting events; returns the number of events.
fn generate_only(engine: &Engine<'_>) -> u64 {
    let mut total = 0u64;
    sim::generate(
        engine,
        |h: &DealHistory, count: &mut u64| *count += h.events.len() as u64,
        |count: u64| {
            total += count;
            Ok(())
        },
        |_| {},
    )
    .expect("no I/O");
    total
}

/// Simulates and formats every deal into memory; returns the number of bytes formatted.
fn generate_and_format(engine: &Engine<'_>) -> u64 {
    let mut bytes = 0u64;
    generate_csv(
        engine,
        false,
        |c: &CsvChunk| {
            bytes += (c.events.len() + c.deals.len() + c.truth.len()) as u64;
            black_box(&c.stats);
            Ok(())
        },
        |_| {},
    )
    .expect("no I/O");
    bytes
}

fn configure<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    g
}

/// Registers `name/deals` and `name/events` for `work`, run inside `pool` if given.
fn bench_pair(
    c: &mut Criterion,
    name: &str,
    engine: &Engine<'_>,
    events: u64,
    pool: Option<&rayon::ThreadPool>,
    work: fn(&Engine<'_>) -> u64,
) {
    let mut g = configure(c, name);
    for (id, throughput) in [
        ("deals", Throughput::Elements(engine.deal_count() as u64)),
        ("events", Throughput::Elements(events)),
    ] {
        g.throughput(throughput);
        g.bench_function(id, |b| match pool {
            Some(p) => b.iter(|| p.install(|| black_box(work(engine)))),
            None => b.iter(|| black_box(work(engine))),
        });
    }
    g.finish();
}

fn engine_benches(c: &mut Criterion) {
    let scenario = Scenario::embedded_default()
        .with_target_deals(deals(), "DEALSIM_BENCH_DEALS")
        .expect("a valid deal count");
    let engine = Engine::new(&scenario);
    let events = generate_only(&engine);
    eprintln!(
        "engine bench: {} deals, {events} events ({:.1} per deal), {} rayon threads",
        engine.deal_count(),
        events as f64 / engine.deal_count() as f64,
        rayon::current_num_threads()
    );
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool");

    bench_pair(c, "generate", &engine, events, None, generate_only);
    bench_pair(
        c,
        "generate_csv",
        &engine,
        events,
        None,
        generate_and_format,
    );
    bench_pair(
        c,
        "generate_1thread",
        &engine,
        events,
        Some(&one),
        generate_only,
    );
    bench_pair(
        c,
        "generate_csv_1thread",
        &engine,
        events,
        Some(&one),
        generate_and_format,
    );
}

criterion_group!(benches, engine_benches);
criterion_main!(benches);
