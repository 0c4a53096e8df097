//! Where deals are lost: the funnel by step and the cycle-length distributions, per segment
//! (from `funnel.csv` and `cycle_lengths.csv`).

use plotters::prelude::*;

use super::palette::{ENTERED_BLUE, LOST_RED, WON_GREEN};
use super::{
    legend, number_label, numeric_axes, svg, with_legend, xy_chart, Mark, PlotError, FONT, WIDTH,
};
use crate::report::tables::{CycleRow, FunnelRow, CYCLE_BIN_DAYS};

/// Pixel height per funnel step.
const STEP_HEIGHT: u32 = 34;

/// Horizontal bars per step, first step on top: deals that entered it, were eventually won
/// after entering it, and were lost at it.
pub fn funnel(segment: &str, rows: &[&FunnelRow]) -> Result<String, PlotError> {
    let n = rows.len();
    let x_max = rows.iter().map(|r| r.entered).max().unwrap_or(1).max(1) as f64 * 1.05;
    let names: Vec<String> = rows
        .iter()
        .map(|r| format!("{}: {}", r.stage, r.step))
        .collect();
    let height = 110 + STEP_HEIGHT * n as u32;
    // Step k is drawn around y = n - 1 - k so that the first step is on top.
    let y_of = |k: usize| (n - 1 - k) as f64;
    svg(WIDTH, height.max(200), |root| {
        let (left, right) = with_legend(root);
        let mut chart = xy_chart(
            &left,
            format!("Funnel: {segment}"),
            0.0..x_max,
            -0.5..n as f64 - 0.5,
            230,
        )?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n.max(1))
            .y_label_formatter(&|y| {
                let k = y.round();
                if (y - k).abs() > 1e-6 || k < 0.0 || k as usize >= n {
                    return String::new();
                }
                names[n - 1 - k as usize].clone()
            })
            .x_label_formatter(&number_label)
            .x_desc("deals")
            .label_style((FONT, 13))
            .light_line_style(TRANSPARENT)
            .draw()?;
        let bar = |k: usize, (from, to): (f64, f64), v: u64, color: RGBColor| {
            let y = y_of(k);
            Rectangle::new([(0.0, y + from), (v as f64, y + to)], color.filled())
        };
        for (k, r) in rows.iter().enumerate() {
            chart.draw_series([
                bar(k, (-0.4, 0.4), r.entered, ENTERED_BLUE),
                bar(k, (0.02, 0.32), r.won, WON_GREEN),
                bar(k, (-0.32, -0.02), r.lost_here, LOST_RED),
            ])?;
        }
        legend(
            &right,
            "deals per step",
            &[
                ("entered the step".into(), Mark::Bar(ENTERED_BLUE)),
                ("of those: won in the end".into(), Mark::Bar(WON_GREEN)),
                ("lost at this step".into(), Mark::Bar(LOST_RED)),
            ],
        )
    })
}

/// Where a segment's cycle-length histogram stops: the end of the bin that completes 99% of
/// its closed deals, with the longest 1% gathered in one last bar, and how many deals that bar
/// holds; `None` when the bins end there anyway. One deal of 574 days would otherwise stretch
/// the axis so far that the 3–5 months where most deals close fill a third of the plot.
pub fn cycle_overflow(rows: &[&CycleRow]) -> Option<(u32, u64)> {
    let total: u64 = rows.iter().map(|r| r.deals).sum();
    let mut ends: Vec<u32> = rows.iter().map(|r| r.bin_end_days).collect();
    ends.sort_unstable();
    ends.dedup();
    let upto = |end: u32| -> u64 {
        rows.iter()
            .filter(|r| r.bin_end_days <= end)
            .map(|r| r.deals)
            .sum()
    };
    // 99% as a whole number: deals ≥ ⌈0.99 · total⌉ are inside.
    let inside = total - total / 100;
    let clip = *ends.iter().find(|&&end| upto(end) >= inside)?;
    (clip < *ends.last()?).then(|| (clip, total - upto(clip)))
}

