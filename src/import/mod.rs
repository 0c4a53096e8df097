//! Real histories in: foreign logs converted into dealsim's event-log format.
//!
//! One file per source format, each behind the one small [`Importer`] trait:
//! [`event_csv`] (an event-level CSV from any CRM, with a column mapping), [`xes`] (IEEE 1849
//! XES, plain or gzipped, streamed) and [`crm_deals`] (a deal-level CRM export joined with its
//! dimension tables). An importer hands whole cases to a [`Sink`], which writes `events.csv`
//! and `deals.csv` exactly as the simulator lays them out (see [`case`]), so `score` and
//! everything after it run unchanged on imported data; case attributes dealsim does not know
//! (a CRM's sector, an export's `case:` columns) become extra columns of `deals.csv`. [`import_to_dir`] writes them and an
//! `import_summary.json` into a directory that appears whole or not at all.
//! Not for: reading dealsim's own CSV log (that is [`crate::log::read`]).

pub mod case;
pub mod crm_deals;
pub mod event_csv;
pub mod grouped;
pub mod left_cut;
pub mod stray_dates;
pub mod timestamp;
pub mod xes;

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;

use case::{widen_deals, Case, CaseProblem, CaseWriter, LogStats, OutcomeRule, Written};
use flate2::read::MultiGzDecoder;

use crate::error::{Error, InputError, IoContext};
use crate::indicators::BESIDE_LOG;
use crate::line_endings::CrlfAsLf;
use crate::log::extras::{DealColumns, DEAL_COLUMNS};
use crate::output::OutputDir;
use crate::simulate::{DEALS_FILE, EVENTS_FILE};

/// Name of the summary file written beside the imported log.
pub const SUMMARY_FILE: &str = "import_summary.json";

/// How many skipped-row messages the summary keeps (the count is always complete).
const KEPT_MESSAGES: usize = 20;

/// A source format: reads its input and hands every case to the sink.
pub trait Importer {
    /// Activities that mean won / lost, for cases whose outcome the source does not state.
    fn outcome_rule(&self) -> OutcomeRule {
        OutcomeRule::default()
    }

    /// The indicator set (TOML) that suits what the source records, written beside the log as
    /// [`crate::indicators::BESIDE_LOG`] for `score`, `tune` and `flag` to read; `None` when
    /// the default set does.
    fn indicators(&self) -> Option<&'static str> {
        None
    }

    /// Extra deal columns whose values the source knows only once a deal has closed (a CRM's
    /// revenue), recorded beside the log as [`crate::log::extras::DEAL_COLUMNS`] so that `cut`
    /// blanks them for a deal it reopens; none by default.
    fn known_at_close(&self) -> &'static [&'static str] {
        &[]
    }

    /// Streams the source into `sink`. Bad input is an [`InputError`] naming the place,
    /// unless the sink is lenient and the problem is confined to a row (see [`Sink::reject`]).
    /// A source that knows its case attributes before its first case declares them with
    /// [`Sink::extra_columns`], which fixes their order in `deals.csv`.
    fn import(&self, sink: &mut Sink<'_>) -> Result<(), Error>;
}

/// A name in the source that did not match a dimension table or a known vocabulary.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Unmatched {
    /// What kind of name (`product`, `sector`, `account`, `sales_agent`, ...).
    pub kind: String,
    pub name: String,
    /// Rows of the main table carrying it.
    pub rows: u64,
    /// What it was mapped to, if a close match was used; `None` = left unjoined.
    pub mapped_to: Option<String>,
}

/// What an import did: counts, open deals, what did not join, what was skipped.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportSummary {
    pub format: String,
    pub inputs: Vec<String>,
    /// The offset from UTC the log's local times are in (`--time-zone`; `+00:00` by default
    /// and for sources of dates only): `dealsim export` writes it with the times of an XES.
    pub time_zone: String,
    #[serde(flatten)]
    pub stats: LogStats,
    /// Rows or cases skipped with `--lenient` (0 otherwise: the first problem stops the import).
    pub skipped: u64,
    /// The first few reasons for skipping.
    pub skipped_examples: Vec<String>,
    /// Cases whose events were out of time order in the source (sorted on import).
    pub cases_sorted: u64,
    pub unmatched: Vec<Unmatched>,
    pub notes: Vec<String>,
}

