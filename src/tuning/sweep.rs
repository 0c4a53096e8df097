//! The threshold × deadline sweep of one indicator: every candidate rule of a segment in one
//! pass over the panel.
//!
//! A rule `(τ, d)` flags a deal at the first landmark `l` it checks (those up to the first at
//! which the deal's rule age reaches `d`, see [`super::clock`]) where the deal is still open
//! and its oriented value `v'` (the value, negated for `higher_is_safer`) is `≥ τ`. Rule ages
//! grow with `l`, so a deal is flagged by `(τ, d)` exactly when its running maximum of `v'`
//! reaches `τ` at a landmark the rule checks, and it is first flagged where that running
//! maximum first does; the crossing is recorded in the column of the first rule that checks
//! its landmark. Thresholds come from a per-segment grid (ascending); a deal whose running maximum
//! rises past grid points `g_old..g_new` at landmark `l` is first flagged at `l` for exactly
//! those thresholds. Recording that as a difference (+1 at `g_old`, −1 at `g_new`) makes the
//! pass O(rows): counts and lead-time histograms per (threshold, landmark) are prefix sums
//! afterwards — the same sort-once-then-sweep idea as the AUC in [`crate::stats::ranked`],
//! with the grid in place of the ranks.
//!
//! Lead times are whole days (`⌊close age − flag landmark⌋`), so their medians are exact from
//! the histograms.

use super::clock::RuleClock;
use crate::indicators::{Direction, Panel};
use crate::log::Outcome;

/// At most this many thresholds per segment and indicator: all distinct values when there
/// are no more, else this many quantiles of the values (see [`threshold_grid`]).
pub const MAX_THRESHOLDS: usize = 100;

/// Values sampled per segment and indicator to place the quantile thresholds.
const GRID_SAMPLE: usize = 50_000;

/// Maps a value so that larger always means riskier.
#[inline]
pub fn orient(direction: Direction, v: f32) -> f32 {
    match direction {
        Direction::HigherIsRiskier => v,
        Direction::HigherIsSafer => -v,
    }
}

/// The figures of every candidate rule `(grid[g], landmarks[d])` of one segment and indicator.
#[derive(Debug, Clone)]
pub struct Curve {
    /// Oriented thresholds, ascending.
    pub grid: Vec<f32>,
    /// Landmark count `L`; cells are `cells[g * L + d]`.
    pub landmarks: usize,
    pub cells: Vec<Cell>,
}

/// Decided deals a rule flags, and the median lead time over the flagged lost ones.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    pub flagged_lost: u32,
    pub flagged_won: u32,
    /// Median whole days from the first flag to the loss; `None` if no lost deal is flagged.
    pub median_lead: Option<f64>,
}

impl Curve {
    /// The rule "oriented value ≥ `grid[g]` by `landmarks[d]`".
    pub fn cell(&self, g: usize, d: usize) -> &Cell {
        &self.cells[g * self.landmarks + d]
    }
}

/// Candidate thresholds of indicator `j` for each segment (oriented, ascending, distinct):
/// all distinct values seen at risk when there are at most [`MAX_THRESHOLDS`], else the
/// `i / MAX_THRESHOLDS` quantiles (`i = 0..`) of a systematic sample of the at-risk values
/// (every `s`-th row, `s` fixed by the row count: deterministic).
pub fn threshold_grid(panel: &Panel, j: usize, include: &[bool], segments: usize) -> Vec<Vec<f32>> {
    let dir = panel.indicators[j].direction;
    let rows: usize = panel.at.iter().map(|a| a.deals.len()).sum();
    let stride = (rows / (GRID_SAMPLE * segments.max(1))).max(1);
    let mut sample: Vec<Vec<f32>> = vec![Vec::new(); segments];
    // Every `stride`-th row over the landmarks in order, counted across landmarks.
    let mut offset = 0usize;
    for at in &panel.at {
        let start = (stride - offset % stride) % stride;
        for r in (start..at.deals.len()).step_by(stride) {
            let (deal, v) = (at.deals[r] as usize, at.values[j][r]);
            if include[deal] && !v.is_nan() {
                sample[panel.deal_segment[deal] as usize].push(orient(dir, v));
            }
        }
        offset += at.deals.len();
    }
    sample
        .into_iter()
        .map(|mut s| {
            s.sort_by(f32::total_cmp);
            s.dedup();
            if s.len() <= MAX_THRESHOLDS {
                return s;
            }
            let mut g: Vec<f32> = (0..MAX_THRESHOLDS)
                .map(|i| s[i * (s.len() - 1) / (MAX_THRESHOLDS - 1)])
                .collect();
            g.dedup();
            g
        })
        .collect()
}

/// Per-segment accumulators of first-flag differences.
struct Acc {
    /// `lost[(g * L + l) * bins + lead]`: +1 at the first grid point a lost deal crosses at
    /// landmark `l`, −1 after the last one.
    lost: Vec<i32>,
    won: Vec<i32>,
    bins: usize,
}

