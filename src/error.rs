//! Errors about user input, shaped so a person can fix the input from the message alone.
//!
//! Every input problem names the file, where in it (line/column or row, field path) and what
//! was expected. The binary maps [`InputError`] to exit code 2 and other failures to 1.

use std::fmt;

/// A problem with something the user gave us: a file, a flag, a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The file (or `--flag`) the problem is in.
    pub origin: String,
    /// 1-based (line, column) when known; column 0 when only the line is.
    pub position: Option<(usize, usize)>,
    /// Field path such as `segments[1].stages[0].steps[3].deadline_days`, when known.
    pub field: Option<String>,
    pub message: String,
}

impl InputError {
    pub fn new(origin: impl Into<String>, message: impl Into<String>) -> InputError {
        InputError {
            origin: origin.into(),
            position: None,
            field: None,
            message: message.into(),
        }
    }

    pub fn at_field(mut self, field: impl Into<String>) -> InputError {
        self.field = Some(field.into());
        self
    }

    pub fn at_position(mut self, line: usize, column: usize) -> InputError {
        self.position = Some((line, column));
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.origin)?;
        match self.position {
            Some((line, 0)) => write!(f, ": line {line}")?,
            Some((line, col)) => write!(f, ": line {line}, column {col}")?,
            None => {}
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for InputError {}

/// `x` when it is a finite number that `ok` accepts; else the message "expected a finite
/// number {range}, got {x}", for the caller to locate (a flag, a file's field).
///
/// Infinity and NaN slip past one-sided checks (`inf > 0` holds, and `NaN < 0` is false), and
/// an infinite alert budget once sent the report's plot axis into an endless loop: every
/// numeric setting, on the command line and in `policy.toml`, is checked here.
pub fn finite_number(x: f64, range: &str, ok: impl FnOnce(f64) -> bool) -> Result<f64, String> {
    if x.is_finite() && ok(x) {
        Ok(x)
    } else {
        Err(format!("expected a finite number {range}, got {x}"))
    }
}

/// Refuses a CSV header of `origin` that names a column twice: the readers take a column by
/// the first of its name, so the other would be dropped without a word (a `resource` column
/// renamed `activity` left every deal's rep unknown). An unnamed column (a spreadsheet's
/// trailing comma) may repeat.
pub fn check_columns_named_once<'a>(
    origin: &str,
    names: impl IntoIterator<Item = &'a str>,
) -> Result<(), InputError> {
    let mut first = std::collections::HashMap::new();
    for (i, name) in names.into_iter().enumerate() {
        if name.is_empty() {
            continue;
        }
        if let Some(j) = first.insert(name, i) {
            return Err(InputError::new(
                origin,
                format!(
                    "column `{name}` appears twice in the header (columns {} and {}): expected \
                     each column named once",
                    j + 1,
                    i + 1
                ),
            )
            .at_position(1, i + 1));
        }
    }
    Ok(())
}

/// What a CSV row with `len` fields under a header of `expected` says.
pub fn unequal_fields(len: impl std::fmt::Display, expected: impl std::fmt::Display) -> String {
    format!(
        "a row has {len} fields but the header has {expected} (a truncated or hand-edited file?)"
    )
}

/// A CSV reading problem of `origin`, at its line (and, for a value that does not parse, its
/// column, named from `headers`, and what the column expects). The csv crate's own message
/// carries the position ("record 47 (line: 48, byte: 4951): ..."), which [`InputError`]
/// already gives: the usual problems are reworded here so that a message names its place once.
pub fn csv_error(origin: &str, headers: Option<&csv::StringRecord>, e: &csv::Error) -> InputError {
    located_csv_error(origin, headers, None, e)
}

/// `record` (under `headers`) as a `T`; a value that does not parse is an [`InputError`]
/// naming `origin`, the line, the column and what the column expects, with the value found
/// ("column `rank`: expected a whole number, got \"first\""): Rust's own "invalid digit
/// found in string" says neither where nor what would do.
pub fn deserialize_record<T: serde::de::DeserializeOwned>(
    origin: &str,
    headers: &csv::StringRecord,
    record: &csv::StringRecord,
) -> Result<T, InputError> {
    record
        .deserialize(Some(headers))
        .map_err(|e| located_csv_error(origin, Some(headers), Some(record), &e))
}

/// [`csv_error`], quoting the value from `record` when it is the one that did not parse.
fn located_csv_error(
    origin: &str,
    headers: Option<&csv::StringRecord>,
    record: Option<&csv::StringRecord>,
    e: &csv::Error,
) -> InputError {
    let mut column = 1;
    let message = match e.kind() {
        // The csv crate says which field of the row holds the bad bytes: name that column.
        csv::ErrorKind::Utf8 { err, .. } => {
            column = err.field() + 1;
            let at = format!(
                "invalid UTF-8 at byte {} of the field: the file must be UTF-8 text",
                err.valid_up_to() + 1
            );
            match headers.and_then(|h| h.get(err.field())) {
                Some(name) => format!("column `{name}`: {at}"),
                None => at,
            }
        }
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => unequal_fields(*len, *expected_len),
        csv::ErrorKind::Deserialize { err, .. } => match err.field() {
            Some(f) => {
                column = f as usize + 1;
                let value = record.and_then(|r| r.get(f as usize));
                let expected = expected_value(err.kind(), value);
                match headers.and_then(|h| h.get(f as usize)) {
                    Some(name) => format!("column `{name}`: {expected}"),
                    None => expected,
                }
            }
            // A custom check of a deserializer (serde's "unknown variant", "missing field")
            // says what it wanted but not where in the row: the line alone is named.
            None => {
                column = 0;
                err.kind().to_string()
            }
        },
        _ => e.to_string(),
    };
    let err = InputError::new(origin, message);
    match e.position() {
        Some(p) => err.at_position(p.line() as usize, column),
        None => err,
    }
}

/// What a CSV value that did not parse should have been, and the value when known
/// (`value`: the field's text).
fn expected_value(kind: &csv::DeserializeErrorKind, value: Option<&str>) -> String {
    use csv::DeserializeErrorKind as Kind;
    use std::num::IntErrorKind;
    let what = match kind {
        Kind::ParseInt(e) => match e.kind() {
            // A whole number the column's type still refuses as a digit: a negative one in an
            // unsigned column (`-5` as a count).
            IntErrorKind::InvalidDigit if value.is_some_and(|v| v.parse::<i128>().is_ok()) => {
                "a whole number ≥ 0"
            }
            IntErrorKind::PosOverflow => "a smaller whole number",
            IntErrorKind::NegOverflow => "a larger whole number",
            _ => "a whole number",
        },
        Kind::ParseFloat(_) => "a number",
        Kind::ParseBool(_) => "true or false",
        _ => return kind.to_string(),
    };
    match value {
        Some(v) => format!("expected {what}, got {v:?}"),
        None => format!("expected {what} ({kind})"),
    }
}

/// A JSON problem of `origin` at its line and column. serde_json's message ends in " at line
/// L column C", which [`InputError`] already gives: it is cut off so the place is named once.
pub fn json_error(origin: &str, e: &serde_json::Error) -> InputError {
    let text = e.to_string();
    if e.line() == 0 {
        return InputError::new(origin, text);
    }
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text);
    InputError::new(origin, message).at_position(e.line(), e.column())
}