impl ImportSummary {
    /// A few lines for the terminal.
    pub fn render(&self) -> String {
        let s = &self.stats;
        let mut out = format!(
            "imported {} cases, {} events ({}): {} won, {} lost, {} open (censored)\n",
            s.cases, s.events, self.format, s.won, s.lost, s.open
        );
        if self.skipped > 0 {
            out += &format!("skipped {} bad rows or cases (--lenient)\n", self.skipped);
            for m in &self.skipped_examples {
                out += &format!("  {m}\n");
            }
        }
        if self.cases_sorted > 0 {
            out += &format!(
                "note: {} cases had events out of time order; they were sorted by timestamp\n",
                self.cases_sorted
            );
        }
        for u in &self.unmatched {
            let what = match &u.mapped_to {
                Some(m) => format!("joined as {m:?}"),
                None => "not joined".to_string(),
            };
            out += &format!(
                "unmatched {} {:?} ({} rows): {what}\n",
                u.kind, u.name, u.rows
            );
        }
        for n in &self.notes {
            out += &format!("note: {n}\n");
        }
        if self.time_zone != timestamp::Zone::default().offset() {
            out += &format!(
                "times are local at {0}, as read; `dealsim export --format xes` writes them with \
                 that offset\n",
                self.time_zone
            );
        }
        out
    }
}

/// Where importers put cases: the writer plus the `--lenient` bookkeeping.
pub struct Sink<'a> {
    writer: CaseWriter<BufWriter<File>, BufWriter<File>>,
    lenient: bool,
    /// Names the input in duplicate-case errors.
    origin: &'a str,
    pub summary: ImportSummary,
    /// The dates of the cases written, for the note on stray ones.
    dates: stray_dates::DateSpread,
    /// Their creations and closes, for the note on an export cut on the left.
    closes: left_cut::CloseSpread,
}

impl Sink<'_> {
    /// Writes a case. A duplicate id, a case with no date at all, or one the log reader would
    /// refuse (an event or the close before the creation) is bad input: an error, or a skipped
    /// case with `--lenient`.
    pub fn case(&mut self, case: &mut Case, line: Option<usize>) -> Result<(), Error> {
        let id = case.id.clone();
        // Taken before the case moves into the writer, counted once it is written.
        let (days, deal_days) = (stray_dates::days_of(case), left_cut::deal_days(case));
        match self
            .writer
            .write(case)
            .context(|| "writing the imported log".to_string())?
        {
            Ok(()) => {
                self.dates.add(&days, &id);
                self.closes.add(deal_days);
                Ok(())
            }
            Err(p) => {
                let hint = match p {
                    CaseProblem::Duplicate => {
                        ": a case id must be unique (each case's rows must be together in a deal table)"
                    }
                    _ => "",
                };
                let message = format!("{}{hint}", p.describe(&id));
                let e = match (p.place(), line) {
                    (Some((file, l, c)), _) => {
                        InputError::new(file.unwrap_or(self.origin), message).at_position(l, c)
                    }
                    (None, Some(l)) => InputError::new(self.origin, message).at_position(l, 1),
                    (None, None) => InputError::new(self.origin, message),
                };
                self.reject(e)
            }
        }
    }

    /// Declares extra deal columns (see [`CaseWriter::add_extra_columns`]).
    pub fn extra_columns<'n>(&mut self, names: impl IntoIterator<Item = &'n str>) {
        self.writer.add_extra_columns(names);
    }

    /// A problem confined to one row or case: with `--lenient` it is counted and skipped,
    /// otherwise it stops the import.
    pub fn reject(&mut self, e: InputError) -> Result<(), Error> {
        if !self.lenient {
            return Err(e.into());
        }
        self.summary.skipped += 1;
        if self.summary.skipped_examples.len() < KEPT_MESSAGES {
            self.summary.skipped_examples.push(e.to_string());
        }
        Ok(())
    }
}

