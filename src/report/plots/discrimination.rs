//! AUC over deal age per segment: how well each indicator separates deals that will be lost
//! from deals that will be won, at every landmark, against chance (0.5) and the target.
//!
//! 95% CI bands are drawn only for the rep's forecast baseline and the three best-ranked
//! indicators of the segment: fifteen overlapping bands would hide the lines they qualify.
//! All intervals are in `scores.csv`.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette;
use super::{legend, line, numeric_axes, svg, with_legend, xy_chart, Mark, PlotError, FONT, WIDTH};
use crate::indicators::TRUTH_INDICATOR;
use crate::report::load::RunData;

/// Indicators whose CI band is drawn besides the baseline's.
const BANDS_FOR_TOP: usize = 3;

/// Runs of consecutive landmarks with an AUC (gaps where a class was too small).
fn runs(
    data: &RunData,
    indicator: &str,
    segment: &str,
    pick: fn(&crate::scoring::ScoreRow) -> Option<(f64, f64, f64)>,
) -> Vec<Vec<(f64, f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64, f64)>> = vec![Vec::new()];
    for r in data
        .scores
        .iter()
        .filter(|r| r.indicator == indicator && r.segment == segment)
    {
        match pick(r) {
            Some(p) => out.last_mut().expect("never empty").push(p),
            None if !out.last().expect("never empty").is_empty() => out.push(Vec::new()),
            None => {}
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

fn auc_point(r: &crate::scoring::ScoreRow) -> Option<(f64, f64, f64)> {
    Some((r.landmark_day as f64, r.auc?, r.auc?))
}

fn band_point(r: &crate::scoring::ScoreRow) -> Option<(f64, f64, f64)> {
    Some((r.landmark_day as f64, r.ci_lo?, r.ci_hi?))
}

/// The plot for one segment (`all` = pooled).
pub fn plot(data: &RunData, segment: &str) -> Result<String, PlotError> {
    let baseline = data.baseline();
    let pens = palette::indicator_pens(
        data.meta.indicators.iter().map(|i| i.name.as_str()),
        baseline,
    );
    let pen_of = |name: &str| {
        pens.iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| *p)
            .unwrap_or(palette::series(0))
    };
    let ranking = data.ranking(segment);
    let banded: Vec<&str> = baseline
        .into_iter()
        .chain(
            ranking
                .iter()
                .map(|r| r.indicator.as_str())
                .filter(|&n| Some(n) != baseline && n != TRUTH_INDICATOR)
                .take(BANDS_FOR_TOP),
        )
        .collect();
    let target = data.meta.options.target;
    // The x axis ends at the last landmark with an AUC in this segment: beyond it too few
    // deals of one class remain open and the plot would be empty.
    let max_day = data
        .scores
        .iter()
        .filter(|r| r.segment == segment && r.auc.is_some())
        .map(|r| r.landmark_day)
        .max()
        .or_else(|| data.meta.landmarks.iter().copied().max())
        .unwrap_or(7) as f64;
    let y_min = data
        .scores
        .iter()
        .filter(|r| r.segment == segment)
        .filter_map(|r| r.ci_lo.or(r.auc))
        .fold(0.4_f64, f64::min)
        .max(0.0);
    let mut entries: Vec<(String, Mark)> = ranking
        .iter()
        .map(|r| {
            let mut label = format!("{}. {}", r.rank_text(), r.indicator);
            if Some(r.indicator.as_str()) == baseline {
                label.push_str(" (baseline)");
            }
            (label, Mark::Line(pen_of(&r.indicator)))
        })
        .collect();
    entries.push((
        format!("target AUC {target:.2}"),
        Mark::Line(palette::TARGET),
    ));
    entries.push(("chance (AUC 0.5)".into(), Mark::Line(palette::CHANCE)));
    let bands = match baseline {
        Some(_) => "95% CI (baseline, top 3)",
        None => "95% CI (top 3)",
    };
    entries.push((bands.into(), Mark::Band(palette::GREY)));
    let height = super::height_for_legend(entries.len(), 420);
    svg(WIDTH, height, |root| {
        let (left, right) = with_legend(root);
        let mut chart = xy_chart(
            &left,
            format!("AUC over deal age: {segment}"),
            0.0..max_day + 3.0,
            y_min..1.0,
            55,
        )?;
        numeric_axes(
            &mut chart,
            "deal age at the landmark (days since creation)",
            "AUC (lost vs won)",
        )?;
        for name in &banded {
            let color = pen_of(name).color;
            for run in runs(data, name, segment, band_point) {
                let mut poly: Vec<(f64, f64)> = run.iter().map(|&(x, lo, _)| (x, lo)).collect();
                poly.extend(run.iter().rev().map(|&(x, _, hi)| (x, hi)));
                chart.draw_series(std::iter::once(Polygon::new(
                    poly,
                    color.mix(0.15).filled(),
                )))?;
            }
        }
        for (y, pen) in [(0.5, palette::CHANCE), (target, palette::TARGET)] {
            line(&mut chart, vec![(0.0, y), (max_day + 3.0, y)], &pen)?;
        }
        // Ordinary indicators first, then the truth ceiling, the baseline on top.
        let order =
            |name: &str| u8::from(name == TRUTH_INDICATOR) + 2 * u8::from(Some(name) == baseline);
        let mut names: Vec<&str> = ranking.iter().map(|r| r.indicator.as_str()).collect();
        names.sort_by_key(|n| order(n));
        for name in names {
            for run in runs(data, name, segment, auc_point) {
                line(
                    &mut chart,
                    run.iter().map(|&(x, y, _)| (x, y)).collect(),
                    &pen_of(name),
                )?;
            }
        }
        if !data
            .scores
            .iter()
            .any(|r| r.segment == segment && r.auc.is_some())
        {
            let (w, h) = left.dim_in_pixel();
            let centre = Pos::new(HPos::Center, VPos::Center);
            left.draw(&Text::new(
                format!(
                    "no AUC: fewer than {} lost or won deals at risk at every landmark",
                    data.meta.options.min_class
                ),
                (w as i32 / 2, h as i32 * 2 / 5),
                (FONT, 15).into_font().color(&BLACK).pos(centre),
            ))?;
        }
        legend(&right, "indicator (rank)", &entries)
    })
}
