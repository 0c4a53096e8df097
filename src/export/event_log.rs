//! Event logs out, in the formats process-mining tools read: one file per format behind the
//! [`LogExporter`] trait ([`super::xes`], [`super::pm4py_csv`]), and [`export_log`], which
//! reads a dealsim log and writes one of them atomically (gzipped when the name ends `.gz`).
//! Both formats carry the deal table's extra columns (an imported CRM's account, sector, ...)
//! as text case attributes after the standard ones, so a process-mining tool sees them and
//! `dealsim import` brings them back.
//! Not for: dealsim's own `events.csv` / `deals.csv` (see [`super::csv_log`]).

use std::path::Path;

use flate2::write::GzEncoder;

use crate::error::{Error, InputError, IoContext};
use crate::import::case::LogStats;
use crate::import::timestamp::Zone;
use crate::log::extras::DealExtras;
use crate::log::{read::read_log_with_extras, Log};
use crate::output::{check_output_file, write_file_atomic};

/// A log format: serialises a whole log.
pub trait LogExporter {
    /// Appends the log in this format to `out`, with `extras` (one row per deal of `log`)
    /// as case attributes.
    fn serialize(&self, log: &Log, extras: &DealExtras, out: &mut Vec<u8>);
}

/// The formats `dealsim export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// IEEE 1849 XES with the Concept, Time, Lifecycle and Organizational extensions; the
    /// log's local times are written with the zone's offset.
    Xes(Zone),
    /// CSV with PM4Py's column names.
    Pm4pyCsv,
}

impl LogFormat {
    fn exporter(self) -> Box<dyn LogExporter> {
        match self {
            LogFormat::Xes(zone) => Box::new(super::xes::XesExporter {
                offset: zone.offset(),
            }),
            LogFormat::Pm4pyCsv => Box::new(super::pm4py_csv::Pm4pyCsvExporter),
        }
    }

    /// Checks that every extra deal column can be a case attribute of this format: named,
    /// not `concept:name` (the case id's key in both formats) and, for XES, an XML name (the
    /// schema's type of an attribute key). (The log reader refuses a name given twice.)
    /// `origin` is the deal table.
    fn check_case_attributes(self, extras: &DealExtras, origin: &str) -> Result<(), InputError> {
        for (name, column) in extras.columns() {
            let problem = if name.is_empty() {
                "a deal column without a name: each extra column becomes a case attribute of \
                 the export, which needs one"
                    .to_string()
            } else if name == "concept:name" {
                "column `concept:name`: the export names the case id so; rename the column"
                    .to_string()
            } else if matches!(self, LogFormat::Xes(_)) && !is_xml_name(name) {
                format!(
                    "column `{name}`: an extra deal column becomes an XES attribute key, which \
                     must be an XML name (letters, digits, `_`, `-`, `.` and `:`, starting with \
                     a letter, `_` or `:`; no spaces): rename the column, or export --format csv"
                )
            } else {
                continue;
            };
            return Err(InputError::new(origin, problem).at_position(1, column));
        }
        Ok(())
    }
}

/// Whether `s` is an XML `Name` (XML 1.0, production 5), with Unicode letters and digits
/// standing in for the standard's code-point ranges.
fn is_xml_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | ':' | '-' | '.'))
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
    let (log, extras) = read_log_with_extras(events, deals)?;
    format.check_case_attributes(&extras, &deals.display().to_string())?;
    let mut bytes = Vec::new();
    format.exporter().serialize(&log, &extras, &mut bytes);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_names() {
        for ok in [
            "sector",
            "close_value",
            "org:group",
            "_x",
            "Stück-2.b",
            ":x",
        ] {
            assert!(is_xml_name(ok), "{ok}");
        }
        for bad in ["", "close value", "2nd", "-x", ".x", "a/b", "a\"b"] {
            assert!(!is_xml_name(bad), "{bad}");
        }
    }
}
