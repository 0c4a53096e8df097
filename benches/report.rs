//! Report rendering (issue 5, acceptance 3: the default run's `index.html` renders in ≤ 1 s).
//!
//! Setup simulates and scores the default scenario (about 24,000 deals, 200 bootstrap
//! replicates) into a temporary run directory once; then
//! - `render_dir`: the whole `dealsim report --from DIR` job (read the saved tables, draw
//!   every plot, write `index.html` and `summary.md`);
//! - `html_in_memory`: drawing the page from loaded tables, no file I/O.

use criterion::{criterion_group, criterion_main, Criterion};
use indicatif::ProgressBar;

use dealsim::indicators;
use dealsim::output::FileSet;
use dealsim::report::{html, load::RunData, render_dir};
use dealsim::scenario::Scenario;
use dealsim::score::{score_into, ScoreJob};
use dealsim::scoring::{Censoring, ScoreOptions};

fn bench_report(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("run");
    let scenario = Scenario::embedded_default();
    let hidden = ProgressBar::hidden();
    dealsim::simulate::simulate_to_dir(&scenario, &dir, "bench", &hidden, false)
        .expect("simulates");
    let job = ScoreJob {
        events: &dir.join("events.csv"),
        deals: &dir.join("deals.csv"),
        truth: None,
        indicators: indicators::default_set(),
        scenario: &scenario,
        landmarks: (7..=168).step_by(7).collect(),
        window_end: Some(dealsim::log::cut::WindowEnd::field(
            scenario.end,
            dealsim::scenario::DEFAULT_ORIGIN,
            "window.end",
        )),
        options: ScoreOptions {
            censoring: Censoring::Known,
            interval: dealsim::scoring::IntervalMethod::Delong,
            bootstrap: 200,
            cluster: dealsim::stats::bootstrap::Cluster::Deal,
            min_class: 20,
            target: 0.7,
            confidence: 0.95,
            seed: scenario.seed,
        },
    };
    let mut scored = FileSet::new(&dir);
    score_into(&job, &mut scored, &hidden).expect("scores");
    scored.write().expect("written");
    let index = render_dir(&dir).expect("renders");
    eprintln!(
        "default run: index.html is {} bytes",
        std::fs::metadata(index).expect("written").len()
    );
    let data = RunData::load(&dir).expect("loads");

    let mut g = c.benchmark_group("report_default_run");
    g.sample_size(20);
    g.bench_function("render_dir", |b| {
        b.iter(|| render_dir(&dir).expect("renders"))
    });
    g.bench_function("html_in_memory", |b| {
        b.iter(|| html::render(&data).expect("draws"))
    });
    g.finish();
}

criterion_group!(benches, bench_report);
criterion_main!(benches);
