//! The goodness-of-fit table: the history against a fresh re-simulation of the fitted scenario.
//!
//! Per segment (and `all`): closed deals, win rate among closed deals, median cycle length (calendar
//! days, closed deals) on both sides, and the two-sample KS distance between the two samples
//! of cycle lengths.

use serde::Serialize;

use super::profile::{SegmentShape, SegmentTally, Tally};
use crate::stats::ks::ks_distance;
use crate::stats::quantile::median;

/// One row of the table.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GofRow {
    pub segment: String,
    pub real_deals: usize,
    pub sim_deals: usize,
    /// Won or lost (not open) deals: the denominators of the win rates.
    pub real_closed: usize,
    pub sim_closed: usize,
    pub real_win_rate: Option<f64>,
    pub sim_win_rate: Option<f64>,
    pub real_median_cycle: Option<f64>,
    pub sim_median_cycle: Option<f64>,
    pub cycle_ks: Option<f64>,
}

fn row(segment: &str, real: &[&SegmentTally], sim: &[&SegmentTally]) -> GofRow {
    let sum =
        |t: &[&SegmentTally], f: fn(&SegmentTally) -> usize| t.iter().map(|x| f(x)).sum::<usize>();
    let rate = |t: &[&SegmentTally]| {
        let (won, lost) = (sum(t, |x| x.won), sum(t, |x| x.lost));
        (won + lost > 0).then(|| won as f64 / (won + lost) as f64)
    };
    let cycles = |t: &[&SegmentTally]| -> Vec<f64> {
        t.iter().flat_map(|x| x.cycles.iter().copied()).collect()
    };
    let (rc, sc) = (cycles(real), cycles(sim));
    GofRow {
        segment: segment.to_string(),
        real_deals: sum(real, SegmentTally::deals),
        sim_deals: sum(sim, SegmentTally::deals),
        real_closed: sum(real, |x| x.won + x.lost),
        sim_closed: sum(sim, |x| x.won + x.lost),
        real_win_rate: rate(real),
        sim_win_rate: rate(sim),
        real_median_cycle: median(&rc),
        sim_median_cycle: median(&sc),
        cycle_ks: ks_distance(&rc, &sc),
    }
}

/// Rows per segment of `shapes`, then `all`.
pub fn table(shapes: &[SegmentShape], real: &Tally, sim: &Tally) -> Vec<GofRow> {
    let mut rows: Vec<GofRow> = shapes
        .iter()
        .zip(real.segments.iter().zip(&sim.segments))
        .map(|(s, (r, m))| row(&s.name, &[r], &[m]))
        .collect();
    let real_all: Vec<&SegmentTally> = real.segments.iter().collect();
    let sim_all: Vec<&SegmentTally> = sim.segments.iter().collect();
    rows.push(row("all", &real_all, &sim_all));
    rows
}

/// The table as aligned text, for the terminal and the scenario file's header.
pub fn render(rows: &[GofRow]) -> String {
    let pct = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{:.1}%", 100.0 * v));
    let days = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1}"));
    let mut out = format!(
        "{:<14} {:>11} {:>10} {:>9} {:>9} {:>11} {:>11} {:>8}\n",
        "segment",
        "closed real",
        "closed sim",
        "win real",
        "win sim",
        "cycle real",
        "cycle sim",
        "KS"
    );
    for r in rows {
        out.push_str(&format!(
            "{:<14} {:>11} {:>10} {:>9} {:>9} {:>11} {:>11} {:>8}\n",
            r.segment,
            r.real_closed,
            r.sim_closed,
            pct(r.real_win_rate),
            pct(r.sim_win_rate),
            days(r.real_median_cycle),
            days(r.sim_median_cycle),
            r.cycle_ks.map_or("-".to_string(), |v| format!("{v:.3}")),
        ));
    }
    out.push_str(
        "closed: won or lost deals, in the history (real) and in the re-simulation (sim); win: \
         the won share of them;\ncycle: median calendar days from creation to the close, won and \
         lost deals together; KS: the largest gap between the two cycle-length distributions.\n",
    );
    out
}
