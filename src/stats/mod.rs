//! Statistics used by the scoring core, calibration and tuning, each checked against an
//! independent reference (scikit-learn, scikit-survival, SciPy; fixtures and their scripts in
//! `tests/oracle/`).
//!
//! - [`auc`]: the Mann–Whitney AUC with ties counted ½, optionally weighted.
//! - [`ranked`]: the same AUC from dense ranks, sorting once and reweighting in O(n) — what
//!   the bootstrap uses.
//! - [`mann_whitney`]: DeLong's variance of that AUC and the intervals built on it, with an
//!   exact bound where the classes do not overlap.
//! - [`paired`]: the difference of two indicators' AUCs on the same deals, with DeLong's
//!   paired variance (Obuchowski's over reps).
//! - [`cdauc`]: the cumulative/dynamic time-dependent AUC with inverse-probability-of-
//!   censoring weights (Uno et al. 2007; as in `sksurv.metrics.cumulative_dynamic_auc`).
//! - [`binomial`]: the exact (Clopper–Pearson) interval of a share, where a tuned rule's
//!   bootstrap interval collapses to a point.
//! - [`bootstrap`]: stratified bootstrap multiplicities.
//! - [`cluster_ratio`]: a share counted over clusters (reps) with its cluster-robust variance
//!   and intervals.
//! - [`first_seen`]: names (reps, clusters) numbered in order of first appearance.
//! - [`fisher`]: Fisher's exact test, one-sided: whether a rule's flagged deals were lost
//!   more often (the held-out check of a tuned rule).
//! - [`ks`]: the two-sample Kolmogorov–Smirnov distance, and the one-sided test's p-value.
//! - [`quantile`]: sample quantiles (NumPy's linear method) for medians and percentile
//!   intervals.

pub mod auc;
pub mod binomial;
pub mod bootstrap;
pub mod cdauc;
pub mod cluster_ratio;
pub mod first_seen;
pub mod fisher;
pub mod holm;
pub mod ks;
pub mod mann_whitney;
pub mod paired;
pub mod quantile;
pub mod ranked;
