//! The per-segment summary of a simulated (or imported) log: counts, win rate, cycle lengths.
//!
//! Win rates are among *closed* deals: open (censored) deals have no outcome yet and are
//! counted separately, never as won.

use serde::Serialize;

use crate::log::Outcome;
use crate::stats::quantile::median;

/// What the summary needs of one deal.
#[derive(Debug, Clone, Copy)]
pub struct DealStat {
    pub segment: u16,
    pub outcome: Outcome,
    /// Days from creation to close (calendar days, fractional); unused for open deals.
    pub cycle_days: f32,
    /// Lost at a step after the proposal step of its map.
    pub lost_after_proposal: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SegmentSummary {
    pub segment: String,
    /// Atypical segment, marked for manual review.
    pub review: bool,
    pub deals: u64,
    pub won: u64,
    pub lost: u64,
    pub open: u64,
    pub win_rate_closed: Option<f64>,
    pub median_days_to_won: Option<f64>,
    pub median_days_to_lost: Option<f64>,
    pub losses_after_proposal: Option<f64>,
}

/// What the summary needs to know of a segment besides its deals.
#[derive(Debug, Clone)]
pub struct SegmentKind {
    pub name: String,
    /// Atypical: marked for manual review.
    pub review: bool,
    /// Its stage map has a `proposal_sent` step: without one "lost after proposal" has no
    /// meaning, and the share is left empty rather than shown as 0%.
    pub has_proposal: bool,
}

/// Summarises `stats` for `segments`, plus a total row (its share of losses after the
/// proposal only when every segment has a proposal step).
pub fn summarise(segments: &[SegmentKind], stats: &[DealStat]) -> Vec<SegmentSummary> {
    let mut rows: Vec<SegmentSummary> = Vec::new();
    let all = SegmentKind {
        name: String::from("all"),
        review: false,
        has_proposal: segments.iter().all(|s| s.has_proposal),
    };
    for (k, kind) in segments.iter().chain(std::iter::once(&all)).enumerate() {
        let SegmentKind {
            name,
            review,
            has_proposal,
        } = kind;
        let mine: Vec<&DealStat> = stats
            .iter()
            .filter(|s| k == segments.len() || s.segment as usize == k)
            .collect();
        let count = |o: Outcome| mine.iter().filter(|s| s.outcome == o).count() as u64;
        let (won, lost, open) = (
            count(Outcome::Won),
            count(Outcome::Lost),
            count(Outcome::Open),
        );
        let days = |o: Outcome| {
            let v: Vec<f64> = mine
                .iter()
                .filter(|s| s.outcome == o)
                .map(|s| f64::from(s.cycle_days))
                .collect();
            median(&v)
        };
        let after = mine
            .iter()
            .filter(|s| s.outcome == Outcome::Lost && s.lost_after_proposal)
            .count() as f64;
        rows.push(SegmentSummary {
            segment: name.clone(),
            review: *review,
            deals: mine.len() as u64,
            won,
            lost,
            open,
            win_rate_closed: (won + lost > 0).then(|| won as f64 / (won + lost) as f64),
            median_days_to_won: days(Outcome::Won),
            median_days_to_lost: days(Outcome::Lost),
            losses_after_proposal: (lost > 0 && *has_proposal).then(|| after / lost as f64),
        });
    }
    rows
}

/// A plain-text table for the terminal.
pub fn render_table(rows: &[SegmentSummary]) -> String {
    let header = [
        "segment",
        "deals",
        "won",
        "lost",
        "open",
        "win% closed",
        "med days→won",
        "med days→lost",
        "lost after proposal",
    ];
    let pct = |x: Option<f64>| x.map_or("-".into(), |v| format!("{:.1}%", v * 100.0));
    let days = |x: Option<f64>| x.map_or("-".into(), |v| format!("{v:.0}"));
    let mut table: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
    for r in rows {
        let name = if r.review {
            format!("{} (review)", r.segment)
        } else {
            r.segment.clone()
        };
        table.push(vec![
            name,
            r.deals.to_string(),
            r.won.to_string(),
            r.lost.to_string(),
            r.open.to_string(),
            pct(r.win_rate_closed),
            days(r.median_days_to_won),
            days(r.median_days_to_lost),
            pct(r.losses_after_proposal),
        ]);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            table
                .iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (i, row) in table.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                let pad = widths[c] - cell.chars().count();
                if c == 0 {
                    format!("{cell}{}", " ".repeat(pad))
                } else {
                    format!("{}{cell}", " ".repeat(pad))
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
        if i == 0 {
            out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(segment: u16, outcome: Outcome, days: f32, after: bool) -> DealStat {
        DealStat {
            segment,
            outcome,
            cycle_days: days,
            lost_after_proposal: after,
        }
    }

    #[test]
    fn win_rate_excludes_open_deals_and_medians_are_per_outcome() {
        let stats = [
            stat(0, Outcome::Won, 100.0, false),
            stat(0, Outcome::Won, 120.0, false),
            stat(0, Outcome::Lost, 30.0, false),
            stat(0, Outcome::Lost, 60.0, true),
            stat(0, Outcome::Lost, 90.0, true),
            stat(0, Outcome::Open, 0.0, false),
            stat(1, Outcome::Open, 0.0, false),
        ];
        let kind = |name: &str, review, has_proposal| SegmentKind {
            name: name.into(),
            review,
            has_proposal,
        };
        let rows = summarise(&[kind("a", false, true), kind("b", true, true)], &stats);
        let a = &rows[0];
        assert_eq!((a.deals, a.won, a.lost, a.open), (6, 2, 3, 1));
        assert_eq!(a.win_rate_closed, Some(0.4));
        assert_eq!(a.median_days_to_won, Some(110.0));
        assert_eq!(a.median_days_to_lost, Some(60.0));
        assert_eq!(a.losses_after_proposal, Some(2.0 / 3.0));
        assert_eq!(rows[1].win_rate_closed, None);
        assert_eq!(rows[2].deals, 7);
        assert!(render_table(&rows).contains("b (review)"));
        // Without a proposal step the share is unknown, for the segment and the total.
        let rows = summarise(&[kind("a", false, false), kind("b", true, true)], &stats);
        assert_eq!(rows[0].losses_after_proposal, None);
        assert_eq!(rows[2].losses_after_proposal, None);
    }
}
