//! Threshold trade-offs from the tuner's `tradeoffs.csv`: per segment, caught losses (recall)
//! against the alerts a rep would get per week, for every indicator with a chosen rule; the
//! chosen threshold is ringed, and the alert budget the rules were chosen under (if any) is a
//! dashed vertical line: the rules left of it were eligible.
//!
//! Each curve is the indicator's candidate thresholds at the landmark day of its chosen rule,
//! so the ring lies on its curve.

use plotters::prelude::*;

use super::palette::{self, Pen, BLACK, TARGET_RED};
use super::{legend, line, numeric_axes, svg, with_legend, xy_chart, Mark, PlotError, WIDTH};
use crate::report::load::RunData;
use crate::tuning::TradeoffRow;

/// The chosen rule of each indicator in `segment`, in the order they appear in the file.
fn chosen<'a>(rows: &'a [TradeoffRow], segment: &str) -> Vec<&'a TradeoffRow> {
    rows.iter()
        .filter(|r| r.segment == segment && r.chosen)
        .collect()
}

/// The plot for one segment, or `None` when no indicator has a chosen rule there.
pub fn plot(
    data: &RunData,
    rows: &[TradeoffRow],
    segment: &str,
) -> Result<Option<String>, PlotError> {
    let picks = chosen(rows, segment);
    if picks.is_empty() {
        return Ok(None);
    }
    let pens = palette::indicator_pens(
        data.meta.indicators.iter().map(|i| i.name.as_str()),
        data.baseline(),
    );
    let pen_of = |name: &str| {
        pens.iter()
            .find(|(n, _)| n == name)
            .map_or(palette::series(0), |(_, p)| *p)
    };
    let curve = |pick: &TradeoffRow| {
        let mut pts: Vec<(f64, f64)> = rows
            .iter()
            .filter(|r| {
                r.segment == segment
                    && r.indicator == pick.indicator
                    && r.landmark_day == pick.landmark_day
            })
            .filter(|r| r.alerts_per_rep_week.is_finite() && r.recall.is_finite())
            .map(|r| (r.alerts_per_rep_week, r.recall))
            .collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        pts
    };
    let x_max = picks
        .iter()
        .flat_map(|p| curve(p))
        .map(|p| p.0)
        .chain(data.alert_budget())
        .fold(0.1_f64, f64::max)
        * 1.05;
    let budget_pen = Pen::dashed(TARGET_RED, 2, 8, 5);
    let mut entries: Vec<(String, Mark)> = picks
        .iter()
        .map(|p| {
            (
                format!("{} (day {})", p.indicator, p.landmark_day),
                Mark::Line(pen_of(&p.indicator)),
            )
        })
        .collect();
    entries.push(("chosen threshold".into(), Mark::Point(BLACK)));
    if let Some(budget) = data.alert_budget() {
        entries.push((
            format!("alert budget: {budget} per rep per week"),
            Mark::Line(budget_pen),
        ));
    }
    let svg = svg(
        WIDTH,
        super::height_for_legend(entries.len(), 380),
        |root| {
            let (left, right) = with_legend(root);
            let mut chart = xy_chart(
                &left,
                format!("Caught losses vs alerts: {segment}"),
                0.0..x_max,
                0.0..1.0,
                55,
            )?;
            numeric_axes(
                &mut chart,
                "alerts per rep per week",
                "recall (share of lost deals flagged)",
            )?;
            if let Some(budget) = data.alert_budget() {
                line(&mut chart, vec![(budget, 0.0), (budget, 1.0)], &budget_pen)?;
            }
            for p in &picks {
                let pen = pen_of(&p.indicator);
                let points = curve(p);
                // Every candidate threshold is a dot on its curve.
                chart.draw_series(
                    points
                        .iter()
                        .map(|&at| Circle::new(at, 3, pen.color.filled())),
                )?;
                line(&mut chart, points, &pen)?;
                let at = (p.alerts_per_rep_week, p.recall);
                chart.draw_series([
                    Circle::new(at, 7, pen.color.filled()),
                    Circle::new(at, 8, BLACK.stroke_width(2)),
                ])?;
            }
            legend(&right, "indicator (landmark)", &entries)
        },
    )?;
    Ok(Some(svg))
}
