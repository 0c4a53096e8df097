//! Market dynamics: monthly inflow per segment and lead source, and the win rate of each
//! month's cohort (from `inflow.csv` and `cohort_win_rate.csv`).

use plotters::prelude::*;

use super::palette::{self, Pen};
use super::{legend, line, number_label, svg, with_legend, xy_chart, Mark, PlotError, FONT, WIDTH};
use crate::report::tables::{CohortRow, InflowRow};

/// Cohort months with fewer closed deals than this are left out of the win-rate plot: their
/// rate is mostly noise.
pub const MIN_CLOSED_FOR_RATE: u64 = 10;

/// Cohort months with a larger share of deals still open are left out too: the closed deals
/// of a young cohort are its quick losses, so its win rate is biased low until it matures.
pub const MAX_OPEN_SHARE_FOR_RATE: f64 = 0.05;

/// The win rate the plot shows for a cohort, if it is mature and large enough.
fn shown_rate(r: &CohortRow) -> Option<f64> {
    let closed = r.won + r.lost;
    let open_share = r.open as f64 / (closed + r.open).max(1) as f64;
    r.win_rate
        .filter(|_| closed >= MIN_CLOSED_FOR_RATE && open_share <= MAX_OPEN_SHARE_FOR_RATE)
}

/// A month axis: `months[k]` is drawn at x = k.
fn month_label(months: &[String], x: f64) -> String {
    let k = x.round();
    if (x - k).abs() > 1e-6 || k < 0.0 {
        return String::new();
    }
    months.get(k as usize).cloned().unwrap_or_default()
}

fn month_chart<'a, 'b>(
    area: &'a super::Area<'b>,
    title: String,
    months: &[String],
    y_max: f64,
    y_desc: &str,
) -> Result<
    ChartContext<
        'a,
        SVGBackend<'b>,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    PlotError,
> {
    let mut chart = xy_chart(area, title, -0.5..months.len() as f64 - 0.5, 0.0..y_max, 55)?;
    chart
        .configure_mesh()
        .x_labels(months.len().min(12))
        .x_label_formatter(&|x| month_label(months, *x))
        .y_label_formatter(&number_label)
        .x_desc("month of creation")
        .y_desc(y_desc)
        .label_style((FONT, 13))
        .light_line_style(TRANSPARENT)
        .draw()?;
    Ok(chart)
}

fn distinct<'a>(values: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut v: Vec<String> = values.cloned().collect();
    v.sort();
    v.dedup();
    v
}

/// Deals created per month in one segment, one line per lead source (same source, same
/// colour in every segment).
pub fn inflow(segment: &str, all: &[InflowRow]) -> Result<String, PlotError> {
    let months = distinct(all.iter().map(|r| &r.month));
    let sources = distinct(all.iter().map(|r| &r.source));
    let mine: Vec<&InflowRow> = all.iter().filter(|r| r.segment == segment).collect();
    let y_max = mine.iter().map(|r| r.deals).max().unwrap_or(1).max(1) as f64 * 1.1;
    let x_of = |m: &str| months.iter().position(|x| x == m).unwrap_or(0) as f64;
    // Colours follow the source's place among all sources; only the segment's own are drawn.
    let present: Vec<(usize, &String)> = sources
        .iter()
        .enumerate()
        .filter(|(_, s)| mine.iter().any(|r| &r.source == *s))
        .collect();
    let entries: Vec<(String, Mark)> = present
        .iter()
        .map(|&(k, s)| (s.clone(), Mark::Line(palette::series(k))))
        .collect();
    svg(
        WIDTH,
        super::height_for_legend(entries.len(), 340),
        |root| {
            let (left, right) = with_legend(root);
            let mut chart = month_chart(
                &left,
                format!("Monthly inflow: {segment}"),
                &months,
                y_max,
                "deals created",
            )?;
            for &(k, source) in &present {
                // Months without a deal from the source are zero, not a gap.
                let points: Vec<(f64, f64)> = months
                    .iter()
                    .map(|m| {
                        let n = mine
                            .iter()
                            .find(|r| &r.month == m && &r.source == source)
                            .map_or(0, |r| r.deals);
                        (x_of(m), n as f64)
                    })
                    .collect();
                line(&mut chart, points, &palette::series(k))?;
            }
            legend(&right, "lead source", &entries)
        },
    )
}

/// Win rate among closed deals by the month they were created, one line per segment.
pub fn cohort_win_rate(rows: &[CohortRow]) -> Result<String, PlotError> {
    let months = distinct(rows.iter().map(|r| &r.cohort_month));
    let segments = distinct(rows.iter().map(|r| &r.segment));
    let x_of = |m: &str| months.iter().position(|x| x == m).unwrap_or(0) as f64;
    let entries: Vec<(String, Mark)> = segments
        .iter()
        .enumerate()
        .map(|(k, s)| (s.clone(), Mark::Line(palette::series(k))))
        .collect();
    let y_max = (rows.iter().filter_map(shown_rate).fold(0.1_f64, f64::max) * 1.15).min(1.0);
    svg(
        WIDTH,
        super::height_for_legend(entries.len(), 360),
        |root| {
            let (left, right) = with_legend(root);
            let mut chart = month_chart(
                &left,
                "Win rate by cohort month (closed deals)".into(),
                &months,
                y_max,
                "won / (won + lost)",
            )?;
            for (k, segment) in segments.iter().enumerate() {
                let pen: Pen = palette::series(k);
                // A run breaks where a month has too few closed deals.
                let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
                for m in &months {
                    let rate = rows
                        .iter()
                        .find(|r| &r.cohort_month == m && &r.segment == segment)
                        .and_then(shown_rate);
                    match rate {
                        Some(rate) => runs.last_mut().expect("never empty").push((x_of(m), rate)),
                        None => runs.push(Vec::new()),
                    }
                }
                for run in runs.into_iter().filter(|r| !r.is_empty()) {
                    chart
                        .draw_series(run.iter().map(|&p| Circle::new(p, 3, pen.color.filled())))?;
                    line(&mut chart, run, &pen)?;
                }
            }
            legend(&right, "segment", &entries)
        },
    )
}