/// Sweeps indicator `j` over the deals with `include[deal]`: one [`Curve`] per segment (in
/// `panel.segments` order) on `grids` (from [`threshold_grid`]). Open deals are never counted
/// (their outcome is unknown); a deal lost before the first landmark is never flagged.
pub fn sweep(
    panel: &Panel,
    clock: &RuleClock,
    j: usize,
    include: &[bool],
    grids: &[Vec<f32>],
) -> Vec<Curve> {
    let dir = panel.indicators[j].direction;
    let l_count = panel.landmarks.len();
    let n_seg = grids.len();
    // Lead bins per segment: up to the longest lost deal's age.
    let mut max_lead = vec![0usize; n_seg];
    for (i, &inc) in include.iter().enumerate() {
        if inc && panel.outcome[i] == Outcome::Lost {
            let s = panel.deal_segment[i] as usize;
            max_lead[s] = max_lead[s].max(panel.close_age[i].max(0.0) as usize);
        }
    }
    let mut acc: Vec<Acc> = (0..n_seg)
        .map(|s| {
            let cells = (grids[s].len() + 1) * l_count;
            Acc {
                lost: vec![0; cells * (max_lead[s] + 1)],
                won: vec![0; cells],
                bins: max_lead[s] + 1,
            }
        })
        .collect();
    let mut run_max = vec![f32::NEG_INFINITY; panel.outcome.len()];
    let mut crossed = vec![0u16; panel.outcome.len()];
    for (l, at) in panel.at.iter().enumerate() {
        let day = panel.landmarks[l] as f64;
        for (&deal, &v) in at.deals.iter().zip(&at.values[j]) {
            let i = deal as usize;
            let v = orient(dir, v);
            // NaN (missing) is never greater: it never flags.
            if !include[i] || v.partial_cmp(&run_max[i]) != Some(std::cmp::Ordering::Greater) {
                continue;
            }
            run_max[i] = v;
            let s = panel.deal_segment[i] as usize;
            let now = grids[s].partition_point(|&t| t <= v) as u16;
            let old = crossed[i];
            if now == old {
                continue;
            }
            crossed[i] = now;
            let a = &mut acc[s];
            // Counted in the column of its rule age: holidays do not advance the rule's clock.
            let col = clock.column(i, l);
            let (c0, c1) = (old as usize * l_count + col, now as usize * l_count + col);
            match panel.outcome[i] {
                Outcome::Lost => {
                    let lead = (panel.close_age[i] - day).floor().max(0.0) as usize;
                    a.lost[c0 * a.bins + lead] += 1;
                    a.lost[c1 * a.bins + lead] -= 1;
                }
                Outcome::Won => {
                    a.won[c0] += 1;
                    a.won[c1] -= 1;
                }
                Outcome::Open => {}
            }
        }
    }
    acc.into_iter()
        .zip(grids)
        .map(|(a, grid)| finish(a, grid, l_count))
        .collect()
}

/// Prefix sums over thresholds, then cumulative sums over landmarks, into cells.
fn finish(a: Acc, grid: &[f32], l_count: usize) -> Curve {
    let bins = a.bins;
    let mut cells = Vec::with_capacity(grid.len() * l_count);
    let mut first_lost = vec![0i64; l_count * bins];
    let mut first_won = vec![0i64; l_count];
    let mut hist = vec![0i64; bins];
    for g in 0..grid.len() {
        for l in 0..l_count {
            let c = g * l_count + l;
            first_won[l] += a.won[c] as i64;
            for (h, &x) in first_lost[l * bins..(l + 1) * bins]
                .iter_mut()
                .zip(&a.lost[c * bins..(c + 1) * bins])
            {
                *h += x as i64;
            }
        }
        hist.fill(0);
        let (mut lost, mut won) = (0i64, 0i64);
        for l in 0..l_count {
            won += first_won[l];
            for (h, &x) in hist.iter_mut().zip(&first_lost[l * bins..(l + 1) * bins]) {
                *h += x;
                lost += x;
            }
            cells.push(Cell {
                flagged_lost: lost as u32,
                flagged_won: won as u32,
                median_lead: histogram_median(&hist, lost),
            });
        }
    }
    Curve {
        grid: grid.to_vec(),
        landmarks: l_count,
        cells,
    }
}

/// Median of the multiset where value `v` occurs `hist[v]` times (`total` in all): the mean
/// of the two middle values for an even count, as NumPy's `median`.
pub fn histogram_median(hist: &[i64], total: i64) -> Option<f64> {
    if total <= 0 {
        return None;
    }
    let (lo_pos, hi_pos) = ((total - 1) / 2, total / 2);
    let (mut lo, mut seen) = (None, 0i64);
    for (v, &c) in hist.iter().enumerate() {
        seen += c;
        if lo.is_none() && seen > lo_pos {
            lo = Some(v);
        }
        if seen > hi_pos {
            return Some((lo.unwrap_or(v) + v) as f64 / 2.0);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_median_matches_sorted_median() {
        // values 1, 1, 3, 7 -> median 2; with another 7 -> 3
        let mut h = vec![0i64; 8];
        h[1] = 2;
        h[3] = 1;
        h[7] = 1;
        assert_eq!(histogram_median(&h, 4), Some(2.0));
        h[7] = 2;
        assert_eq!(histogram_median(&h, 5), Some(3.0));
        assert_eq!(histogram_median(&[0, 0], 0), None);
    }
}
