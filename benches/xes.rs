//! XES import speed (issue 7: ≤ 0.8 s for a log of about 262,000 events, memory that does not
//! grow with the log).
//!
//! Setup (not timed): simulate the default scenario at about 6,250 deals (≈ 262,000 events)
//! into a temporary directory and export it with `dealsim export --format xes`'s library
//! function, plain and gzipped. Timed: `import_to_dir` of each file (parse, convert, write
//! `events.csv` + `deals.csv` + the summary into a temporary directory). Run with
//! `cargo bench --bench xes`; `DEALSIM_BENCH_XES_DEALS=N` for another size.

use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use indicatif::ProgressBar;

use dealsim::export::event_log::{export_log, LogFormat};
use dealsim::import::timestamp::Zone;
use dealsim::import::{import_to_dir, xes::Xes};
use dealsim::scenario::Scenario;
use dealsim::simulate::{simulate_to_dir, DEALS_FILE, EVENTS_FILE};

fn deals() -> u64 {
    std::env::var("DEALSIM_BENCH_XES_DEALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6_250)
}

fn import(file: &Path, out: &Path) -> u64 {
    let xes = Xes {
        path: file.to_path_buf(),
        zone: Default::default(),
        rule: Default::default(),
    };
    let summary = import_to_dir(&xes, "bench", out, false).expect("the export imports");
    summary.stats.events
}

fn bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let scenario = Scenario::embedded_default()
        .with_target_deals(deals(), "DEALSIM_BENCH_XES_DEALS")
        .expect("a positive number of deals");
    let sim = tmp.path().join("sim");
    simulate_to_dir(&scenario, &sim, "bench", &ProgressBar::hidden(), false).expect("simulate");
    let (events, deals) = (sim.join(EVENTS_FILE), sim.join(DEALS_FILE));
    let plain = tmp.path().join("log.xes");
    let gz = tmp.path().join("log.xes.gz");
    let stats =
        export_log(&events, &deals, LogFormat::Xes(Zone::default()), &plain).expect("export");
    export_log(&events, &deals, LogFormat::Xes(Zone::default()), &gz).expect("export gz");
    let size = |p: &Path| std::fs::metadata(p).expect("exported").len();
    eprintln!(
        "xes bench: {} cases, {} events, {:.1} MB plain, {:.1} MB gzipped",
        stats.cases,
        stats.events,
        size(&plain) as f64 / 1e6,
        size(&gz) as f64 / 1e6
    );
    let out = tmp.path().join("imported");
    let mut g = c.benchmark_group("xes_import");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(stats.events));
    g.bench_function("plain", |b| {
        b.iter(|| assert_eq!(import(&plain, &out), stats.events))
    });
    g.bench_function("gzip", |b| {
        b.iter(|| assert_eq!(import(&gz, &out), stats.events))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
