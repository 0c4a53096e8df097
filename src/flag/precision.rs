//! How `flag` (and the tuner's `deadlines.csv`) writes its numbers: at the precision they are
//! known at, not with the noise of binary floating point. Indicator values and forecasts are stored as `f32` (the CRM keeps
//! whole percent), so widening them to `f64` prints `0.8899999856948853` for `0.89`; they
//! are written as the `f32` they are. Day counts are written to 2 decimals (about a quarter
//! of an hour; 4 in `deadlines.csv`, which the report rounds again) and shares to 4 (a hundredth of a point; the terminal shows whole percent).
//! Rounding happens only on the way out: the report keeps the full values for sorting.

use serde::{Serialize, Serializer};

fn round(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round() / scale
}

/// Days as written: to 2 decimals.
pub fn days_written(x: f64) -> f64 {
    round(x, 2)
}

/// Days, to 2 decimals.
pub fn days<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(days_written(*x))
}

/// Days that are read back and rounded again for display (`deadlines.csv`, shown to 1
/// decimal by the report), to 4 decimals (about 3 seconds of a working day): at 2, a median
/// of 12.854 written as 12.85 showed as 12.8 instead of 12.9.
pub fn days_read_back<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(days_read_back_value(*x))
}

/// The value [`days_read_back`] writes: what a figure shown from memory (`policy.md`) must be
/// rounded from to read as the one shown from the file (the report), 8.05 and not the
/// 8.049999999999999 of 7 × 1.15.
pub fn days_read_back_value(x: f64) -> f64 {
    round(x, 4)
}

/// Optional days, as [`days_read_back`] (empty when absent).
pub fn opt_days_read_back<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(v) => days_read_back(v, s),
        None => s.serialize_none(),
    }
}

/// A share as written: to 4 decimals.
pub fn share_written(x: f64) -> f64 {
    round(x, 4)
}

/// A share in [0, 1], to 4 decimals.
pub fn share<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(share_written(*x))
}

/// An optional share, to 4 decimals (empty or `null` when absent).
pub fn opt_share<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(v) => share(v, s),
        None => s.serialize_none(),
    }
}

/// A value read as `f32`, written as that `f32` (shortest form that reads back to it).
pub fn stored<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f32(*x as f32)
}

/// An optional value read as `f32` ([`stored`]).
pub fn opt_stored<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(v) => stored(v, s),
        None => s.serialize_none(),
    }
}

/// An optional interval of shares, each bound to 4 decimals (`null` when absent).
pub fn opt_share_pair<S: Serializer>(x: &Option<[f64; 2]>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some([lo, hi]) => [share_written(*lo), share_written(*hi)].serialize(s),
        None => s.serialize_none(),
    }
}
