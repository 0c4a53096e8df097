//! A deal-level CRM export: one row per opportunity plus dimension tables.
//!
//! The shape of the Maven Analytics "CRM Sales Opportunities" sample (and of many CRM
//! exports): `sales_pipeline.csv` (opportunity_id, sales_agent, product, account, deal_stage,
//! engage_date, close_date, close_value) joined with `accounts.csv` (sector, ...),
//! `products.csv` (series, sales_price) and `sales_teams.csv` (manager, regional_office).
//! Each file may be separated by commas, semicolons or tabs, as an event CSV may
//! ([`super::delimited_reader`]). Each opportunity becomes a deal with two events at most:
//! `deal_created` on the engage date and `won` / `lost` on the close date; Engaging (and
//! dated Prospecting) deals are open, i.e. censored. Prospecting deals without an engage date
//! have no point in time at all and are left out, with a note.
//!
//! The deal's `value` is the product's list price: `close_value` is the revenue *after* the
//! outcome (0 for every lost deal), so using it would leak the outcome into an indicator; it
//! is kept as an extra column. Joins are exact first; a name that differs only in case, spaces
//! or punctuation (`GTXPro` vs `GTX Pro`) is joined and reported, anything else is reported as
//! not joined. Sectors are checked against a vocabulary of common industry names, and a close
//! misspelling (`technolgy`) is corrected and reported.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::case::{Case, RawEvent};
use super::event_csv::Header;
use super::timestamp::{self, TimeFormat, Zone};
use super::{delimited_reader, utf8_field, Importer, Sink, Unmatched};
use crate::error::{did_you_mean, unequal_fields, Error, InputError};
use crate::log::Outcome;

/// Which attribute becomes the deal's segment (scores are reported per segment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentBy {
    /// The account's sector (after correcting misspellings).
    Sector,
    /// The sales agent's regional office.
    Office,
    /// The product series.
    Series,
    /// One segment, `all`.
    None,
}

/// Industry names a sector is checked against (the export has no sector table).
pub const KNOWN_SECTORS: &[&str] = &[
    "agriculture",
    "construction",
    "education",
    "employment",
    "energy",
    "entertainment",
    "finance",
    "government",
    "healthcare",
    "hospitality",
    "insurance",
    "logistics",
    "manufacturing",
    "marketing",
    "media",
    "medical",
    "retail",
    "services",
    "software",
    "technology",
    "telecommunications",
    "transportation",
];

/// The export's directory and how to segment it.
pub struct CrmDeals {
    pub dir: PathBuf,
    pub segment_by: SegmentBy,
    /// How `engage_date` and `close_date` are written (`--date-format`; M/D/YYYY in the
    /// Maven sample).
    pub date_format: TimeFormat,
}

/// Columns appended to `deals.csv`: the joined attributes, for reports and further analysis.
const EXTRA: [&str; 7] = [
    "account",
    "sector",
    "product",
    "series",
    "regional_office",
    "manager",
    CLOSE_VALUE,
];

/// The extra column of the revenue a deal closed with (0 for a lost one): known only at close.
const CLOSE_VALUE: &str = "close_value";

/// A dimension table: key → the other columns by name.
struct Dimension {
    rows: HashMap<String, HashMap<String, String>>,
    /// Normalised key → key, for names that differ only in case, spaces or punctuation.
    loose: HashMap<String, String>,
}

fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a row of `len` fields at `line` has as many as the header: a longer one would drop
/// a value unseen (an unquoted decimal comma splits `4.514,00`), a shorter one was cut.
fn full_row(len: usize, header: &Header, origin: &str, line: usize) -> Result<(), InputError> {
    if len == header.names.len() {
        return Ok(());
    }
    Err(InputError::new(origin, unequal_fields(len, header.names.len())).at_position(line, 1))
}