/// Runs `importer` and writes `events.csv`, `deals.csv`, [`SUMMARY_FILE`], the importer's
/// indicator set and its columns known only at close ([`DEAL_COLUMNS`]), if it has them, into
/// `out` (replaced atomically; nothing is written if the
/// input is bad).
pub fn import_to_dir(
    importer: &dyn Importer,
    origin: &str,
    out: &Path,
    lenient: bool,
) -> Result<ImportSummary, Error> {
    let dir = OutputDir::create(out)?;
    let open = |name: &str| -> Result<BufWriter<File>, Error> {
        let path = dir.file(name);
        let f = File::create(&path).context(|| format!("creating {}", path.display()))?;
        Ok(BufWriter::with_capacity(1 << 20, f))
    };
    let writer = CaseWriter::new(
        open(EVENTS_FILE)?,
        open(DEALS_FILE)?,
        importer.outcome_rule(),
    )
    .context(|| format!("writing into {}", out.display()))?;
    let mut sink = Sink {
        writer,
        lenient,
        origin,
        summary: ImportSummary {
            time_zone: timestamp::Zone::default().offset(),
            ..ImportSummary::default()
        },
        dates: stray_dates::DateSpread::default(),
        closes: left_cut::CloseSpread::default(),
    };
    importer.import(&mut sink)?;
    let Sink {
        writer,
        mut summary,
        dates,
        closes,
        ..
    } = sink;
    summary.notes.extend(dates.notes());
    summary.notes.extend(closes.note());
    let Written {
        stats,
        cases_sorted,
        both_outcomes,
        widen_to,
    } = writer
        .finish()
        .context(|| format!("writing into {}", out.display()))?;
    if let Some(header) = widen_to {
        widen_deals(&dir.file(DEALS_FILE), &header)
            .context(|| format!("writing into {}", out.display()))?;
    }
    if stats.cases == 0 {
        return Err(InputError::new(origin, "no cases to import (empty log)").into());
    }
    summary.stats = stats;
    summary.cases_sorted = cases_sorted;
    // Events imported are at least the rows that made them, so this compares rows with rows.
    if summary.skipped > summary.stats.events {
        summary.notes.push(format!(
            "more rows or cases were skipped ({}) than events imported ({}): the input may not be in \
             the shape expected, and what did read may be misread (a D/M/YYYY date whose day is \
             at most 12 reads as M/D/YYYY); --date-format or --timestamp-format say how dates \
             are written",
            summary.skipped, summary.stats.events
        ));
    }
    if let (n @ 1.., Some(example)) = both_outcomes {
        summary.notes.push(format!(
            "{n} cases have both a won and a lost activity: the first of them in time decides \
             the outcome and the close (e.g. case {example:?})"
        ));
    }
    let json = serde_json::to_vec_pretty(&summary).expect("summary serialises");
    let indicators = importer.indicators().map(str::as_bytes);
    let at_close = importer.known_at_close();
    let columns = (!at_close.is_empty()).then(|| {
        DealColumns {
            known_at_close: at_close.iter().map(|c| c.to_string()).collect(),
        }
        .to_json()
    });
    let files = [
        (SUMMARY_FILE, Some(&json[..])),
        (BESIDE_LOG, indicators),
        (DEAL_COLUMNS, columns.as_deref()),
    ];
    for (name, bytes) in files {
        let Some(bytes) = bytes else { continue };
        let path = dir.file(name);
        let mut f = File::create(&path).context(|| format!("creating {}", path.display()))?;
        f.write_all(bytes)
            .context(|| format!("writing {}", path.display()))?;
    }
    dir.commit()
        .context(|| format!("moving the import into {}", out.display()))?;
    Ok(summary)
}

/// Whether a file starting with `head` is gzip-compressed (its magic bytes): [`open`]
/// decompresses it, the log reader refuses it by name.
pub(crate) fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
}

/// Opens `path` for reading, through a gzip decoder when it starts with the gzip magic bytes
/// (`.xes.gz`, a gzipped CSV export), whatever its name.
pub fn open(path: &Path) -> Result<Box<dyn BufRead>, InputError> {
    let origin = path.display().to_string();
    let mut f =
        File::open(path).map_err(|e| InputError::new(&origin, format!("cannot open: {e}")))?;
    let mut magic = [0u8; 2];
    let n = f
        .read(&mut magic)
        .map_err(|e| InputError::new(&origin, format!("cannot read: {e}")))?;
    let f = File::open(path).map_err(|e| InputError::new(&origin, format!("cannot open: {e}")))?;
    Ok(if is_gzip(&magic[..n]) {
        Box::new(BufReader::with_capacity(
            1 << 18,
            MultiGzDecoder::new(BufReader::new(f)),
        ))
    } else {
        Box::new(BufReader::with_capacity(1 << 18, f))
    })
}

/// A reader of the user's CSV at `path`, gzipped or not, separated by commas or, when its header
/// line holds more of them, by semicolons or tabs (as spreadsheets in many European locales
/// export, and so many CRMs' "CSV" exports). Every importer reads the user's CSV files through it, so that
/// all of them take what one does. A note in `sink`'s summary says when it is not commas.
pub fn delimited_reader(
    path: &Path,
    sink: &mut Sink<'_>,
) -> Result<csv::Reader<CrlfAsLf<Box<dyn BufRead>>>, InputError> {
    let mut input = open(path)?;
    let head = input
        .fill_buf()
        .map_err(|e| InputError::new(path.display().to_string(), format!("cannot read: {e}")))?;
    check_not_utf16(head, path)?;
    let delimiter = delimiter(head.split(|&b| b == b'\n').next().unwrap_or_default());
    if delimiter != b',' {
        let name = if delimiter == b';' {
            "semicolons"
        } else {
            "tabs"
        };
        sink.summary.notes.push(format!(
            "{}: read as separated by {name} (the most frequent separator in its header line)",
            path.display()
        ));
    }
    Ok(csv::ReaderBuilder::new()
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(CrlfAsLf::new(input)))
}

