//! Widths of the terminal tables' name columns (segments, reps, deal ids). Simulated names
//! fit the usual widths, but imported CRM names ("telecommunications", "Jonathan
//! Berthelot") do not, and a name longer than its column pushes the rest of its row out of
//! line. Not for the files: CSV and JSON carry names whole.

/// `name` on one line of a terminal table: a control character (a newline inside a quoted CSV
/// field, a tab) is shown escaped (`\n`), where it broke the table; letters of any script stay.
/// The CSV and JSON outputs keep the name as it is.
pub fn one_line(name: &str) -> std::borrow::Cow<'_, str> {
    if !name.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 2);
    for c in name.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The width of a column holding `names`: the longest of them (in characters), and at least
/// `min`, the column's usual width, so that ordinary tables keep their layout.
pub fn width<'a>(min: usize, names: impl IntoIterator<Item = &'a str>) -> usize {
    names
        .into_iter()
        .map(|n| n.chars().count())
        .fold(min, usize::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_with_control_characters_is_escaped_onto_one_line() {
        assert_eq!(one_line("Anna Smith"), "Anna Smith");
        assert!(matches!(
            one_line("Zoë Ørsted"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(one_line("Anna\nSmith\t2"), "Anna\\nSmith\\t2");
        assert_eq!(width(4, [&*one_line("a\nb")]), 4);
        assert_eq!(width(1, [&*one_line("a\nbcd")]), 6);
    }
}
