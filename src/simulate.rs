//! `dealsim simulate`: scenario → engine → CSV files, the scenario as resolved and a manifest in
//! an atomic run directory.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use indicatif::ProgressBar;

use crate::error::{Error, InputError, IoContext};
use crate::export::csv_log::{self, DEALS_HEADER, EVENTS_HEADER, TRUTH_HEADER};
use crate::export::manifest::{Manifest, Timings};
use crate::log::{Log, Outcome};
use crate::output::OutputDir;
use crate::scenario::{self, Scenario};
use crate::sim::{self, DealHistory, Engine, LogBuilder, LogPart};
use crate::summary::{self, DealStat, SegmentSummary};

pub const EVENTS_FILE: &str = "events.csv";
pub const DEALS_FILE: &str = "deals.csv";
pub const TRUTH_FILE: &str = "truth.csv";
pub const MANIFEST_FILE: &str = "manifest.json";

/// What a simulation produced.
#[derive(Debug)]
pub struct Simulated {
    pub dir: PathBuf,
    pub deals: u64,
    pub events: u64,
    pub seconds: f64,
    pub summary: Vec<SegmentSummary>,
    /// The log the files hold, when asked for: equal to reading them back, without the time
    /// that takes.
    pub log: Option<Log>,
}

/// One chunk of deals formatted as CSV rows (without headers), plus their summary records.
#[derive(Default)]
pub struct CsvChunk {
    pub events: Vec<u8>,
    pub deals: Vec<u8>,
    pub truth: Vec<u8>,
    pub event_count: u64,
    pub stats: Vec<DealStat>,
    /// The deals and events themselves, when the caller keeps the log (else empty).
    pub log: LogPart,
}

impl CsvChunk {
    fn clear(&mut self) {
        self.events.clear();
        self.deals.clear();
        self.truth.clear();
        self.event_count = 0;
        self.stats.clear();
        self.log.clear();
    }
}

/// Simulates every deal of `engine` and formats it as `events.csv`, `deals.csv` and
/// `truth.csv` rows, also keeping the deals and events when `keep_log` is set; `consume` sees
/// the chunks in deal order (see [`sim::generate`]).
///
/// Consumed chunks are cleared and handed back to the workers: fresh multi-megabyte buffers
/// for every chunk cost more in page faults than formatting into them does.
pub fn generate_csv<C, P>(
    engine: &Engine<'_>,
    keep_log: bool,
    mut consume: C,
    progress: P,
) -> std::io::Result<()>
where
    C: FnMut(&CsvChunk) -> std::io::Result<()> + Send,
    P: FnMut(usize) + Send,
{
    let spare: Mutex<Vec<CsvChunk>> = Mutex::new(Vec::new());
    let recycle = |mut c: CsvChunk| {
        consume(&c)?;
        c.clear();
        spare.lock().expect("no panics while locked").push(c);
        Ok(())
    };
    let sy = &engine.vocab.symbols;
    let rows = csv_log::EventRows::new(sy);
    let proposal: Vec<Option<usize>> = engine
        .scenario
        .segments
        .iter()
        .map(|s| s.proposal_step)
        .collect();
    let format = |h: &DealHistory, c: &mut CsvChunk| {
        // A fresh chunk (first deal, nothing allocated yet) takes a consumed one's buffers.
        if c.stats.is_empty() && c.stats.capacity() == 0 {
            if let Some(reused) = spare.lock().expect("no panics while locked").pop() {
                *c = reused;
            }
        }
        rows.write(&mut c.events, &h.deal, &h.events);
        c.event_count += h.events.len() as u64;
        csv_log::write_deal(&mut c.deals, sy, &h.deal);
        csv_log::write_truth(&mut c.truth, sy, &h.deal, &h.truth);
        if keep_log {
            c.log.push(h);
        }
        let segment = engine
            .vocab
            .segments
            .iter()
            .position(|&s| s == h.deal.segment)
            .unwrap_or(0);
        let lost_index = h
            .deal
            .lost_step
            .and_then(|l| engine.vocab.steps[segment].iter().position(|&s| s == l));
        c.stats.push(DealStat {
            segment: segment as u16,
            outcome: h.deal.outcome,
            cycle_days: h
                .deal
                .closed
                .map_or(0.0, |c| c.days_since(h.deal.created) as f32),
            lost_after_proposal: h.deal.outcome == Outcome::Lost
                && matches!((lost_index, proposal[segment]), (Some(l), Some(p)) if l > p),
        });
    };
    sim::generate(engine, format, recycle, progress)
}

/// The default run directory: `reports/<scenario name>-seed<seed>`.
pub fn default_out_dir(s: &Scenario) -> PathBuf {
    Path::new("reports").join(format!("{}-seed{}", s.name, s.seed))
}

/// Simulates `scenario` into `out` (replaced atomically), reporting progress on `bar`; with
/// `keep_log`, also returns the log the files hold (see [`Simulated::log`]).
pub fn simulate_to_dir(
    scenario: &Scenario,
    out: &Path,
    command: &str,
    bar: &ProgressBar,
    keep_log: bool,
) -> Result<Simulated, Error> {
    let dir = OutputDir::create(out)?;
    let mut sim = simulate_into(scenario, &dir, command, bar, keep_log)?;
    sim.dir = dir
        .commit()
        .context(|| format!("moving the finished run into {}", out.display()))?;
    Ok(sim)
}

