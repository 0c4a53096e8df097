//! Reading user TOML (scenarios, indicator sets) into serde types, with errors a person can
//! act on: the file, line and column, the field path, serde's expectation, and a "did you
//! mean" hint for misspelt field or variant names.

pub mod locate;

use serde::de::DeserializeOwned;

use crate::error::{did_you_mean, InputError};

/// Deserialises `source`; `origin` names it in errors.
pub fn parse_toml<T: DeserializeOwned>(source: &str, origin: &str) -> Result<T, InputError> {
    let de = toml::Deserializer::new(source);
    serde_path_to_error::deserialize::<_, T>(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let mut message = inner.message().trim().to_string();
        if let Some(hint) = unknown_name_hint(&message) {
            message.push_str(&hint);
        }
        let mut e = InputError::new(origin, message);
        if path != "." && !path.is_empty() {
            e = e.at_field(path);
        }
        if let Some(span) = inner.span() {
            let (l, c) = line_col(source, span.start);
            e = e.at_position(l, c);
        }
        e
    })
}

/// For serde's "unknown field `x`, expected one of `a`, `b`" (and "unknown variant"),
/// returns " (did you mean `a`?)" when one candidate is a likely typo.
fn unknown_name_hint(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (word, rest) = rest.split_once('`')?;
    let candidates: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    did_you_mean(word, candidates.iter().copied()).map(|c| format!(" (did you mean `{c}`?)"))
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hint_for_typos() {
        let m = "unknown field `pase`, expected one of `name`, `review`, `pace`";
        assert_eq!(
            unknown_name_hint(m).as_deref(),
            Some(" (did you mean `pace`?)")
        );
        assert_eq!(unknown_name_hint("missing field `name`"), None);
    }

    #[test]
    fn positions_are_one_based_characters() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("é\nx", 3), (2, 1));
    }
}