/// Refuses a file that starts with a UTF-16 byte-order mark (Excel's "Unicode text", some CRM
/// exports): read as UTF-8 its first byte is invalid, and the Latin-1 hint of [`utf8_field`]
/// would send the user to the wrong conversion.
pub(crate) fn check_not_utf16(head: &[u8], path: &Path) -> Result<(), InputError> {
    let order = match head {
        [0xff, 0xfe, ..] => "little-endian, byte-order mark FF FE",
        [0xfe, 0xff, ..] => "big-endian, byte-order mark FE FF",
        _ => return Ok(()),
    };
    let file = path.display();
    Err(InputError::new(
        file.to_string(),
        format!(
            "the file is UTF-16 text ({order}), but must be UTF-8: convert it first, e.g. \
             iconv -f UTF-16 -t UTF-8 {file} > converted.csv"
        ),
    )
    .at_position(1, 1))
}

/// The field separator of a CSV whose header line is `line`: the most frequent of comma,
/// semicolon and tab outside double quotes (a column named `"Umsatz, EUR"` does not make a
/// semicolon file comma-separated), a comma on a tie (a one-column file has none).
fn delimiter(line: &[u8]) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for &b in line {
        if b == b'"' {
            // An escaped quote ("") toggles twice and leaves the state as it was.
            quoted = !quoted;
        } else if !quoted {
            if let Some(c) = counts.iter_mut().find(|(d, _)| *d == b) {
                c.1 += 1;
            }
        }
    }
    // The first of the most frequent: `max_by_key` would take the last on a tie.
    let most = counts.iter().map(|c| c.1).max().unwrap_or(0);
    counts.iter().find(|c| c.1 == most).map_or(b',', |c| c.0)
}

/// A field as UTF-8 text, or an error naming the line and column (CRM exports in Latin-1 or
/// Windows-1252 are the usual cause).
pub fn utf8_field<'b>(
    bytes: &'b [u8],
    origin: &str,
    line: usize,
    column: &str,
    column_index: usize,
) -> Result<&'b str, InputError> {
    std::str::from_utf8(bytes).map_err(|e| {
        InputError::new(
            origin,
            format!(
                "column `{column}`: invalid UTF-8 (byte 0x{:02x} at byte {} of the field): the file must be UTF-8 text; convert it first (e.g. iconv -f latin1 -t utf-8)",
                bytes[e.valid_up_to()],
                e.valid_up_to() + 1
            ),
        )
        .at_position(line, column_index + 1)
    })
}

#[cfg(test)]
mod tests {
    use super::{check_not_utf16, delimiter};

    /// A UTF-16 export was told to convert from Latin-1.
    #[test]
    fn a_utf16_file_is_named_with_its_conversion() {
        let path = std::path::Path::new("crm.csv");
        for head in [&b"\xff\xfec\x00a\x00"[..], b"\xfe\xff\x00c\x00a"] {
            let e = check_not_utf16(head, path).unwrap_err().to_string();
            assert!(
                e.starts_with("crm.csv: line 1, column 1: the file is UTF-16 text"),
                "{e}"
            );
            assert!(e.contains("iconv -f UTF-16 -t UTF-8 crm.csv"), "{e}");
        }
        // UTF-8, with its own mark or without, and Latin-1 pass.
        for head in [
            &b"\xef\xbb\xbfcase_id"[..],
            b"case_id",
            b"\xe9t\xe9",
            b"",
            b"\xff",
        ] {
            assert!(check_not_utf16(head, path).is_ok());
        }
    }

    #[test]
    fn the_separator_is_the_most_frequent_outside_quotes() {
        assert_eq!(delimiter(b"case_id,activity,timestamp"), b',');
        assert_eq!(delimiter(b"case_id;activity;timestamp"), b';');
        assert_eq!(delimiter(b"case_id\tactivity\ttimestamp"), b'\t');
        // Separators inside quotes do not count, escaped quotes included.
        assert_eq!(delimiter(b"\"Umsatz, EUR\";account"), b';');
        assert_eq!(delimiter(b"\"a \"\"b, c\"\" d\";e;f"), b';');
        assert_eq!(delimiter(b"\"x;y;z\",a,b"), b',');
        // More semicolons than commas outside quotes: semicolons (a comma in a bare name).
        assert_eq!(delimiter(b"id;value, EUR;stage"), b';');
        // A tie or none: comma.
        assert_eq!(delimiter(b"a,b;c"), b',');
        assert_eq!(delimiter(b"deal_id"), b',');
        assert_eq!(delimiter(b""), b',');
    }
}
