//! The sweep's `index.html`: what was swept, the points, and per segment every indicator's
//! early-warning AUC across the points ([`crate::report::plots::sweep`]), in the run report's
//! style and palette, so a reader sees at a glance which indicators keep warning as the
//! world moves.

use std::fmt::Write as _;

use super::{Point, SweepJob, SweepRun, SEGMENTS_CSV, SWEEP_CSV};
use crate::indicators::TRUTH_INDICATOR;
use crate::report::html::{esc, figure, STYLE};
use crate::report::plots::sweep::{plot, Curve, Frame, XAxis};
use crate::report::plots::{palette, PlotError};
use crate::scoring::summary::landmark_near;

/// The sweep's page, beside its tables.
pub const INDEX_HTML: &str = "index.html";

/// The deal age the page plots: the landmark that stands for day 30, whose AUC `sweep.csv` has
/// as `auc_30` (early warning, the question the toolkit asks).
const DAY: u32 = 30;

/// The x axis: the swept values when one setting with numeric values is swept, else the
/// point numbers.
fn axis(job: &SweepJob<'_>, points: &[Point]) -> (XAxis, Vec<f64>) {
    let numeric: Option<Vec<f64>> = points
        .iter()
        .map(|p| p.values.first().and_then(|v| v.parse().ok()))
        .collect();
    match (job.settings, numeric) {
        ([one], Some(xs)) => (XAxis::Values(one.path.clone()), xs),
        _ => (
            XAxis::Points(points.len()),
            (1..=points.len()).map(|k| k as f64).collect(),
        ),
    }
}

/// Per indicator of `names` with an AUC somewhere, its AUC at [`DAY`] per point of `segment`
/// (point `p` at `xs[p]`): the mean over the seeds with one, and the lowest and highest; in
/// the order of x, so that a line joins neighbouring values whatever order they were given in.
fn curves(names: &[&str], runs: &[SweepRun], segment: &str, xs: &[f64]) -> Vec<Curve> {
    names
        .iter()
        .map(|&name| {
            let mut points: Vec<(f64, f64, f64, f64)> = xs
                .iter()
                .enumerate()
                .filter_map(|(p, &x)| {
                    let aucs: Vec<f64> = runs
                        .iter()
                        .filter(|r| r.point == p)
                        .flat_map(|r| &r.summary)
                        .filter(|s| s.segment == segment && s.indicator == name)
                        .filter_map(|s| s.auc_30)
                        .collect();
                    let n = aucs.len() as f64;
                    let lo = aucs.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = aucs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    (n > 0.0).then(|| (x, aucs.iter().sum::<f64>() / n, lo, hi))
                })
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            Curve {
                indicator: name.to_string(),
                points,
            }
        })
        .filter(|c| !c.points.is_empty())
        .collect()
}

/// The points (numbered from 1) where only some of the `replicates` seeds have an AUC at
/// [`DAY`] for any indicator of `segment`, in words: their values in the plot are those seeds'
/// alone, which the mean-and-bar drawing would not tell.
fn partly_scored(runs: &[SweepRun], segment: &str, points: usize, replicates: u64) -> String {
    let partial: Vec<String> = (0..points)
        .filter_map(|p| {
            let scored = runs
                .iter()
                .filter(|r| r.point == p)
                .filter(|r| {
                    r.summary
                        .iter()
                        .any(|s| s.segment == segment && s.auc_30.is_some())
                })
                .count() as u64;
            (scored > 0 && scored < replicates)
                .then(|| format!("point {} ({scored} of {replicates} seeds)", p + 1))
        })
        .collect();
    if partial.is_empty() {
        String::new()
    } else {
        format!(
            " Some seeds had no AUC here (too few lost or won deals at risk), so these points \
             show the others alone: {}.",
            partial.join(", ")
        )
    }
}

