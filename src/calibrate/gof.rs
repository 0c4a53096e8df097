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

/// Standard errors apart beyond which a segment's re-simulated win rate is taken to show a
/// fit that did not settle rather than chance: 3 (two-sided p ≈ 0.003 per segment).
const UNSETTLED_Z: f64 = 3.0;

/// A note when `row`'s re-simulated win rate is more than `UNSETTLED_Z` (3) standard errors
/// from the history's (two-sample z with the pooled rate): the goodness-of-fit table shows
/// the figures, but not that the gap is beyond sampling noise, e.g. after a calibration on
/// too few re-simulated deals for a small segment.
pub fn unsettled(row: &GofRow) -> Option<String> {
    let (real, sim) = (row.real_win_rate?, row.sim_win_rate?);
    let (nr, ns) = (row.real_closed as f64, row.sim_closed as f64);
    let pooled = (real * nr + sim * ns) / (nr + ns);
    let se = (pooled * (1.0 - pooled) * (1.0 / nr + 1.0 / ns)).sqrt();
    let z = (sim - real).abs() / se;
    (se > 0.0 && z > UNSETTLED_Z).then(|| {
        format!(
            "segment {:?}: the re-simulated win rate {:.1}% is {z:.1} standard errors from the \
             history's {:.1}%, beyond sampling noise: the fit did not settle; more --iterations \
             or a larger --resimulate-deals may help",
            row.segment,
            100.0 * sim,
            100.0 * real
        )
    })
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
    // An imported segment's name can be longer than 14 ("telecommunications").
    let name = crate::columns::width(14, rows.iter().map(|r| r.segment.as_str()));
    let mut out = format!(
        "{:<name$} {:>11} {:>10} {:>9} {:>9} {:>11} {:>11} {:>8}\n",
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
            "{:<name$} {:>11} {:>10} {:>9} {:>9} {:>11} {:>11} {:>8}\n",
            crate::columns::one_line(&r.segment),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(real: (usize, usize), sim: (usize, usize)) -> GofRow {
        GofRow {
            segment: "atypical".into(),
            real_deals: real.1,
            sim_deals: sim.1,
            real_closed: real.1,
            sim_closed: sim.1,
            real_win_rate: Some(real.0 as f64 / real.1 as f64),
            sim_win_rate: Some(sim.0 as f64 / sim.1 as f64),
            real_median_cycle: None,
            sim_median_cycle: None,
            cycle_ks: None,
        }
    }

    #[test]
    fn a_win_rate_beyond_sampling_noise_is_noted() {
        // 27 of 174 won against 2 of 182: pooled 29/356, SE √(p(1−p)(1/174 + 1/182)) =
        // 0.02901, z = (0.15517 − 0.01099)/0.02901 = 4.97.
        let note = unsettled(&row((27, 174), (2, 182))).expect("a note");
        assert!(
            note.contains("1.1% is 5.0 standard errors from the history's 15.5%"),
            "{note}"
        );
        // 27 of 174 against 23 of 182 (12.6%): z = 0.8, sampling noise.
        assert_eq!(unsettled(&row((27, 174), (23, 182))), None);
        // Nothing won on either side: no spread to measure, no note.
        assert_eq!(unsettled(&row((0, 174), (0, 182))), None);
    }

    /// A segment name longer than the usual column widens it for every row, so that the
    /// numbers stay under their headers ("telecommunications" pushed its row out of line).
    #[test]
    fn a_long_segment_name_widens_the_column() {
        let mut long = row((27, 174), (23, 182));
        long.segment = "telecommunications".into();
        let table = render(&[row((27, 174), (23, 182)), long]);
        // The columns are right-aligned at fixed widths: rows of one length line up.
        let lines: Vec<&str> = table.lines().take(3).collect();
        assert!(lines.iter().all(|l| l.len() == lines[0].len()), "{table}");
    }
}
