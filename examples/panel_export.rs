//! Times dealsim's point-scoring job and exports its input for `benches/sklearn_compare.py`.
//!
//! Usage: `cargo run --release --example panel_export -- DEALS OUT_DIR [BOOTSTRAP]`
//! (with BOOTSTRAP, also times scoring with that many replicates).
//! Writes `OUT_DIR/panel.bin` (per landmark: rows of segment u16, label i8, values f32 × I)
//! and `OUT_DIR/panel.json` (shapes, names, Rust timings and AUCs) so that scikit-learn can
//! run the same job on exactly the same numbers.

use std::io::Write;
use std::time::Instant;

use dealsim::indicators::{self, stage_map::StageMaps};
use dealsim::log::Outcome;
use dealsim::scenario::Scenario;
use dealsim::scoring::{self, Censoring, IntervalMethod, ScoreOptions};
use dealsim::sim::{collect_log, Engine};
use dealsim::time::DayNum;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let deals: u64 = args.next().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let out = std::path::PathBuf::from(args.next().unwrap_or_else(|| "target/panel".into()));
    std::fs::create_dir_all(&out)?;
    let scenario = Scenario::embedded_default().with_target_deals(deals, "deals")?;
    let engine = Engine::new(&scenario);
    let (log, _) = collect_log(&engine);
    let specs = indicators::default_set();
    let maps = StageMaps::new(&scenario, &log);
    let landmarks: Vec<u32> = (7..=168).step_by(7).collect();
    let window_end = DayNum(scenario.end.0 + 1).start();
    let options = ScoreOptions {
        censoring: Censoring::Known,
        // Bootstrap intervals from no replicates: point AUCs only, as scikit-learn computes.
        interval: IntervalMethod::Bootstrap,
        bootstrap: 0,
        cluster: dealsim::stats::bootstrap::Cluster::Deal,
        min_class: 20,
        target: 0.7,
        confidence: 0.95,
        seed: 1,
    };

    let started = Instant::now();
    let panel = indicators::evaluate(&log, &specs, None, &maps, &landmarks, window_end);
    let evaluated = started.elapsed().as_secs_f64();
    let rows = scoring::score(&panel, &options);
    let total = started.elapsed().as_secs_f64();

    let mut bin = std::io::BufWriter::new(std::fs::File::create(out.join("panel.bin"))?);
    let mut counts = Vec::new();
    for at in &panel.at {
        counts.push(at.deals.len());
        for (r, &d) in at.deals.iter().enumerate() {
            bin.write_all(&panel.deal_segment[d as usize].to_le_bytes())?;
            let label: i8 = match panel.outcome[d as usize] {
                Outcome::Lost => 1,
                Outcome::Won => 0,
                Outcome::Open => -1,
            };
            bin.write_all(&label.to_le_bytes())?;
            for col in &at.values {
                bin.write_all(&col[r].to_le_bytes())?;
            }
        }
    }
    bin.flush()?;
    let meta = serde_json::json!({
        "deals": log.deals.len(),
        "landmarks": landmarks,
        "rows_per_landmark": counts,
        "segments": panel.segments,
        "indicators": panel.indicators,
        "min_class": options.min_class,
        "rust_seconds": { "evaluate": evaluated, "evaluate_and_score": total },
        "rust_threads": rayon::current_num_threads(),
        "scores": rows,
    });
    std::fs::write(out.join("panel.json"), serde_json::to_vec(&meta)?)?;
    eprintln!(
        "{} deals: evaluate {evaluated:.3} s, evaluate + point scoring {total:.3} s",
        log.deals.len()
    );
    if let Some(b) = args.next().and_then(|v| v.parse::<usize>().ok()) {
        let started = Instant::now();
        scoring::score(
            &panel,
            &ScoreOptions {
                bootstrap: b,
                ..options
            },
        );
        let seconds = started.elapsed().as_secs_f64();
        eprintln!("scoring with {b} bootstrap replicates: {seconds:.3} s");
    }
    Ok(())
}