/// Reads a dimension table keyed by `key` with `columns`; those also in `amounts` must be
/// empty or a number ≥ 0 (a price), so that a typo is an error, not a deal without a value.
/// `sink` hears how the file is separated ([`delimited_reader`]).
fn read_table(
    path: &Path,
    key: &str,
    columns: &[&str],
    amounts: &[&str],
    sink: &mut Sink<'_>,
) -> Result<Dimension, InputError> {
    let origin = path.display().to_string();
    let mut reader = delimited_reader(path, sink)?;
    let header = Header::read(&mut reader, &origin)?;
    let c_key = header.require(key, "the join key")?;
    let cols = columns
        .iter()
        .map(|c| {
            header
                .require(c, "a joined attribute")
                .map(|i| (c.to_string(), i))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut rows = HashMap::new();
    let mut loose = HashMap::new();
    for rec in reader.byte_records() {
        let rec = rec.map_err(|e| InputError::new(&origin, format!("malformed CSV: {e}")))?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        full_row(rec.len(), &header, &origin, line)?;
        let text = |i: usize| -> Result<String, InputError> {
            utf8_field(
                rec.get(i).unwrap_or(b""),
                &origin,
                line,
                &header.names[i],
                i,
            )
            .map(|s| s.trim().to_string())
        };
        let k = text(c_key)?;
        let mut attrs = HashMap::new();
        for (name, i) in &cols {
            let value = text(*i)?;
            let amount = || {
                value
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && *v >= 0.0)
            };
            if amounts.contains(&name.as_str()) && !value.is_empty() && amount().is_none() {
                return Err(InputError::new(
                    &origin,
                    format!("column `{name}`: expected an amount ≥ 0, got {value:?}"),
                )
                .at_position(line, i + 1));
            }
            attrs.insert(name.clone(), value);
        }
        // The key too, so that a row joined loosely gives its own spelling of it.
        attrs.insert(key.to_string(), k.clone());
        loose.insert(normalise(&k), k.clone());
        if rows.insert(k.clone(), attrs).is_some() {
            return Err(
                InputError::new(&origin, format!("duplicate key {k:?} in column `{key}`"))
                    .at_position(line, c_key + 1),
            );
        }
    }
    Ok(Dimension { rows, loose })
}

/// Joins and records what did not join exactly.
#[derive(Default)]
struct Joins {
    /// (kind, name) → (rows, mapped to).
    misses: BTreeMap<(String, String), (u64, Option<String>)>,
}

impl Joins {
    fn join<'d>(
        &mut self,
        kind: &str,
        dim: &'d Dimension,
        name: &str,
    ) -> Option<&'d HashMap<String, String>> {
        if let Some(r) = dim.rows.get(name) {
            return Some(r);
        }
        let mapped = dim.loose.get(&normalise(name));
        let entry = self
            .misses
            .entry((kind.to_string(), name.to_string()))
            .or_insert((0, mapped.cloned()));
        entry.0 += 1;
        mapped.and_then(|k| dim.rows.get(k))
    }

    fn sector(&mut self, raw: &str) -> String {
        let lower = raw.to_lowercase();
        if KNOWN_SECTORS.contains(&lower.as_str()) {
            return lower;
        }
        let fix = did_you_mean(&lower, KNOWN_SECTORS.iter().copied()).map(str::to_string);
        let entry = self
            .misses
            .entry(("sector".to_string(), raw.to_string()))
            .or_insert((0, fix.clone()));
        entry.0 += 1;
        fix.unwrap_or(lower)
    }
}

