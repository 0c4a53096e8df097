//! Threshold trade-offs from the tuner's `tradeoffs.csv`: per segment, caught losses (recall)
//! against the alerts a rep would get per week, for the indicators that could be chosen: each
//! indicator's curve is its candidate thresholds at the landmark of its own best rule (a dot
//! on the curve), so a reader sees what the runners-up would achieve for the same alerts. The
//! chosen rule is ringed, and the alert budget the rules were chosen under (if any) is a
//! dashed vertical line: the rules left of it were eligible.
//!
//! At most [`CURVES`] indicators are drawn, the chosen one first and then by the recall of
//! their best rule; `tradeoffs.csv` lists them all. Files written before the tuner marked each
//! indicator's best rule show the chosen rule's indicator only.

use plotters::prelude::*;

use super::palette::{self, Pen, BLACK, TARGET_RED};
use super::{legend, line, numeric_axes, svg, with_legend, xy_chart, Mark, PlotError, WIDTH};
use crate::report::load::RunData;
use crate::tuning::TradeoffRow;

/// Indicators drawn per segment: more curves than this crowd the plot.
pub const CURVES: usize = 5;

/// The rule whose curve is drawn, per drawn indicator of `segment`: the chosen rules'
/// indicators first, then the others' best rules by recall (older files: the chosen rules).
fn picks<'a>(
    rows: &'a [TradeoffRow],
    chosen: &[&'a TradeoffRow],
    segment: &str,
) -> Vec<&'a TradeoffRow> {
    let mut bests: Vec<&TradeoffRow> = rows
        .iter()
        .filter(|r| r.segment == segment && r.indicator_best)
        .collect();
    if bests.is_empty() {
        return chosen.to_vec();
    }
    let first = |r: &TradeoffRow| chosen.iter().any(|c| c.indicator == r.indicator);
    bests.sort_by(|a, b| first(b).cmp(&first(a)).then(b.recall.total_cmp(&a.recall)));
    bests.truncate(CURVES);
    bests
}

/// The plot for one segment, or `None` when no indicator has a rule to show there.
pub fn plot(
    data: &RunData,
    rows: &[TradeoffRow],
    segment: &str,
) -> Result<Option<String>, PlotError> {
    let chosen: Vec<&TradeoffRow> = rows
        .iter()
        .filter(|r| r.segment == segment && r.chosen)
        .collect();
    let picks = picks(rows, &chosen, segment);
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
    // With a budget, the region around it: far beyond it every curve reaches recall 1.
    let x_max = match data.alert_budget() {
        Some(budget) => chosen
            .iter()
            .map(|c| c.alerts_per_rep_week)
            .fold(2.5 * budget, f64::max),
        None => picks
            .iter()
            .flat_map(|p| curve(p))
            .map(|p| p.0)
            .fold(0.1_f64, f64::max),
    } * 1.05;
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
    entries.push(("best rule of each indicator".into(), Mark::Point(BLACK)));
    entries.push(("chosen rule".into(), Mark::Ring(BLACK)));
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
                let points: Vec<(f64, f64)> =
                    curve(p).into_iter().filter(|at| at.0 <= x_max).collect();
                // Every candidate threshold is a dot on its curve, its best rule a big one.
                chart.draw_series(
                    points
                        .iter()
                        .map(|&at| Circle::new(at, 3, pen.color.filled())),
                )?;
                line(&mut chart, points, &pen)?;
                let at = (p.alerts_per_rep_week, p.recall);
                chart.draw_series([Circle::new(at, 6, pen.color.filled())])?;
            }
            chart.draw_series(chosen.iter().map(|c| {
                Circle::new((c.alerts_per_rep_week, c.recall), 8, BLACK.stroke_width(2))
            }))?;
            legend(&right, "indicator (landmark)", &entries)
        },
    )?;
    Ok(Some(svg))
}
