//! Fixed pens for indicators and segments, the same in every plot of a report.
//!
//! Ten well-separated hues (Tableau's tab10 with its grey swapped for indigo, since grey and
//! black are reserved for the references) cycle with a line pattern: indicators 1–10 solid,
//! 11–20 dashed, beyond that dotted — 15 indicators stay distinguishable by hue *and* pattern.
//! The rep's forecast baseline is a thick black line and the research-only truth ceiling a
//! thick grey dashed one, so neither can be mistaken for an ordinary indicator.

use plotters::style::{RGBColor, ShapeStyle};

/// tab10 (grey replaced by indigo).
pub const HUES: [RGBColor; 10] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x39, 0x3b, 0x79),
    RGBColor(0xbc, 0xbd, 0x22),
    RGBColor(0x17, 0xbe, 0xcf),
];

/// Colours reserved for references (black, greys, target red) and for the outcome bars.
pub const BLACK: RGBColor = RGBColor(0, 0, 0);
pub const GREY: RGBColor = RGBColor(0x7f, 0x7f, 0x7f);
pub const LIGHT_GREY: RGBColor = RGBColor(0xa0, 0xa0, 0xa0);
pub const TARGET_RED: RGBColor = RGBColor(0xb0, 0x00, 0x00);
pub const WON_GREEN: RGBColor = RGBColor(0x2c, 0xa0, 0x2c);
pub const LOST_RED: RGBColor = RGBColor(0xd6, 0x27, 0x28);
pub const ENTERED_BLUE: RGBColor = RGBColor(0x9e, 0xc5, 0xe8);

/// A line's colour, width in pixels and pattern.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pen {
    pub color: RGBColor,
    pub width: u32,
    pub dashed: bool,
    /// Dash length and gap in pixels (when dashed).
    pub dash: (i32, i32),
}

impl Pen {
    pub const fn solid(color: RGBColor, width: u32) -> Pen {
        Pen {
            color,
            width,
            dashed: false,
            dash: (0, 0),
        }
    }

    pub const fn dashed(color: RGBColor, width: u32, dash: i32, gap: i32) -> Pen {
        Pen {
            color,
            width,
            dashed: true,
            dash: (dash, gap),
        }
    }

    /// The plotters style of the pen's stroke (the dash pattern is applied by the series).
    pub fn style(&self) -> ShapeStyle {
        ShapeStyle {
            color: self.color.into(),
            filled: false,
            stroke_width: self.width,
        }
    }
}

/// The rep's own forecast.
pub const BASELINE: Pen = Pen::solid(BLACK, 4);
/// The research-only truth ceiling.
pub const TRUTH: Pen = Pen::dashed(GREY, 3, 10, 5);
/// AUC 0.5: no better than chance.
pub const CHANCE: Pen = Pen::solid(LIGHT_GREY, 1);
/// The AUC target of "reliable".
pub const TARGET: Pen = Pen::dashed(TARGET_RED, 1, 6, 4);

/// The pen of the `k`-th ordinary series (0-based): hue `k mod 10`, pattern by `k / 10`.
pub fn series(k: usize) -> Pen {
    let color = HUES[k % HUES.len()];
    match k / HUES.len() {
        0 => Pen::solid(color, 2),
        1 => Pen::dashed(color, 2, 9, 4),
        _ => Pen::dashed(color, 2, 2, 3),
    }
}

/// Pens for indicators in their declared order: the baseline and truth get their reserved
/// pens, the others [`series`] pens numbered without them (so adding `--with-truth` does
/// not recolour anything).
pub fn indicator_pens<'a>(
    names: impl IntoIterator<Item = &'a str>,
    baseline: Option<&str>,
) -> Vec<(String, Pen)> {
    let mut k = 0;
    names
        .into_iter()
        .map(|name| {
            let pen = if Some(name) == baseline {
                BASELINE
            } else if name == crate::indicators::TRUTH_INDICATOR {
                TRUTH
            } else {
                k += 1;
                series(k - 1)
            };
            (name.to_string(), pen)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifteen_indicators_get_distinct_pens_and_reserved_ones_stay_reserved() {
        let names: Vec<String> = (0..15).map(|i| format!("ind{i}")).collect();
        let mut all: Vec<&str> = names.iter().map(String::as_str).collect();
        all.push("TRUTH_hidden_risk");
        let pens = indicator_pens(all.iter().copied(), Some("ind3"));
        for (i, a) in pens.iter().enumerate() {
            for b in &pens[i + 1..] {
                assert_ne!(a.1, b.1, "{} and {} share a pen", a.0, b.0);
            }
        }
        assert_eq!(pens[3].1, BASELINE);
        assert_eq!(pens[15].1, TRUTH);
        assert!(pens.iter().all(|(_, p)| p.color != BLACK || *p == BASELINE));
    }
}
