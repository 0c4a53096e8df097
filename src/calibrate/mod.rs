//! Calibration: fitting a scenario to a real (or simulated) deal history.
pub mod fit;
pub mod ks;
mod special;
