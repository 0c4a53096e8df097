//! Threshold trade-offs from the tuner's `tradeoffs.csv`: per segment, caught losses (recall)
//! against the alerts a rep would get per week, for the indicators that could be chosen: each
//! indicator's curve is its candidate thresholds at the landmark of its own best rule (a dot
//! on the curve), so a reader sees what the runners-up would achieve for the same alerts. The
//! chosen rule is ringed, and the alert budget the rules were chosen under (if any) is a
//! dashed vertical line: the rules left of it were eligible.
//!
//! The same curves against the false-alarm rate ([`Against::FalseAlarms`]) show what the
//! alerts axis hides where most deals are lost: an alert then almost always goes to a deal
//! that is lost anyway, so every indicator's recall grows with its alerts at nearly the same
//! slope, while the share of won deals each one flags to get there differs (a ROC curve of
//! the indicator at that landmark, flagged by then or not).
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

/// What a trade-off plot sets the caught losses against (its x axis).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Against {
    /// Alerts per rep per week: the workload, which the budget objective limits.
    Alerts,
    /// The false-alarm rate, the share of won deals flagged: how cleanly the losses are told
    /// apart, whatever the workload.
    FalseAlarms,
}

impl Against {
    fn x(self, r: &TradeoffRow) -> f64 {
        match self {
            Against::Alerts => r.alerts_per_rep_week,
            Against::FalseAlarms => r.false_alarm_rate,
        }
    }

    /// The plot's title, which names the segment after this prefix.
    pub fn title(self) -> &'static str {
        match self {
            Against::Alerts => "Caught losses vs alerts: ",
            Against::FalseAlarms => "Caught losses vs false alarms: ",
        }
    }

    fn axis(self) -> &'static str {
        match self {
            Against::Alerts => "alerts per rep per week",
            Against::FalseAlarms => "false-alarm rate (share of won deals flagged)",
        }
    }
}

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

/// The plot of one segment's caught losses `against` alerts or false alarms, or `None` when no
/// indicator has a rule to show there.
pub fn plot(
    data: &RunData,
    rows: &[TradeoffRow],
    segment: &str,
    against: Against,
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
            .map(|r| (against.x(r), r.recall))
            .filter(|at| at.0.is_finite() && at.1.is_finite())
            .collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        pts
    };
    // The alert budget, on the alerts axis only.
    let budget = data.alert_budget().filter(|_| against == Against::Alerts);
    // With a budget, the region around it: far beyond it every curve reaches recall 1. A
    // rate runs to 1.
    let x_max = match (against, budget) {
        (Against::FalseAlarms, _) => 1.0,
        (Against::Alerts, Some(budget)) => chosen
            .iter()
            .map(|c| c.alerts_per_rep_week)
            .fold(2.5 * budget, f64::max),
        (Against::Alerts, None) => picks
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
    if let Some(budget) = budget {
        entries.push((
            format!("alert budget: {budget} per rep per week"),
            Mark::Line(budget_pen),
        ));
    }
    if against == Against::FalseAlarms {
        entries.push(("flagging at random".into(), Mark::Line(palette::CHANCE)));
    }
    let svg = svg(
        WIDTH,
        super::height_for_legend(entries.len(), 380),
        |root| {
            let (left, right) = with_legend(root);
            let mut chart = xy_chart(
                &left,
                format!("{}{segment}", against.title()),
                0.0..x_max,
                0.0..1.0,
                55,
            )?;
            numeric_axes(
                &mut chart,
                against.axis(),
                "recall (share of lost deals flagged)",
            )?;
            if let Some(budget) = budget {
                line(&mut chart, vec![(budget, 0.0), (budget, 1.0)], &budget_pen)?;
            }
            if against == Against::FalseAlarms {
                line(&mut chart, vec![(0.0, 0.0), (1.0, 1.0)], &palette::CHANCE)?;
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
                let at = (against.x(p), p.recall);
                chart.draw_series([Circle::new(at, 6, pen.color.filled())])?;
            }
            chart.draw_series(
                chosen
                    .iter()
                    .map(|c| Circle::new((against.x(c), c.recall), 8, BLACK.stroke_width(2))),
            )?;
            legend(&right, "indicator (landmark)", &entries)
        },
    )?;
    Ok(Some(svg))
}