/// Histogram of days from creation to close, won and lost side by side in each bin; past
/// [`cycle_overflow`]'s day one last pair of bars gathers the longest deals.
pub fn cycle_lengths(segment: &str, rows: &[&CycleRow]) -> Result<String, PlotError> {
    let overflow = cycle_overflow(rows).map(|(clip, _)| clip);
    let binned: Vec<CycleRow> = match overflow {
        None => rows.iter().map(|&r| r.clone()).collect(),
        Some(clip) => {
            let mut kept: Vec<CycleRow> = rows
                .iter()
                .filter(|r| r.bin_end_days <= clip)
                .map(|&r| r.clone())
                .collect();
            for outcome in ["won", "lost"] {
                let deals = rows
                    .iter()
                    .filter(|r| r.bin_end_days > clip && r.outcome == outcome)
                    .map(|r| r.deals)
                    .sum();
                kept.push(CycleRow {
                    segment: segment.to_string(),
                    outcome: outcome.to_string(),
                    bin_start_days: clip,
                    bin_end_days: clip + CYCLE_BIN_DAYS,
                    deals,
                });
            }
            kept
        }
    };
    let rows = &binned;
    let x_max = rows
        .iter()
        .map(|r| r.bin_end_days)
        .max()
        .unwrap_or(CYCLE_BIN_DAYS) as f64;
    let y_max = rows.iter().map(|r| r.deals).max().unwrap_or(1).max(1) as f64 * 1.08;
    let half = CYCLE_BIN_DAYS as f64 / 2.0;
    svg(WIDTH, 360, |root| {
        let (left, right) = with_legend(root);
        let mut chart = xy_chart(
            &left,
            format!("Cycle length: {segment}"),
            0.0..x_max,
            0.0..y_max,
            55,
        )?;
        numeric_axes(
            &mut chart,
            "days from creation to close",
            &format!("deals per {CYCLE_BIN_DAYS}-day bin"),
        )?;
        chart.draw_series(rows.iter().map(|r| {
            let (x0, color) = match r.outcome.as_str() {
                "won" => (r.bin_start_days as f64, WON_GREEN),
                _ => (r.bin_start_days as f64 + half, LOST_RED),
            };
            Rectangle::new([(x0, 0.0), (x0 + half, r.deals as f64)], color.filled())
        }))?;
        legend(
            &right,
            "outcome",
            &[
                ("won".into(), Mark::Bar(WON_GREEN)),
                ("lost".into(), Mark::Bar(LOST_RED)),
            ],
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(outcome: &str, start: u32, deals: u64) -> CycleRow {
        CycleRow {
            segment: "smb".into(),
            outcome: outcome.into(),
            bin_start_days: start,
            bin_end_days: start + CYCLE_BIN_DAYS,
            deals,
        }
    }

    #[test]
    fn the_longest_one_percent_is_gathered_in_the_last_bar() {
        // 99 deals closed within a week and one after 574 days: the axis stops at day 7.
        let rows = [row("won", 0, 60), row("lost", 0, 39), row("lost", 574, 1)];
        let refs: Vec<&CycleRow> = rows.iter().collect();
        assert_eq!(cycle_overflow(&refs), Some((7, 1)));
        let svg = cycle_lengths("smb", &refs).expect("a plot");
        assert!(
            !svg.contains("\n500\n</text>"),
            "the axis still reaches 574"
        );
        // One long deal of 50 is 2%, more than the 1% a last bar may gather: nothing clipped.
        let rows = [row("won", 0, 30), row("lost", 0, 19), row("lost", 574, 1)];
        let refs: Vec<&CycleRow> = rows.iter().collect();
        assert_eq!(cycle_overflow(&refs), None);
        let svg = cycle_lengths("smb", &refs).expect("a plot");
        assert!(
            svg.contains("\n500\n</text>"),
            "the axis reaches the long deal"
        );
        assert_eq!(cycle_overflow(&[]), None);
    }
}