/// The JSON file `name` beside the events file `events`, read as `T`, with its path for
/// messages; `None` when there is none. What dealsim writes beside a log (`cut.json`,
/// `import_summary.json`, `deal_columns.json`) is read this way, so that a malformed one names
/// its line and column and what should be there: "expected {expected}: ...".
pub fn json_beside<T: serde::de::DeserializeOwned>(
    events: &std::path::Path,
    name: &str,
    expected: &str,
) -> Result<Option<(T, String)>, InputError> {
    let path = events.with_file_name(name);
    let origin = path.display().to_string();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(InputError::new(origin, format!("cannot read it: {e}"))),
    };
    match serde_json::from_str(&text) {
        Ok(value) => Ok(Some((value, origin))),
        Err(e) => {
            let mut err = json_error(&origin, &e);
            err.message = format!("expected {expected}: {}", err.message);
            Err(err)
        }
    }
}

/// Suggests the closest of `candidates` to `word`, if one is close enough to be a typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_position_field_and_problem() {
        let e = InputError::new("x.toml", "must be > 0, got -2")
            .at_position(12, 5)
            .at_field("segments[1].pace");
        assert_eq!(
            e.to_string(),
            "x.toml: line 12, column 5: segments[1].pace: must be > 0, got -2"
        );
        // Only the line known (a CSV value rejected after parsing).
        let e = InputError::new("t.csv", "expected 0 or 1, got 2").at_position(5, 0);
        assert_eq!(e.to_string(), "t.csv: line 5: expected 0 or 1, got 2");
    }

    #[test]
    fn finite_number_rejects_infinity_and_nan_whatever_the_range() {
        let positive = |x| finite_number(x, "> 0", |x| x > 0.0);
        assert_eq!(positive(2.0), Ok(2.0));
        assert_eq!(
            positive(f64::INFINITY),
            Err("expected a finite number > 0, got inf".to_string())
        );
        assert_eq!(
            positive(f64::NAN),
            Err("expected a finite number > 0, got NaN".to_string())
        );
        assert_eq!(
            positive(-1.0),
            Err("expected a finite number > 0, got -1".to_string())
        );
    }

    #[test]
    fn csv_and_json_errors_name_their_place_once() {
        let truncated = "a,b,c\n1,2,3\n4,5";
        let mut reader = csv::Reader::from_reader(truncated.as_bytes());
        let e = reader.records().find_map(Result::err).expect("a short row");
        assert_eq!(
            csv_error("t.csv", None, &e).to_string(),
            "t.csv: line 3, column 1: a row has 2 fields but the header has 3 (a truncated or hand-edited file?)"
        );
        let mut reader = csv::Reader::from_reader("a,n\nx,y\n".as_bytes());
        let headers = reader.headers().unwrap().clone();
        let e = reader
            .deserialize::<(String, u32)>()
            .find_map(Result::err)
            .expect("not a number");
        assert_eq!(
            csv_error("t.csv", Some(&headers), &e).to_string(),
            "t.csv: line 2, column 2: column `n`: expected a whole number (invalid digit found in string)"
        );
        let e = serde_json::from_str::<f64>("\n  1e999").unwrap_err();
        assert_eq!(
            json_error("s.json", &e).to_string(),
            "s.json: line 2, column 7: number out of range"
        );
    }

    /// A value of a saved table that does not parse names its column, what the column
    /// expects and the value: "invalid digit found in string" said neither.
    #[test]
    fn a_value_that_does_not_parse_says_what_its_column_expects() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)] // read only to fail
        struct Row {
            name: String,
            rank: u32,
            auc: Option<f64>,
            seen: bool,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        enum Kind {
            Won,
        }
        let text = "name,rank,auc,seen\n\
                    a,first,0.5,true\n\
                    b,-3,0.5,true\n\
                    c,99999999999,0.5,true\n\
                    d,1,high,true\n\
                    e,1,,yes\n\
                    f,1,0.5,true\n";
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers().unwrap().clone();
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let message =
            |i: usize| deserialize_record::<Row>("t.csv", &headers, &records[i]).unwrap_err();
        let want = [
            "t.csv: line 2, column 2: column `rank`: expected a whole number, got \"first\"",
            "t.csv: line 3, column 2: column `rank`: expected a whole number ≥ 0, got \"-3\"",
            "t.csv: line 4, column 2: column `rank`: expected a smaller whole number, got \"99999999999\"",
            "t.csv: line 5, column 3: column `auc`: expected a number, got \"high\"",
            "t.csv: line 6, column 4: column `seen`: expected true or false, got \"yes\"",
        ];
        for (i, want) in want.iter().enumerate() {
            assert_eq!(message(i).to_string(), *want);
        }
        assert!(deserialize_record::<Row>("t.csv", &headers, &records[5]).is_ok());
        // serde's own checks say what they wanted but not in which field: the line alone.
        let mut reader = csv::Reader::from_reader("kind\nlost\n".as_bytes());
        let headers = reader.headers().unwrap().clone();
        let record = reader.records().next().unwrap().unwrap();
        let e = deserialize_record::<(Kind,)>("t.csv", &headers, &record).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv: line 2: unknown variant `lost`, expected `Won`"
        );
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("pase", ["pace", "name", "review"]),
            Some("pace")
        );
        assert_eq!(did_you_mean("zzz", ["pace", "name"]), None);
    }
}

/// Any failure of a library operation: bad input (exit 2) or a runtime problem (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

/// Adds "what we were doing" to an I/O error.
pub trait IoContext<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, Error>;
}

impl<T> IoContext<T> for Result<T, std::io::Error> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, Error> {
        self.map_err(|source| Error::Io {
            context: what(),
            source,
        })
    }
}
