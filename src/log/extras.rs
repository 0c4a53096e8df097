//! Deal columns beyond the standard ones: what an import adds to `deals.csv` (a CRM's
//! account, sector, product, ...), kept as text so that an export can carry it along as case
//! attributes; and which of them are known only once the deal has closed ([`DEAL_COLUMNS`]),
//! so that `cut` can forget them with the outcome.
//! Not for: indicators or scoring, which never read these columns, nor a [`super::Log`],
//! which leaves them out so that scoring a large log does not hold them.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{json_beside, InputError};
use crate::export::csv_log::DEALS_HEADER;

/// The file beside a log's events file that says which extra deal columns are facts known only
/// when the deal closes (a CRM's `close_value`: 0 for a lost deal, the revenue of a won one).
/// `import` writes it when its source has such columns, and `cut` reads it: a deal the cut
/// reopens has those values blanked with its outcome, so a replayed pipeline does not carry
/// its future. `cut` copies it along (the deals still closed keep their values).
pub const DEAL_COLUMNS: &str = "deal_columns.json";

/// What [`DEAL_COLUMNS`] holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DealColumns {
    /// Extra columns of `deals.csv` whose value is known only once the deal has closed.
    pub known_at_close: Vec<String>,
}

impl DealColumns {
    /// The file's text: pretty JSON, one name a line.
    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("a list of names serialises");
        v.push(b'\n');
        v
    }

    /// The [`DEAL_COLUMNS`] file beside the events file `events`, if there is one, checked
    /// against the deal table's extra columns `extras`: per extra column, whether it is known
    /// only at close (all `false` without the file). A name that is not an extra column is an
    /// error naming the file and the entry: blanking nothing would leak the outcome silently.
    pub fn beside(events: &Path, extras: &DealExtras) -> Result<Vec<bool>, InputError> {
        let mut known = vec![false; extras.names().len()];
        let Some((file, origin)) = json_beside::<DealColumns>(
            events,
            DEAL_COLUMNS,
            "the JSON `dealsim import` writes, {\"known_at_close\": [\"column\", ...]}",
        )?
        else {
            return Ok(known);
        };
        for (i, name) in file.known_at_close.iter().enumerate() {
            let Some(k) = extras.names().iter().position(|n| n == name) else {
                let have = if extras.names().is_empty() {
                    "it has none".to_string()
                } else {
                    extras.names().join(", ")
                };
                return Err(InputError::new(
                    origin,
                    format!("expected an extra column of the deal table ({have}), got {name:?}"),
                )
                .at_field(format!("known_at_close[{i}]")));
            };
            known[k] = true;
        }
        Ok(known)
    }
}

/// Whether a column's name has a word starting with "clos" (close, closed, closing, closure),
/// words split at non-letters and at camelCase humps: `Closing Date` and `expectedCloseDate`
/// are, `Disclosed` and `Enclosure` are not.
pub fn named_like_a_close(name: &str) -> bool {
    let mut word = String::new();
    let mut previous_lower = false;
    for c in name.chars().chain([' ']) {
        let boundary = !c.is_alphanumeric() || (c.is_uppercase() && previous_lower);
        if boundary {
            if word.starts_with("clos") {
                return true;
            }
            word.clear();
        }
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        }
        previous_lower = c.is_lowercase();
    }
    false
}

/// Whether `name` is one of the columns `deals.csv` always has (and [`super::read`] reads).
pub fn is_standard_deal_column(name: &str) -> bool {
    DEALS_HEADER.trim_end().split(',').any(|c| c == name)
}

/// The extra columns of a deal table: their names and, per deal, one text value per column.
/// The values live in one string, so a log of a million deals costs two allocations, not
/// millions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DealExtras {
    names: Vec<String>,
    /// 1-based column of each name in `deals.csv`, for error messages.
    columns: Vec<usize>,
    text: String,
    /// Value `k` (deal `k / names.len()`, column `k % names.len()`) ends at `ends[k]` in `text`
    /// and starts where value `k - 1` ends.
    ends: Vec<usize>,
}

