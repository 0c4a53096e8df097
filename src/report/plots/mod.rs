//! The report's plots, drawn with plotters' SVG backend into strings that the HTML inlines.
//!
//! Only the SVG backend is compiled in (no bitmap, no font-kit/ttf): text becomes SVG
//! `<text>` elements that the browser lays out with its own fonts, so nothing depends on the
//! fonts of the machine that renders the report. Every plot keeps its legend in a strip to
//! the right of the plot area ([`legend`]) so no legend covers data.
//! One file per plot family; [`palette`] gives every indicator and segment a fixed pen.

pub mod discrimination;
pub mod losses;
pub mod market;
pub mod palette;
pub mod sweep;
pub mod tradeoffs;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

pub use palette::Pen;

/// Any failure while drawing (drawing into a string only fails on a plotters bug).
pub type PlotError = Box<dyn std::error::Error>;

/// The area a plot draws on.
pub type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Width of every plot in pixels; the HTML scales them to the page width.
pub const WIDTH: u32 = 960;
/// Width of the legend strip right of the plot area.
pub const LEGEND_WIDTH: u32 = 250;

/// A generic family: the browser picks its own sans-serif font, nothing is embedded.
pub const FONT: &str = "sans-serif";

/// How a legend entry is drawn.
pub enum Mark {
    Line(Pen),
    Bar(RGBColor),
    Band(RGBColor),
    Point(RGBColor),
    /// An open circle: a ring drawn around a point.
    Ring(RGBColor),
}

/// Draws `draw` onto a white `width` × `height` SVG and returns the SVG text.
pub fn svg(
    width: u32,
    height: u32,
    draw: impl FnOnce(&Area<'_>) -> Result<(), PlotError>,
) -> Result<String, PlotError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
    }
    Ok(out)
}

/// Splits a plot into the chart area and the legend strip on its right.
pub fn with_legend<'a>(root: &Area<'a>) -> (Area<'a>, Area<'a>) {
    let (w, _) = root.dim_in_pixel();
    root.split_horizontally(w.saturating_sub(LEGEND_WIDTH))
}

/// A legend in its own strip: a title, then one row per entry.
pub fn legend(area: &Area<'_>, title: &str, entries: &[(String, Mark)]) -> Result<(), PlotError> {
    const ROW: i32 = 18;
    let text = (FONT, 13).into_font().color(&BLACK);
    area.draw(&Text::new(
        title.to_string(),
        (8, 34),
        (FONT, 13).into_font().style(FontStyle::Bold),
    ))?;
    for (k, (label, mark)) in entries.iter().enumerate() {
        let y = 58 + k as i32 * ROW;
        let (x0, x1) = (8, 40);
        match mark {
            Mark::Line(pen) => {
                let style = pen.style();
                if pen.dashed {
                    area.draw(&DashedPathElement::new(
                        vec![(x0, y), (x1, y)],
                        pen.dash.0,
                        pen.dash.1,
                        style,
                    ))?;
                } else {
                    area.draw(&PathElement::new(vec![(x0, y), (x1, y)], style))?;
                }
            }
            Mark::Bar(c) => area.draw(&Rectangle::new([(x0, y - 5), (x1, y + 5)], c.filled()))?,
            Mark::Band(c) => area.draw(&Rectangle::new(
                [(x0, y - 5), (x1, y + 5)],
                c.mix(0.2).filled(),
            ))?,
            Mark::Point(c) => area.draw(&Circle::new((24, y), 5, c.filled()))?,
            Mark::Ring(c) => area.draw(&Circle::new((24, y), 7, c.stroke_width(2)))?,
        }
        area.draw(&Text::new(label.clone(), (x1 + 8, y - 7), text.clone()))?;
    }
    Ok(())
}

/// Draws `points` with `pen` (solid or dashed) on a chart.
pub fn line<DB: DrawingBackend, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    points: Vec<(X::ValueType, Y::ValueType)>,
    pen: &Pen,
) -> Result<(), PlotError>
where
    X: Ranged,
    Y: Ranged,
    X::ValueType: Clone + 'static,
    Y::ValueType: Clone + 'static,
    DB::ErrorType: 'static,
{
    if pen.dashed {
        chart.draw_series(DashedLineSeries::new(
            points,
            pen.dash.0,
            pen.dash.1,
            pen.style(),
        ))?;
    } else {
        chart.draw_series(LineSeries::new(points, pen.style()))?;
    }
    Ok(())
}

/// Height of a plot whose legend has `entries` rows: tall enough for the legend.
pub fn height_for_legend(entries: usize, min: u32) -> u32 {
    min.max(70 + 18 * entries as u32)
}

/// An axis number without spurious decimals: `20`, `0.75`.
pub fn number_label(v: &f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The chart every plot starts from: f64 axes, a title, the shared margins and label areas
/// (`y_label_width` pixels for the y labels: step names need more than numbers).
///
/// An infinite or NaN bound is an error: plotters' tick search never ends on one, and a
/// report must fail rather than hang whatever its tables hold.
pub fn xy_chart<'a, 'b>(
    area: &'a Area<'b>,
    title: impl AsRef<str>,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    y_label_width: u32,
) -> Result<XyChart<'a, 'b>, PlotError> {
    if ![x.start, x.end, y.start, y.end]
        .iter()
        .all(|b| b.is_finite())
    {
        return Err(format!(
            "{}: axis ranges must be finite, got x {x:?}, y {y:?}",
            title.as_ref()
        )
        .into());
    }
    Ok(ChartBuilder::on(area)
        .caption(title.as_ref(), (FONT, 18))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(y_label_width)
        .build_cartesian_2d(x, y)?)
}

/// A chart with f64 axes, as [`xy_chart`] makes.
pub type XyChart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Draws numeric axes (no minor grid) described by `x_desc` and `y_desc`, units included.
pub fn numeric_axes(
    chart: &mut XyChart<'_, '_>,
    x_desc: &str,
    y_desc: &str,
) -> Result<(), PlotError> {
    chart
        .configure_mesh()
        .x_label_formatter(&number_label)
        .y_label_formatter(&number_label)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .light_line_style(TRANSPARENT)
        .label_style((FONT, 13))
        .draw()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_on_an_infinite_axis_is_an_error_not_a_hang() {
        let drawn = |x: std::ops::Range<f64>| {
            svg(WIDTH, 300, |root| {
                let mut chart = xy_chart(root, "t", x, 0.0..1.0, 55)?;
                numeric_axes(&mut chart, "x", "y")
            })
        };
        assert!(drawn(0.0..2.0).is_ok());
        let e = drawn(0.0..f64::INFINITY).expect_err("an infinite axis");
        assert!(e.to_string().contains("axis ranges must be finite"), "{e}");
        assert!(drawn(f64::NAN..1.0).is_err());
    }
}
