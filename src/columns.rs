//! Widths of the terminal tables' name columns (segments, reps, deal ids). Simulated names
//! fit the usual widths, but imported CRM names ("telecommunications", "Jonathan
//! Berthelot") do not, and a name longer than its column pushes the rest of its row out of
//! line. Not for the files: CSV and JSON carry names whole.

/// The width of a column holding `names`: the longest of them (in characters), and at least
/// `min`, the column's usual width, so that ordinary tables keep their layout.
pub fn width<'a>(min: usize, names: impl IntoIterator<Item = &'a str>) -> usize {
    names
        .into_iter()
        .map(|n| n.chars().count())
        .fold(min, usize::max)
}
