//! Event logs out, in the formats process-mining tools read: one file per format behind the
//! [`LogExporter`] trait ([`super::xes`], [`super::pm4py_csv`]), and [`export_log`], which
//! reads a dealsim log and writes one of them atomically (gzipped when the name ends `.gz`).
//! Not for: dealsim's own `events.csv` / `deals.csv` (see [`super::csv_log`]).

use std::path::Path;

use flate2::write::GzEncoder;

use crate::error::{Error, InputError, IoContext};
use crate::import::case::LogStats;
use crate::log::{read::read_log, Log};
use crate::output::{check_output_file, write_file_atomic};

/// A log format: serialises a whole log.
pub trait LogExporter {
    /// Appends the log in this format to `out`.
    fn serialize(&self, log: &Log, out: &mut Vec<u8>);
}

/// The formats `dealsim export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// IEEE 1849 XES with the Concept, Time, Lifecycle and Organizational extensions.
    Xes,
    /// CSV with PM4Py's column names.
    Pm4pyCsv,
}

impl LogFormat {
    fn exporter(self) -> Box<dyn LogExporter> {
        match self {
            LogFormat::Xes => Box::new(super::xes::XesExporter),
            LogFormat::Pm4pyCsv => Box::new(super::pm4py_csv::Pm4pyCsvExporter),
        }
    }
}

/// The counts a process-mining tool would report for `log`: cases, events, and the first and
/// last activity of each case (events in log order, which is time order).
pub fn log_stats(log: &Log) -> LogStats {
    let mut stats = LogStats::default();
    for (i, d) in log.deals.iter().enumerate() {
        let names: Vec<&str> = log
            .events_of(i)
            .iter()
            .map(|e| log.symbols.name(e.activity))
            .collect();
        stats.add(d.outcome, &names);
    }
    stats
}

/// Reads `events` + `deals` and writes them to `out` in `format` (gzipped if `out` ends in
/// `.gz`), atomically. Returns the log's counts, for comparing with another tool's reading.
pub fn export_log(
    events: &Path,
    deals: &Path,
    format: LogFormat,
    out: &Path,
) -> Result<LogStats, Error> {
    check_output_file(out)?;
    let log = read_log(events, deals)?;
    let mut bytes = Vec::new();
    format.exporter().serialize(&log, &mut bytes);
    if out.extension().is_some_and(|e| e == "gz") {
        let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, &bytes).context(|| "compressing".into())?;
        bytes = gz.finish().context(|| "compressing".into())?;
    }
    write_file_atomic(out, &bytes).map_err(|e| {
        InputError::new(
            format!("--out {}", out.display()),
            format!("cannot write the file: {e}"),
        )
    })?;
    Ok(log_stats(&log))
}
