//! `--set PATH=VALUES`: one scenario field and the values a sweep gives it.
//!
//! The path is the field path error messages use (`model.health_weight`,
//! `segments[0].loss_shift`), with two additions for arrays of named tables: an element may be
//! picked by its `name` (`segments[smb].reps.count`) or all at once (`segments[*].pace`). The
//! values are TOML, separated by commas, so that a sweep can vary a string, an array or a
//! whole distribution as well as a number: `contacts.reply_latency={ dist = "constant",
//! value = 1 }, { dist = "constant", value = 3 }`. A value is written into the scenario's
//! TOML and the result goes through the scenario's own checks, so a sweep accepts exactly the
//! scenarios `dealsim scenario check` accepts.

use toml_edit::{DocumentMut, Item, TableLike, Value};

use crate::error::{did_you_mean, InputError};

/// One `--set`: a field and the values the sweep gives it, in the order given.
#[derive(Debug, Clone)]
pub struct Setting {
    /// The path as given (`segments[smb].loss_shift`), for column names and messages.
    pub path: String,
    pieces: Vec<Piece>,
    pub values: Vec<Value>,
}

/// One dotted piece of a path: a key, and which elements of the array under it.
#[derive(Debug, Clone, PartialEq)]
struct Piece {
    key: String,
    select: Option<Select>,
}

#[derive(Debug, Clone, PartialEq)]
enum Select {
    Index(usize),
    Name(String),
    All,
}

/// What `--set` expects, for every message about its shape.
const EXPECTED: &str = "expected PATH=VALUES: a scenario field path (model.health_weight, \
    segments[smb].loss_shift, segments[*].pace) and TOML values separated by commas (strings \
    in quotes), e.g. model.health_weight=0.5, 0.9, 1.3";

impl Setting {
    /// Parses `PATH=VALUES` as given to `--set`.
    pub fn parse(arg: &str) -> Result<Setting, InputError> {
        let origin = format!("--set {arg}");
        let bad = |what: String| InputError::new(&origin, format!("{what}; {EXPECTED}"));
        let (path, values) = arg
            .split_once('=')
            .ok_or_else(|| bad("no '='".to_string()))?;
        let path = path.trim();
        let pieces = pieces(path).map_err(bad)?;
        let doc: DocumentMut =
            format!("v = [{values}]")
                .parse()
                .map_err(|e: toml_edit::TomlError| {
                    let why: Vec<&str> = e.message().lines().map(str::trim).collect();
                    bad(format!("the values are not TOML ({})", why.join("; ")))
                })?;
        let values: Vec<Value> = doc["v"]
            .as_array()
            .map(|a| a.iter().cloned().collect())
            .unwrap_or_default();
        if values.is_empty() {
            return Err(bad("no values".to_string()));
        }
        let values: Vec<Value> = values.into_iter().map(dates_as_text).collect();
        let mut seen = std::collections::HashSet::new();
        if let Some(v) = values.iter().find(|v| !seen.insert(v.to_string())) {
            return Err(InputError::new(
                &origin,
                format!(
                    "the value {v} is given twice: each value makes a grid point, so give it once"
                ),
            ));
        }
        Ok(Setting {
            path: path.to_string(),
            pieces,
            values,
        })
    }

    /// Writes `value` at this setting's path in `doc`; returns the fields it wrote, each by
    /// its name-resolved path (`segments[smb].pace`; every segment's for `segments[*]`). An
    /// error names the first piece of the path that does not exist (with a likely intended
    /// name), or selects nothing.
    pub fn apply(&self, doc: &mut DocumentMut, value: &Value) -> Result<Vec<String>, String> {
        let mut places = Vec::new();
        set(doc.as_table_mut(), &self.pieces, value, "", &mut places)?;
        Ok(places)
    }
}

/// `value` without decoration, a bare TOML date (`2026-01-31`) turned into the quoted text
/// scenario files write dates as: unquoted, it would reach the scenario as a date, which its
/// checks refuse with a message about types.
fn dates_as_text(value: Value) -> Value {
    match value {
        Value::Datetime(d) => Value::from(d.value().to_string()),
        v => v.decorated("", ""),
    }
}

/// Splits `segments[smb].reps.count` into pieces.
fn pieces(path: &str) -> Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    for piece in path.split('.') {
        let (key, select) = match piece.split_once('[') {
            None => (piece, None),
            Some((key, rest)) => {
                let inside = rest
                    .strip_suffix(']')
                    .filter(|s| !s.is_empty() && !s.contains(['[', ']']))
                    .ok_or_else(|| format!("`{piece}` is not KEY[INDEX], KEY[NAME] or KEY[*]"))?;
                let select = match inside {
                    "*" => Select::All,
                    s => s
                        .parse()
                        .map_or_else(|_| Select::Name(s.to_string()), Select::Index),
                };
                (key, Some(select))
            }
        };
        let bare = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !bare {
            return Err(format!("`{piece}` is not a field name"));
        }
        out.push(Piece {
            key: key.to_string(),
            select,
        });
    }
    Ok(out)
}