/// [`simulate_to_dir`] into `dir`, not yet committed: `dealsim run` adds its scores, policy
/// and report first, so that a failure in any step leaves no run directory behind.
/// [`Simulated::dir`] is `dir`'s target.
pub fn simulate_into(
    scenario: &Scenario,
    dir: &OutputDir,
    command: &str,
    bar: &ProgressBar,
    keep_log: bool,
) -> Result<Simulated, Error> {
    let out = dir.target();
    let started = Instant::now();
    let engine = Engine::new(scenario);
    if engine.deal_count() == 0 {
        return Err(no_deal(&format!("scenario {}", scenario.name), scenario).into());
    }
    bar.set_length(engine.deal_count() as u64);
    let open = |name: &str| -> Result<BufWriter<File>, Error> {
        let path = dir.file(name);
        let f = File::create(&path).context(|| format!("creating {}", path.display()))?;
        Ok(BufWriter::with_capacity(1 << 20, f))
    };
    let mut events = open(EVENTS_FILE)?;
    let mut deals = open(DEALS_FILE)?;
    let mut truth = open(TRUTH_FILE)?;
    let write_err = |name: &str| format!("writing {}", dir.file(name).display());
    events
        .write_all(EVENTS_HEADER.as_bytes())
        .context(|| write_err(EVENTS_FILE))?;
    deals
        .write_all(DEALS_HEADER.as_bytes())
        .context(|| write_err(DEALS_FILE))?;
    truth
        .write_all(TRUTH_HEADER.as_bytes())
        .context(|| write_err(TRUTH_FILE))?;

    let mut stats = Vec::with_capacity(engine.deal_count());
    let mut event_count = 0u64;
    let mut kept = keep_log.then(|| LogBuilder::new(&engine));
    let consume = |c: &CsvChunk| -> std::io::Result<()> {
        if let Some(log) = kept.as_mut() {
            log.append(&c.log);
        }
        events.write_all(&c.events)?;
        deals.write_all(&c.deals)?;
        truth.write_all(&c.truth)?;
        event_count += c.event_count;
        stats.extend_from_slice(&c.stats);
        Ok(())
    };
    generate_csv(&engine, keep_log, consume, |n| bar.inc(n as u64))
        .context(|| format!("writing into {}", out.display()))?;
    for (mut w, name) in [
        (events, EVENTS_FILE),
        (deals, DEALS_FILE),
        (truth, TRUTH_FILE),
    ] {
        w.flush().context(|| write_err(name))?;
    }
    let seconds = started.elapsed().as_secs_f64();

    let kinds: Vec<summary::SegmentKind> = scenario
        .segments
        .iter()
        .map(|s| summary::SegmentKind {
            name: s.name.clone(),
            review: s.review,
            has_proposal: s.proposal_step.is_some(),
        })
        .collect();
    let summary = summary::summarise(&kinds, &stats);
    std::fs::write(dir.file(scenario::BESIDE_LOG), scenario.to_toml())
        .context(|| write_err(scenario::BESIDE_LOG))?;
    let sim = Simulated {
        dir: out.to_path_buf(),
        deals: stats.len() as u64,
        events: event_count,
        seconds,
        summary,
        log: kept.map(LogBuilder::finish),
    };
    let mut files = [
        EVENTS_FILE,
        DEALS_FILE,
        TRUTH_FILE,
        scenario::BESIDE_LOG,
        MANIFEST_FILE,
    ];
    files.sort_unstable();
    write_manifest(dir.staging(), scenario, command, &sim, &files)?;
    Ok(sim)
}

/// The error for a scenario whose random arrivals came to no deal at all (a handful expected):
/// its files would hold nothing to score or tune.
pub fn no_deal(origin: &str, scenario: &Scenario) -> InputError {
    InputError::new(
        origin,
        format!(
            "its arrivals came to no deal (about {:.1} expected over the window, seed {}): \
             ask for more with --deals N, or raise the segments' inflow.per_month",
            crate::sim::expected_deals(scenario),
            scenario.seed
        ),
    )
}

/// Writes `manifest.json` into `dir` for `sim`, a simulation of `scenario` run by `command`,
/// listing `files` (sorted) as the directory's. `dealsim run` writes it again once its scores, policy
/// and report are in, so that the list names every file of the run.
pub fn write_manifest(
    dir: &Path,
    scenario: &Scenario,
    command: &str,
    sim: &Simulated,
    files: &[&str],
) -> Result<(), Error> {
    let manifest = Manifest {
        tool: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
        command,
        seed: scenario.seed,
        deals: sim.deals,
        events: sim.events,
        files,
        segments: &sim.summary,
        timings: Timings {
            simulate_seconds: sim.seconds,
            deals_per_second: sim.deals as f64 / sim.seconds.max(1e-9),
            events_per_second: sim.events as f64 / sim.seconds.max(1e-9),
        },
        scenario: &scenario.spec,
    };
    let path = dir.join(MANIFEST_FILE);
    std::fs::write(&path, manifest.to_json()).context(|| format!("writing {}", path.display()))
}