/// The whole page.
pub fn render(
    job: &SweepJob<'_>,
    points: &[Point],
    runs: &[SweepRun],
) -> Result<String, PlotError> {
    let names: Vec<&str> = job
        .indicators
        .iter()
        .map(|i| i.name.as_str())
        .chain(job.with_truth.then_some(TRUTH_INDICATOR))
        .collect();
    let baseline = job.baseline();
    let pens = palette::indicator_pens(names.iter().copied(), baseline);
    let day = landmark_near(job.landmarks, DAY).unwrap_or(DAY);
    let (axis, xs) = axis(job, points);
    let settings: Vec<String> = job.settings.iter().map(|s| s.path.clone()).collect();
    let mut out = String::with_capacity(1 << 18);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>dealsim sweep: {}</title><style>{STYLE}</style></head><body>\n\
         <header><h1>Which indicators keep warning as the world moves?</h1><p>{}</p></header>\n",
        esc(&settings.join(", ")),
        esc(&format!(
            "{} swept over {} point{} with {} seed{} each (first seed {}), every log scored as \
             dealsim run scores it: {}, AUC target {:.2}.",
            job.origin,
            points.len(),
            if points.len() == 1 { "" } else { "s" },
            job.replicates,
            if job.replicates == 1 { "" } else { "s" },
            points.first().map_or(0, |p| p.scenario.seed),
            job.options
                .interval
                .describe(job.options.bootstrap, job.options.cluster),
            job.options.target,
        ))
    );
    out.push_str("<h2>Points</h2>\n<table><tr><th>point</th>");
    for s in &settings {
        let _ = write!(out, "<th>{}</th>", esc(s));
    }
    out.push_str("</tr>\n");
    for (k, p) in points.iter().enumerate() {
        let _ = write!(out, "<tr><td class=\"num\">{}</td>", k + 1);
        for v in &p.values {
            let _ = write!(out, "<td><code>{}</code></td>", esc(v));
        }
        out.push_str("</tr>\n");
    }
    let _ = writeln!(
        out,
        "</table>\n<p>Deal counts and win rates per point, seed and segment: \
         <a href=\"{SEGMENTS_CSV}\">{SEGMENTS_CSV}</a>.</p>"
    );
    let _ = writeln!(out, "<h2>Early warning across the sweep</h2>");
    let segments: Vec<&str> = runs
        .first()
        .map(|r| r.segments.iter().map(|c| c.segment.as_str()).collect())
        .unwrap_or_default();
    for segment in segments {
        let curves = curves(&names, runs, segment, &xs);
        if curves.is_empty() {
            let _ = writeln!(
                out,
                "<p class=\"note\">{}: no AUC at day {day} at any point (too few lost or won \
                 deals at risk).</p>",
                esc(segment)
            );
            continue;
        }
        let frame = Frame {
            segment,
            day,
            axis: axis.clone(),
            target: job.options.target,
            replicates: job.replicates,
        };
        let svg = plot(&frame, &curves, &pens, baseline)?;
        let spread = if job.replicates > 1 {
            " (the mean over the seeds; a vertical bar runs from the lowest to the highest seed)"
        } else {
            ""
        };
        let partial = partly_scored(runs, segment, points.len(), job.replicates);
        let caption = format!(
            "AUC of each indicator at day {day} (the landmark standing for day {DAY}) in \
             {segment}, per point{spread}: how well it tells deals that will be lost from deals \
             that will be won at that age. The thick black line is the rep's own forecast (the \
             baseline) where it was scored.{partial}"
        );
        figure(&mut out, &svg, &caption, SWEEP_CSV);
    }
    out.push_str("</body></html>\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::SummaryRow;

    fn run(point: usize, segment: &str, aucs: &[(&str, Option<f64>)]) -> SweepRun {
        SweepRun {
            point,
            seed: 1,
            segments: Vec::new(),
            judged: Vec::new(),
            summary: aucs
                .iter()
                .map(|&(indicator, auc_30)| SummaryRow {
                    indicator: indicator.into(),
                    segment: segment.into(),
                    earliest_reliable_day: None,
                    auc_30,
                    auc_60: None,
                    auc_90: None,
                    rank: 1,
                    reliability_judged: true,
                })
                .collect(),
            cluster_warning: None,
        }
    }

    #[test]
    fn a_curve_is_the_mean_lowest_and_highest_seed_per_point_with_an_auc() {
        let runs = [
            run(0, "smb", &[("a", Some(0.6)), ("b", None)]),
            run(0, "smb", &[("a", Some(0.8)), ("b", None)]),
            run(0, "ent", &[("a", Some(0.1)), ("b", Some(0.1))]),
            run(1, "smb", &[("a", None), ("b", None)]),
            run(2, "smb", &[("a", Some(0.7)), ("b", None)]),
        ];
        let curves = curves(&["a", "b", "c"], &runs, "smb", &[0.5, 1.0, 2.0]);
        // `b` and `c` have no AUC in smb at any point: no curve. Point 1 has none for `a`.
        assert_eq!(curves.len(), 1);
        assert_eq!(curves[0].indicator, "a");
        let p = &curves[0].points;
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].0, p[0].2, p[0].3), (0.5, 0.6, 0.8));
        assert!((p[0].1 - 0.7).abs() < 1e-12);
        assert_eq!(p[1], (2.0, 0.7, 0.7, 0.7));
        // Values given out of order are joined in the order of x.
        let curves = super::curves(&["a"], &runs, "smb", &[2.0, 1.0, 0.5]);
        let xs: Vec<f64> = curves[0].points.iter().map(|p| p.0).collect();
        assert_eq!(xs, [0.5, 2.0]);
        let lows: Vec<f64> = curves[0].points.iter().map(|p| p.2).collect();
        assert_eq!(lows, [0.7, 0.6], "point 2 (x 0.5), then point 0 (x 2.0)");
    }

    /// A point where only some seeds scored a segment is named in the caption: its curve
    /// value is those seeds' alone. Points where all or none scored are not.
    #[test]
    fn points_scored_by_only_some_seeds_are_named() {
        let runs = [
            run(0, "smb", &[("a", Some(0.6))]),
            run(0, "smb", &[("a", Some(0.8))]),
            run(1, "smb", &[("a", Some(0.7))]),
            run(1, "smb", &[("a", None)]),
            run(2, "smb", &[("a", None)]),
            run(2, "smb", &[("a", None)]),
        ];
        assert_eq!(
            partly_scored(&runs, "smb", 3, 2),
            " Some seeds had no AUC here (too few lost or won deals at risk), so these points \
             show the others alone: point 2 (1 of 2 seeds)."
        );
        assert_eq!(partly_scored(&runs[..2], "smb", 1, 2), "");
    }
}