impl DealExtras {
    /// No deals yet, the columns `(name, 1-based column in deals.csv)` in file order.
    pub fn new(columns: impl IntoIterator<Item = (String, usize)>) -> DealExtras {
        let (names, columns) = columns.into_iter().unzip();
        DealExtras {
            names,
            columns,
            ..DealExtras::default()
        }
    }

    /// Column names, in `deals.csv`'s order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// `(name, 1-based column in deals.csv)` of every extra column.
    pub fn columns(&self) -> impl Iterator<Item = (&str, usize)> {
        self.names
            .iter()
            .map(String::as_str)
            .zip(self.columns.iter().copied())
    }

    /// Appends the next deal's values, one per column (missing ones are empty, surplus ones
    /// dropped).
    pub fn push_deal<'v>(&mut self, values: impl IntoIterator<Item = &'v str>) {
        let mut values = values.into_iter();
        for _ in 0..self.names.len() {
            self.text.push_str(values.next().unwrap_or(""));
            self.ends.push(self.text.len());
        }
    }

    /// Deal `deal`'s values, in column order.
    pub fn values(&self, deal: usize) -> impl Iterator<Item = &str> {
        let n = self.names.len();
        (deal * n..(deal + 1) * n).map(move |k| {
            let start = if k == 0 { 0 } else { self.ends[k - 1] };
            &self.text[start..self.ends[k]]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_come_back_per_deal_in_column_order() {
        let mut x = DealExtras::new([("sector".to_string(), 11), ("account".to_string(), 12)]);
        x.push_deal(["retail", "Acme"]);
        x.push_deal([""]);
        x.push_deal(["", "Zap", "dropped"]);
        let deal = |i: usize| x.values(i).collect::<Vec<_>>();
        assert_eq!(deal(0), ["retail", "Acme"]);
        assert_eq!(deal(1), ["", ""]);
        assert_eq!(deal(2), ["", "Zap"]);
        assert_eq!(
            x.columns().collect::<Vec<_>>(),
            [("sector", 11), ("account", 12)]
        );
        assert!(DealExtras::default().values(3).next().is_none());
    }

    #[test]
    fn columns_known_at_close_are_read_beside_the_events_file_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let events = dir.path().join("events.csv");
        let x = DealExtras::new([("sector".to_string(), 11), ("close_value".to_string(), 12)]);
        assert_eq!(DealColumns::beside(&events, &x), Ok(vec![false, false]));
        let file = DealColumns {
            known_at_close: vec!["close_value".into()],
        };
        std::fs::write(dir.path().join(DEAL_COLUMNS), file.to_json()).unwrap();
        assert_eq!(DealColumns::beside(&events, &x), Ok(vec![false, true]));
        let file = DealColumns {
            known_at_close: vec!["close_value".into(), "revenue".into()],
        };
        std::fs::write(dir.path().join(DEAL_COLUMNS), file.to_json()).unwrap();
        let e = DealColumns::beside(&events, &x).unwrap_err().to_string();
        assert!(
            e.ends_with(
                "deal_columns.json: known_at_close[1]: expected an extra column of the deal \
                 table (sector, close_value), got \"revenue\""
            ),
            "{e}"
        );
        std::fs::write(dir.path().join(DEAL_COLUMNS), "{\"known\": []}").unwrap();
        let e = DealColumns::beside(&events, &x).unwrap_err().to_string();
        assert!(
            e.contains("deal_columns.json: line 1") && e.contains("known_at_close"),
            "{e}"
        );
    }

    #[test]
    fn the_standard_columns_are_those_of_the_header() {
        assert!(is_standard_deal_column("case_id") && is_standard_deal_column("lost_step"));
        assert!(!is_standard_deal_column("sector") && !is_standard_deal_column(""));
    }
}
