//! Finding the line and column of a field path in TOML source, for error messages.
//!
//! serde tells us *which* field is wrong; semantic checks happen after deserialisation,
//! when positions are gone. This re-parses the source with `toml_edit`, which keeps spans,
//! and walks the path (`segments[1].stages[0].steps[3].deadline_days`).

use toml_edit::{ImDocument, Item, Table, Value};

use super::line_col;
use crate::error::InputError;

enum Node<'a> {
    Item(&'a Item),
    Table(&'a Table),
    Value(&'a Value),
}

enum Part<'p> {
    Key(&'p str),
    Index(usize),
}

fn parts(path: &str) -> Vec<Part<'_>> {
    let mut out = Vec::new();
    for piece in path.split('.') {
        let (key, mut rest) = match piece.find('[') {
            Some(i) => (&piece[..i], &piece[i..]),
            None => (piece, ""),
        };
        if !key.is_empty() {
            out.push(Part::Key(key));
        }
        while let Some(close) = rest.find(']') {
            if let Ok(i) = rest[1..close].parse() {
                out.push(Part::Index(i));
            }
            rest = &rest[close + 1..];
        }
    }
    out
}

/// An error found after deserialising `source` (named `origin`), at field `path`: with the
/// line and column [`locate`] finds for it.
pub fn error_at(source: &str, origin: &str, path: String, message: String) -> InputError {
    let e = InputError::new(origin, message);
    match locate(source, &path) {
        Some((line, column)) => e.at_position(line, column),
        None => e,
    }
    .at_field(path)
}

/// 1-based (line, column) of the value at `path`, or of its deepest existing ancestor.
pub fn locate(source: &str, path: &str) -> Option<(usize, usize)> {
    let doc = ImDocument::parse(source.to_owned()).ok()?;
    let mut node = Node::Table(doc.as_table());
    let mut span = None;
    for part in parts(path) {
        let next = match (&node, part) {
            (Node::Table(t), Part::Key(k)) => t.get(k).map(Node::Item),
            (Node::Item(i), Part::Key(k)) => {
                i.as_table_like().and_then(|t| t.get(k)).map(Node::Item)
            }
            (Node::Value(v), Part::Key(k)) => {
                v.as_inline_table().and_then(|t| t.get(k)).map(Node::Value)
            }
            (Node::Item(i), Part::Index(n)) => match i {
                Item::ArrayOfTables(a) => a.get(n).map(Node::Table),
                Item::Value(v) => v.as_array().and_then(|a| a.get(n)).map(Node::Value),
                _ => None,
            },
            (Node::Value(v), Part::Index(n)) => {
                v.as_array().and_then(|a| a.get(n)).map(Node::Value)
            }
            (Node::Table(_), Part::Index(_)) => None,
        };
        let Some(next) = next else { break };
        let s = match &next {
            Node::Item(i) => i.span(),
            Node::Table(t) => t.span(),
            Node::Value(v) => v.span(),
        };
        span = s.or(span);
        node = next;
    }
    span.map(|s| line_col(source, s.start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_array_of_tables_and_inline_values() {
        let src = "name = \"x\"\n[[segments]]\nname = \"a\"\n[[segments]]\nname = \"b\"\nvalue = { dist = \"constant\", value = -1 }\n";
        assert_eq!(locate(src, "segments[1].name"), Some((5, 8)));
        assert_eq!(locate(src, "segments[1].value.value"), Some((6, 38)));
        // A missing leaf falls back to its parent.
        assert_eq!(locate(src, "segments[1].missing").map(|p| p.0), Some(4));
    }
}
