//! What the scoring and tuning benchmarks share: the default scenario scaled to
//! `DEALSIM_BENCH_DEALS` deals (100,000 unless set; the issues' size is 1,000,000, whose
//! in-memory log needs about 4.3 GB), simulated in memory, with its stage maps, the default
//! indicators and the default landmarks.

use dealsim::indicators::{self, stage_map::StageMaps, IndicatorSpec};
use dealsim::log::Log;
use dealsim::scenario::Scenario;
use dealsim::sim::{collect_log, Engine};
use dealsim::time::{DayNum, Timestamp};

pub struct Job {
    /// The deal count asked for (the simulation creates about this many).
    pub deals: u64,
    pub scenario: Scenario,
    pub log: Log,
    pub specs: Vec<IndicatorSpec>,
    pub maps: StageMaps,
    pub landmarks: Vec<u32>,
    pub window_end: Timestamp,
}

pub fn default_job() -> Job {
    let deals: u64 = std::env::var("DEALSIM_BENCH_DEALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let scenario = Scenario::embedded_default()
        .with_target_deals(deals, "bench")
        .expect("valid");
    let (log, _) = collect_log(&Engine::new(&scenario));
    let maps = StageMaps::new(&scenario, &log);
    let window_end = DayNum(scenario.end.0 + 1).start();
    Job {
        deals,
        scenario,
        log,
        specs: indicators::default_set(),
        maps,
        landmarks: (7..=168).step_by(7).collect(),
        window_end,
    }
}