/// Sets `value` at `path` under `table` (reached by `walked`), adding the places set to
/// `places`. The last key may be new (an optional field the file leaves out); the scenario's
/// checks then refuse a misspelt one.
fn set(
    table: &mut dyn TableLike,
    path: &[Piece],
    value: &Value,
    walked: &str,
    places: &mut Vec<String>,
) -> Result<(), String> {
    let Some((piece, rest)) = path.split_first() else {
        return Err("an empty path".to_string());
    };
    let here = if walked.is_empty() {
        piece.key.clone()
    } else {
        format!("{walked}.{}", piece.key)
    };
    if rest.is_empty() && piece.select.is_none() {
        match table.get_mut(&piece.key) {
            Some(item) => *item = Item::Value(value.clone()),
            None => {
                table.insert(&piece.key, Item::Value(value.clone()));
            }
        }
        places.push(here);
        return Ok(());
    }
    let keys: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
    let Some(item) = table.get_mut(&piece.key) else {
        let hint = did_you_mean(&piece.key, keys.iter().map(String::as_str))
            .map(|k| format!(" (did you mean `{k}`?)"))
            .unwrap_or_default();
        return Err(format!(
            "the scenario has no `{here}`{hint}; there: {}",
            keys.join(", ")
        ));
    };
    let Some(select) = &piece.select else {
        let inner = item
            .as_table_like_mut()
            .ok_or_else(|| format!("`{here}` is a value, not a table with fields"))?;
        return set(inner, rest, value, &here, places);
    };
    let mut elements: Vec<&mut dyn TableLike> = match item {
        Item::ArrayOfTables(a) => a.iter_mut().map(|t| t as &mut dyn TableLike).collect(),
        Item::Value(Value::Array(a)) => a
            .iter_mut()
            .filter_map(|v| v.as_inline_table_mut())
            .map(|t| t as &mut dyn TableLike)
            .collect(),
        _ => return Err(format!("`{here}` is not an array of tables")),
    };
    let names: Vec<String> = elements
        .iter()
        .map(|t| {
            t.get("name")
                .and_then(Item::as_str)
                .unwrap_or("?")
                .to_string()
        })
        .collect();
    let chosen: Vec<usize> = match select {
        Select::All => (0..elements.len()).collect(),
        Select::Index(i) if *i < elements.len() => vec![*i],
        Select::Index(i) => {
            return Err(format!(
                "`{here}[{i}]`: the array has {} elements (0 to {})",
                elements.len(),
                elements.len().saturating_sub(1)
            ))
        }
        Select::Name(n) => match names.iter().position(|x| x == n) {
            Some(i) => vec![i],
            None => {
                return Err(format!(
                    "`{here}[{n}]`: no element named {n:?}; the names are {}",
                    names.join(", ")
                ))
            }
        },
    };
    if rest.is_empty() {
        return Err(format!(
            "`{here}[...]` is a whole table: name a field inside it, e.g. {here}[{}].{}",
            names.first().map_or("0", String::as_str),
            elements
                .first()
                .and_then(|t| t.iter().map(|(k, _)| k.to_string()).find(|k| k != "name"))
                .unwrap_or_else(|| "FIELD".to_string())
        ));
    }
    for i in chosen {
        let label = format!("{here}[{}]", names[i]);
        set(&mut *elements[i], rest, value, &label, places)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCENARIO: &str =
        "seed = 1\n[model]\nhealth_weight = 0.9\n\n[[segments]]\nname = \"smb\"\n\
        pace = 1.1\nreps = { count = 12, optimism = { dist = \"constant\", value = 0.2 } }\n\
        sources = [{ name = \"inbound\", share = 0.5 }, { name = \"partner\", share = 0.5 }]\n\n\
        [[segments]]\nname = \"ent\"\npace = 1.3\nreps = { count = 4 }\n\
        sources = [{ name = \"inbound\", share = 1.0 }]\n";

    fn applied(arg: &str) -> Result<Vec<String>, String> {
        let setting = Setting::parse(arg).map_err(|e| e.to_string())?;
        setting
            .values
            .iter()
            .map(|v| {
                let mut doc: DocumentMut = SCENARIO.parse().unwrap();
                setting.apply(&mut doc, v)?;
                Ok(doc.to_string())
            })
            .collect()
    }

    fn value_at(doc: &str, get: impl Fn(&toml::Value) -> &toml::Value) -> String {
        get(&doc.parse::<toml::Value>().unwrap()).to_string()
    }

    #[test]
    fn values_are_toml_separated_by_commas_inline_tables_included() {
        let s = Setting::parse("model.health_weight = 0.5, 0.9,1.3").unwrap();
        assert_eq!(s.path, "model.health_weight");
        let shown: Vec<String> = s.values.iter().map(|v| v.to_string()).collect();
        assert_eq!(shown, ["0.5", "0.9", "1.3"]);
        let s = Setting::parse(
            r#"x={ dist = "constant", value = 1 }, { dist = "gamma", shape = 2, scale = 3 }, "a,b""#,
        )
        .unwrap();
        assert_eq!(s.values.len(), 3);
        assert_eq!(s.values[2].as_str(), Some("a,b"));
        // A bare date is the text scenario files quote.
        let s = Setting::parse("window.end=2026-01-31, \"2026-02-28\"").unwrap();
        let shown: Vec<String> = s.values.iter().map(|v| v.to_string()).collect();
        assert_eq!(shown, ["\"2026-01-31\"", "\"2026-02-28\""]);
    }

    #[test]
    fn a_path_reaches_tables_named_and_indexed_elements_and_inline_tables() {
        let docs = applied("model.health_weight=0, 2").unwrap();
        let weights: Vec<String> = docs
            .iter()
            .map(|d| value_at(d, |v| &v["model"]["health_weight"]))
            .collect();
        assert_eq!(weights, ["0", "2"]);
        let doc = &applied("segments[ent].reps.count=7").unwrap()[0];
        assert_eq!(value_at(doc, |v| &v["segments"][1]["reps"]["count"]), "7");
        assert_eq!(value_at(doc, |v| &v["segments"][0]["reps"]["count"]), "12");
        let doc = &applied("segments[0].sources[partner].share=0.9").unwrap()[0];
        assert_eq!(
            value_at(doc, |v| &v["segments"][0]["sources"][1]["share"]),
            "0.9"
        );
        assert_eq!(
            value_at(doc, |v| &v["segments"][0]["sources"][0]["share"]),
            "0.5"
        );
        let doc = &applied("segments[*].pace=2.0").unwrap()[0];
        for i in 0..2 {
            assert_eq!(value_at(doc, |v| &v["segments"][i]["pace"]), "2.0");
        }
        // A nested distribution, replaced whole or in one field.
        let doc = &applied("segments[smb].reps.optimism.value=0.4").unwrap()[0];
        assert_eq!(
            value_at(doc, |v| &v["segments"][0]["reps"]["optimism"]["value"]),
            "0.4"
        );
        // The last key may be one the file leaves out.
        let doc = &applied("segments[ent].loss_shift=-0.3").unwrap()[0];
        assert_eq!(value_at(doc, |v| &v["segments"][1]["loss_shift"]), "-0.3");
        // Everything else is kept as it was.
        assert!(
            doc.starts_with("seed = 1\n[model]\nhealth_weight = 0.9\n"),
            "{doc}"
        );
    }

    #[test]
    fn a_wrong_path_names_the_piece_and_what_is_there() {
        let e = applied("modle.health_weight=1").unwrap_err();
        assert!(
            e.contains(
                "the scenario has no `modle` (did you mean `model`?); there: seed, model, segments"
            ),
            "{e}"
        );
        let e = applied("segments[mid].pace=1").unwrap_err();
        assert!(
            e.contains("no element named \"mid\"; the names are smb, ent"),
            "{e}"
        );
        let e = applied("segments[2].pace=1").unwrap_err();
        assert!(e.contains("the array has 2 elements (0 to 1)"), "{e}");
        let e = applied("segments[smb]=1").unwrap_err();
        assert!(
            e.contains("is a whole table: name a field inside it, e.g. segments[smb].pace"),
            "{e}"
        );
        let e = applied("seed.x=1").unwrap_err();
        assert!(
            e.contains("`seed` is a value, not a table with fields"),
            "{e}"
        );
        let e = applied("model[0].x=1").unwrap_err();
        assert!(e.contains("`model` is not an array of tables"), "{e}");
    }

    #[test]
    fn a_malformed_setting_says_what_is_expected() {
        for (arg, what) in [
            ("model.health_weight", "no '='"),
            ("model.health_weight=", "no values"),
            ("model.health_weight=abc", "the values are not TOML"),
            (
                "segments[smb.pace=1",
                "`segments[smb` is not KEY[INDEX], KEY[NAME] or KEY[*]",
            ),
            ("model..x=1", "`` is not a field name"),
        ] {
            let e = Setting::parse(arg).unwrap_err().to_string();
            assert!(
                e.starts_with(&format!("--set {arg}: {what}"))
                    && e.contains("expected PATH=VALUES"),
                "{arg}: {e}"
            );
        }
    }
}
