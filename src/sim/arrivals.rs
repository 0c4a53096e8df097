//! When deals arrive: a Poisson number per segment and calendar month, on working days.
//!
//! Arrivals are drawn from one stream per segment (not per deal), then sorted by day; the
//! position in that order is the deal's index and seeds the deal's own stream.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson};

use crate::calendar::Calendar;
use crate::scenario::Scenario;
use crate::time::DayNum;

/// Stream numbers of per-segment arrival streams start here; deal streams are the indices.
pub(crate) const ARRIVAL_STREAM: u64 = 1 << 62;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrival {
    pub segment: usize,
    pub day: DayNum,
}

/// One month's slice of the creation window for one segment: its working days and mean inflow.
struct MonthSlice<'c> {
    days: &'c [DayNum],
    mean: f64,
}

fn month_slices<'c>(s: &Scenario, cal: &'c Calendar, segment: usize) -> Vec<MonthSlice<'c>> {
    let seg = &s.segments[segment];
    let mut out = Vec::new();
    let (mut y, mut m, _) = s.first_created.ymd();
    loop {
        let month_start = DayNum::from_ymd(y, m, 1);
        if month_start > s.last_created {
            break;
        }
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        let month_end = DayNum(DayNum::from_ymd(ny, nm, 1).0 - 1);
        let full = cal.working_days_in(month_start, month_end).len();
        let days = cal.working_days_in(
            month_start.max(s.first_created),
            month_end.min(s.last_created),
        );
        if full > 0 && !days.is_empty() {
            let years = (month_start.0 - s.first_created.0).max(0) as f64 / 365.25;
            let rate = seg.per_month * (1.0 + seg.trend_per_year).powf(years);
            out.push(MonthSlice {
                days,
                mean: rate * days.len() as f64 / full as f64,
            });
        }
        (y, m) = (ny, nm);
    }
    out
}

/// Expected number of deals of each segment over the window (used to rescale inflow for
/// `--deals N`, and to bound it).
pub fn expected_deals_with(s: &Scenario, cal: &Calendar) -> Vec<f64> {
    (0..s.segments.len())
        .map(|i| month_slices(s, cal, i).iter().map(|m| m.mean).sum())
        .collect()
}

pub fn draw_arrivals(s: &Scenario, cal: &Calendar) -> Vec<Arrival> {
    let mut all = Vec::new();
    for segment in 0..s.segments.len() {
        let mut rng = ChaCha8Rng::seed_from_u64(s.seed);
        rng.set_stream(ARRIVAL_STREAM + segment as u64);
        for slice in month_slices(s, cal, segment) {
            let n = match Poisson::new(slice.mean) {
                Ok(p) => p.sample(&mut rng) as usize,
                Err(_) => 0, // mean 0: no inflow this month
            };
            for _ in 0..n {
                let day = slice.days[rng.random_range(0..slice.days.len())];
                all.push(Arrival { segment, day });
            }
        }
    }
    // Stable: ties keep segment order, so the result depends on the seed only.
    all.sort_by_key(|a| a.day);
    all
}