impl Importer for CrmDeals {
    fn indicators(&self) -> Option<&'static str> {
        Some(crate::indicators::CRM_TOML)
    }

    fn known_at_close(&self) -> &'static [&'static str] {
        &[CLOSE_VALUE]
    }

    fn import(&self, sink: &mut Sink<'_>) -> Result<(), Error> {
        sink.summary.format = "CRM deal export".into();
        sink.extra_columns(EXTRA);
        let file = |n: &str| self.dir.join(n);
        let accounts = read_table(&file("accounts.csv"), "account", &["sector"], &[], sink)?;
        let products = read_table(
            &file("products.csv"),
            "product",
            &["series", "sales_price"],
            &["sales_price"],
            sink,
        )?;
        let teams = read_table(
            &file("sales_teams.csv"),
            "sales_agent",
            &["manager", "regional_office"],
            &[],
            sink,
        )?;
        let main = file("sales_pipeline.csv");
        for n in [
            "sales_pipeline.csv",
            "accounts.csv",
            "products.csv",
            "sales_teams.csv",
        ] {
            sink.summary.inputs.push(file(n).display().to_string());
        }
        let origin = main.display().to_string();
        let mut reader = delimited_reader(&main, sink)?;
        let header = Header::read(&mut reader, &origin)?;
        let col = |n: &str| header.require(n, "a column of the opportunity table");
        let c = [
            col("opportunity_id")?,
            col("sales_agent")?,
            col("product")?,
            col("account")?,
            col("deal_stage")?,
            col("engage_date")?,
            col("close_date")?,
            col("close_value")?,
        ];
        let mut joins = Joins::default();
        // Deals without an account, and how many of them are open.
        let (mut undated, mut no_account, mut no_account_open) = (0u64, 0u64, 0u64);
        let mut record = csv::ByteRecord::new();
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let err = InputError::new(&origin, format!("malformed CSV: {e}"));
                    return Err(match e.position() {
                        Some(p) => err.at_position(p.line() as usize, 1),
                        None => err,
                    }
                    .into());
                }
            }
            let line = record.position().map_or(0, |p| p.line() as usize);
            let row = (|| -> Result<Option<Case>, InputError> {
                full_row(record.len(), &header, &origin, line)?;
                let f = |i: usize| -> Result<&str, InputError> {
                    utf8_field(
                        record.get(c[i]).unwrap_or(b""),
                        &origin,
                        line,
                        &header.names[c[i]],
                        c[i],
                    )
                    .map(str::trim)
                };
                let bad = |i: usize, msg: String| {
                    InputError::new(&origin, format!("column `{}`: {msg}", header.names[c[i]]))
                        .at_position(line, c[i] + 1)
                };
                let date = |i: usize| -> Result<Option<crate::time::Timestamp>, InputError> {
                    let v = f(i)?;
                    if v.is_empty() {
                        return Ok(None);
                    }
                    timestamp::parse(v, &self.date_format, Zone::default())
                        .map(Some)
                        .map_err(|b| {
                            let unreadable = || {
                                format!(
                                    "cannot read the date {v:?}: expected {} (--date-format \
                                     for another)",
                                    self.date_format.describe()
                                )
                            };
                            bad(i, b.message(v, unreadable))
                        })
                };
                let id = f(0)?;
                if id.is_empty() {
                    return Err(bad(
                        0,
                        "expected an opportunity id, got an empty value".into(),
                    ));
                }
                let outcome = match f(4)? {
                    "Won" => Outcome::Won,
                    "Lost" => Outcome::Lost,
                    "Engaging" | "Prospecting" => Outcome::Open,
                    v => {
                        return Err(bad(
                            4,
                            format!("expected Prospecting, Engaging, Won or Lost, got {v:?}"),
                        ))
                    }
                };
                let (engaged, closed) = (date(5)?, date(6)?);
                let Some(created) = engaged else {
                    if outcome == Outcome::Open {
                        return Ok(None);
                    }
                    return Err(bad(
                        5,
                        format!("a {} deal needs an engage date", outcome.as_str()),
                    ));
                };
                if outcome != Outcome::Open && closed.is_none() {
                    return Err(bad(
                        6,
                        format!("a {} deal needs a close date", outcome.as_str()),
                    ));
                }
                if closed.is_some_and(|t| t < created) {
                    // Either may be the typo (a year 2071 engage date): both are shown.
                    return Err(bad(
                        6,
                        format!(
                            "the close date {:?} is before the engage date {:?} (column `{}`): \
                             expected a close on or after the engage date; one of them is \
                             mistyped",
                            f(6)?,
                            f(5)?,
                            header.names[c[5]]
                        ),
                    ));
                }
                let agent = f(1)?;
                let (product, account) = (f(2)?, f(3)?);
                let team = joins.join("sales_agent", &teams, agent);
                let prod = joins.join("product", &products, product);
                let sector = if account.is_empty() {
                    no_account += 1;
                    no_account_open += u64::from(outcome == Outcome::Open);
                    None
                } else {
                    joins
                        .join("account", &accounts, account)
                        .map(|a| a["sector"].clone())
                };
                let sector = sector.map(|s| joins.sector(&s));
                let attr = |r: Option<&HashMap<String, String>>, k: &str| r.map(|r| r[k].clone());
                let office = attr(team, "regional_office");
                let series = attr(prod, "series");
                let segment = match self.segment_by {
                    SegmentBy::Sector => sector.clone(),
                    SegmentBy::Office => office.clone(),
                    SegmentBy::Series => series.clone(),
                    SegmentBy::None => Some(crate::log::UNSEGMENTED.to_string()),
                };
                let mut case = Case {
                    id: id.to_string(),
                    ..Case::default()
                };
                let d = &mut case.deal;
                d.segment = Some(segment.unwrap_or_else(|| "unknown".into()));
                d.rep = Some(agent.to_string());
                d.source = Some("unknown".into());
                d.value = attr(prod, "sales_price").and_then(|p| p.parse().ok());
                d.created = Some(created);
                d.closed = closed.filter(|_| outcome != Outcome::Open);
                d.outcome = Some(outcome);
                let values = [
                    account.to_string(),
                    sector.unwrap_or_default(),
                    // As the products table spells it (`GTX Pro` for a `GTXPro`), as the
                    // sector is corrected: one product, one name in deals.csv.
                    attr(prod, "product").unwrap_or_else(|| product.to_string()),
                    series.unwrap_or_default(),
                    office.unwrap_or_default(),
                    attr(team, "manager").unwrap_or_default(),
                    f(7)?.to_string(),
                ];
                d.extra = EXTRA.map(String::from).into_iter().zip(values).collect();
                case.events
                    .push(RawEvent::new(created, "deal_created", agent));
                if let (Some(t), Outcome::Won | Outcome::Lost) = (d.closed, outcome) {
                    case.events.push(RawEvent::new(t, outcome.as_str(), agent));
                }
                Ok(Some(case))
            })();
            match row {
                Ok(Some(mut case)) => sink.case(&mut case, Some(line))?,
                Ok(None) => undated += 1,
                Err(e) => sink.reject(e)?,
            }
        }
        sink.summary.unmatched = joins
            .misses
            .into_iter()
            .map(|((kind, name), (rows, mapped_to))| Unmatched {
                kind,
                name,
                rows,
                mapped_to,
            })
            .collect();
        if undated > 0 {
            sink.summary.notes.push(format!(
                "{undated} open deals without an engage date were left out: they have no point in time"
            ));
        }
        if no_account > 0 {
            // A CRM often fills the account in only once a deal advances: when the deals
            // without one are mostly open, the sector segments hold few open deals, and
            // `unknown` most of them.
            let open = match no_account_open {
                n if n == no_account => " (all of them open)".to_string(),
                0 => String::new(),
                n => format!(" ({n} of them open)"),
            };
            sink.summary.notes.push(format!(
                "{no_account} deals have no account{open}: their sector is unknown (segment `unknown` when segmenting by sector)"
            ));
        }
        sink.summary.notes.push(
            "value = the product's list price (close_value is known only after the outcome: kept as a column, not used; deal_columns.json says so, and cut blanks it for a deal it reopens)".into(),
        );
        sink.summary.notes.push(
            "a deal export has no step or touch events, which most default indicators read: indicators.toml beside the log holds the set that suits it (deal value and win rates), which score, tune and flag read unless --indicators says otherwise".into(),
        );
        Ok(())
    }
}
