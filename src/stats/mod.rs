//! Statistics used by the scoring core, each checked against an independent reference
//! (scikit-learn, scikit-survival; fixtures and their scripts in `tests/oracle/`).
//!
//! - [`auc`]: the Mann–Whitney AUC with ties counted ½, optionally weighted.
//! - [`ranked`]: the same AUC from dense ranks, sorting once and reweighting in O(n) — what
//!   the bootstrap uses.
//! - [`cdauc`]: the cumulative/dynamic time-dependent AUC with inverse-probability-of-
//!   censoring weights (Uno et al. 2007; as in `sksurv.metrics.cumulative_dynamic_auc`).
//! - [`bootstrap`]: stratified bootstrap multiplicities.
//! - [`quantile`]: sample quantiles (NumPy's linear method) for medians and percentile
//!   intervals.

pub mod auc;
pub mod bootstrap;
pub mod cdauc;
pub mod quantile;
pub mod ranked;
