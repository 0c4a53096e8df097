//! `dealsim sweep`'s plot: per segment, every indicator's AUC at one landmark across the
//! sweep's points (the mean over the seeds, and the lowest to highest seed as a bar when there
//! are several), so a reader sees which indicators keep warning as a parameter moves. The x
//! axis is the swept value when one numeric setting is swept, else the point number.

use plotters::prelude::*;

use super::palette::{self, Pen};
use super::{height_for_legend, WIDTH};
use super::{legend, line, number_label, svg, with_legend, xy_chart, Mark, PlotError, FONT};

/// One indicator's line: per point with an AUC, (x, mean, lowest, highest) over the seeds.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    pub indicator: String,
    pub points: Vec<(f64, f64, f64, f64)>,
}

/// What the x axis shows.
#[derive(Debug, Clone, PartialEq)]
pub enum XAxis {
    /// The values of the one swept setting (named by its path).
    Values(String),
    /// The point numbers 1..=n (several settings, or values that are not numbers).
    Points(usize),
}

impl XAxis {
    fn range(&self, curves: &[Curve]) -> std::ops::Range<f64> {
        match self {
            XAxis::Points(n) => 0.5..*n as f64 + 0.5,
            XAxis::Values(_) => {
                let xs = curves.iter().flat_map(|c| c.points.iter().map(|p| p.0));
                let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
                    (lo.min(x), hi.max(x))
                });
                let pad = if hi > lo { (hi - lo) * 0.05 } else { 0.5 };
                if lo.is_finite() {
                    lo - pad..hi + pad
                } else {
                    0.0..1.0
                }
            }
        }
    }

    fn description(&self) -> String {
        match self {
            XAxis::Values(path) => path.clone(),
            XAxis::Points(_) => "point (values in the table above)".to_string(),
        }
    }
}

/// What the plot draws besides the curves.
pub struct Frame<'a> {
    pub segment: &'a str,
    /// The landmark day whose AUC is drawn.
    pub day: u32,
    pub axis: XAxis,
    /// The reliability target, drawn as a dashed line.
    pub target: f64,
    /// Seeds per point: with more than one, each point gets a bar from the lowest to the
    /// highest seed's AUC.
    pub replicates: u64,
}

/// The plot of `curves` (drawn in `pens`, the baseline's last so it is on top).
pub fn plot(
    frame: &Frame<'_>,
    curves: &[Curve],
    pens: &[(String, Pen)],
    baseline: Option<&str>,
) -> Result<String, PlotError> {
    let pen_of = |name: &str| {
        pens.iter()
            .find(|(n, _)| n == name)
            .map_or(palette::series(0), |(_, p)| *p)
    };
    let x = frame.axis.range(curves);
    let y_min = curves
        .iter()
        .flat_map(|c| c.points.iter().map(|p| p.2))
        .fold(0.4_f64, f64::min)
        .max(0.0);
    let mut entries: Vec<(String, Mark)> = curves
        .iter()
        .map(|c| {
            let mut label = c.indicator.clone();
            if Some(c.indicator.as_str()) == baseline {
                label.push_str(" (baseline)");
            }
            (label, Mark::Line(pen_of(&c.indicator)))
        })
        .collect();
    entries.push((
        format!("target AUC {:.2}", frame.target),
        Mark::Line(palette::TARGET),
    ));
    entries.push(("chance (AUC 0.5)".into(), Mark::Line(palette::CHANCE)));
    if frame.replicates > 1 {
        entries.push((
            "bar: lowest to highest seed".into(),
            Mark::Line(Pen::solid(palette::GREY, 2)),
        ));
    }
    let height = height_for_legend(entries.len(), 420);
    svg(WIDTH, height, |root| {
        let (left, right) = with_legend(root);
        let mut chart = xy_chart(
            &left,
            format!(
                "AUC at day {} across the sweep: {}",
                frame.day, frame.segment
            ),
            x.clone(),
            y_min..1.0,
            55,
        )?;
        let points = matches!(frame.axis, XAxis::Points(_));
        let x_label = |v: &f64| {
            if !points {
                number_label(v)
            } else if v.fract() == 0.0 {
                format!("{v}")
            } else {
                String::new()
            }
        };
        let mut mesh = chart.configure_mesh();
        if let XAxis::Points(n) = frame.axis {
            mesh.x_labels(n + 2);
        }
        mesh.x_label_formatter(&x_label)
            .y_label_formatter(&number_label)
            .x_desc(frame.axis.description())
            .y_desc(format!("AUC at day {} (lost vs won)", frame.day))
            .light_line_style(TRANSPARENT)
            .label_style((FONT, 13))
            .draw()?;
        for (y, pen) in [(0.5, palette::CHANCE), (frame.target, palette::TARGET)] {
            line(&mut chart, vec![(x.start, y), (x.end, y)], &pen)?;
        }
        let mut ordered: Vec<&Curve> = curves.iter().collect();
        ordered.sort_by_key(|c| Some(c.indicator.as_str()) == baseline);
        for c in ordered {
            let pen = pen_of(&c.indicator);
            if frame.replicates > 1 {
                for &(x, _, lo, hi) in &c.points {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(x, lo), (x, hi)],
                        pen.color.mix(0.5).stroke_width(2),
                    )))?;
                }
            }
            line(
                &mut chart,
                c.points.iter().map(|p| (p.0, p.1)).collect(),
                &pen,
            )?;
            chart.draw_series(
                c.points
                    .iter()
                    .map(|p| Circle::new((p.0, p.1), 3, pen.color.filled())),
            )?;
        }
        legend(&right, "indicator", &entries)
    })
}
