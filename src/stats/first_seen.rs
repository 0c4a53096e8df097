//! Numbering names densely in the order they first appear, so that what is computed from the
//! numbers does not depend on the names (reps, clusters) a log happens to use.

use std::hash::Hash;

use rustc_hash::FxHashMap;

/// Each of `items` numbered by its name, `name(item)`: 0, 1, … in the order the distinct names
/// first appear. `on_new` sees the first item of each name, as the name is numbered, so callers
/// can record what belongs to it.
pub fn first_seen_ids<T: Copy, K: Hash + Eq>(
    items: impl IntoIterator<Item = T>,
    name: impl Fn(T) -> K,
    mut on_new: impl FnMut(T),
) -> Vec<u32> {
    let mut ids = FxHashMap::default();
    items
        .into_iter()
        .map(|item| {
            let next = ids.len() as u32;
            *ids.entry(name(item)).or_insert_with(|| {
                on_new(item);
                next
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_numbered_in_order_of_first_appearance() {
        let items = [(40u64, 'a'), (7, 'b'), (40, 'c'), (3, 'd'), (7, 'e')];
        let mut first = Vec::new();
        let ids = first_seen_ids(items, |(name, _)| name, |(_, tag)| first.push(tag));
        assert_eq!(ids, [0, 1, 0, 2, 1]);
        assert_eq!(first, ['a', 'b', 'd']);
    }
}
