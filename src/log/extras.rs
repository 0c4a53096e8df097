//! Deal columns beyond the standard ones: what an import adds to `deals.csv` (a CRM's
//! account, sector, product, ...), kept as text so that an export can carry it along as case
//! attributes.
//! Not for: indicators or scoring, which never read these columns, nor a [`super::Log`],
//! which leaves them out so that scoring a large log does not hold them.

use crate::export::csv_log::DEALS_HEADER;

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
    fn the_standard_columns_are_those_of_the_header() {
        assert!(is_standard_deal_column("case_id") && is_standard_deal_column("lost_step"));
        assert!(!is_standard_deal_column("sector") && !is_standard_deal_column(""));
    }
}
