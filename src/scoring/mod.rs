//! The landmark scoring core: at each deal age, how well does each indicator separate deals
//! that will be lost from deals that will be won?
//!
//! At landmark `d` the risk set is the deals observable at `d` and not closed by `d` (see
//! [`crate::indicators::evaluate()`]). Lost deals are positives, won deals negatives.
//! - [`Censoring::Known`]: deals still open at the window end are left out (counted in
//!   `n_censored`); AUC is the Mann–Whitney statistic ([`crate::stats::auc`]).
//! - [`Censoring::Ipcw`]: the cumulative/dynamic AUC at `horizon` days after the landmark
//!   with inverse-probability-of-censoring weights ([`crate::stats::cdauc`]); won deals are
//!   never lost, so they are controls at any horizon.
//!
//! Uncertainty ([`IntervalMethod`]): with known labels, DeLong's variance on the logit scale,
//! from the same sweep as the AUC with deals taken as independent, or over reps ([`Cluster`]:
//! Obuchowski's clustered variance and Student's t); with IPCW weights, or when asked, one
//! stratified bootstrap shared by every landmark and indicator, over deals (within segment ×
//! final outcome) or over reps with all their deals (within segment), and percentile
//! intervals, given only when the AUC is defined in at least 95% of the replicates
//! ([`percentile_interval`]). The earliest reliable day is the first landmark whose lower
//! bound is ≥ the target there and at the next two landmarks.

pub mod paired;
pub mod summary;

use clap::ValueEnum;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::indicators::{Direction, Panel};
use crate::log::Outcome;
use crate::stats::bootstrap::{Bootstrap, Cluster, FEW_CLUSTERS, MIN_CLUSTERS};
use crate::stats::cdauc::{risk_groups, SurvivalData};
use crate::stats::mann_whitney::clustered_aucs;
use crate::stats::quantile::percentile_interval;
use crate::stats::ranked::{
    class_replicate_aucs, nested_point_aucs, point_aucs_in, MannWhitney, SortBuffers, EXCLUDED,
};

pub use summary::{reliability_judged, summarise, SummaryRow};

/// How deals still open at the end of the window are handled.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Censoring {
    Known,
    Ipcw { horizon: f64 },
}

/// Above this share of open deals among the deals at risk, over all landmarks, `known`
/// censoring earns a warning. Pooled: the last landmarks of any log hold a tenth or more of
/// open deals (the default run: 11% at day 168, 1–3% before), and one late landmark does not
/// move what the report concludes.
pub const OPEN_SHARE_WARNED: f64 = 0.10;

/// Landmarks with fewer deals at risk than this are not counted, nor named as the worst.
const OPEN_SHARE_MIN_AT_RISK: usize = 50;

/// Why `known` censoring may mislead on this panel, if it may. It leaves out the deals still
/// open at the window end, and at a landmark those are mostly slow deals on their way to a
/// win: what remains pits quick losses against wins already signed, and the AUCs come out
/// too high. A stats review measured it on a simulated log cut so that 26% of its deals were
/// open, against the same deals' final outcomes: AUCs +0.011 on average, up to +0.046, and the
/// earliest reliable day earlier in 11 of 42 indicator × segment pairs; with `ipcw`, +0.003.
/// The default run has 6% of its deals at risk open (4–11% by landmark), under the 10% warned.
pub fn censoring_warning(panel: &Panel, censoring: Censoring) -> Option<String> {
    if censoring != Censoring::Known {
        return None;
    }
    // (landmark day, open deals, deals at risk)
    let counts: Vec<(u32, usize, usize)> = panel
        .landmarks
        .iter()
        .zip(&panel.at)
        .filter(|(_, at)| at.deals.len() >= OPEN_SHARE_MIN_AT_RISK)
        .map(|(&day, at)| {
            let open = at
                .deals
                .iter()
                .filter(|&&i| panel.outcome[i as usize] == Outcome::Open)
                .count();
            (day, open, at.deals.len())
        })
        .collect();
    let (open, at_risk) = counts.iter().fold((0, 0), |(o, n), c| (o + c.1, n + c.2));
    let share = open as f64 / at_risk.max(1) as f64;
    if share <= OPEN_SHARE_WARNED {
        return None;
    }
    let (day, most) = counts
        .iter()
        .map(|&(day, o, n)| (day, o as f64 / n as f64))
        .fold((0, 0.0), |best, x| if x.1 > best.1 { x } else { best });
    Some(format!(
        "{:.0}% of the deals at risk (over all landmarks; {:.0}% at day {day}) are still open at \
         the window end; --censoring known leaves them out, which favours quick losses over \
         slow wins and can overstate AUCs and make indicators look reliable too early: \
         --censoring ipcw weights for them, and asks the same question (lost at all, against \
         won) with a --horizon at least as long as the longest sales cycle, such as \
         --horizon 365; its default 60 asks which deals are lost within 60 days of each \
         landmark",
        share * 100.0,
        most * 100.0
    ))
}

/// Why intervals over reps may mislead on this panel, if they may: the segments with fewer
/// than [`FEW_CLUSTERS`] reps, whose intervals come out too narrow, or none at all.
pub fn cluster_warning(panel: &Panel, cluster: Cluster) -> Option<String> {
    if cluster != Cluster::Rep {
        return None;
    }
    let reps = reps_per_segment(panel);
    few_clusters_warning(
        panel
            .segments
            .iter()
            .zip(reps)
            .map(|(name, n)| (name.as_str(), n)),
        SCORES_OVER_FEW_REPS,
    )
}

/// What intervals over fewer than [`FEW_CLUSTERS`] reps do to scores.
pub const SCORES_OVER_FEW_REPS: &str = "intervals over so few reps are too narrow and can sit \
    too high, so \"reliable\" can come too early (in a simulated case 95% intervals covered the \
    AUC over all reps 84-90% of the time with 6-12 reps by DeLong's intervals, 68-85% by the \
    bootstrap's, deal-level ones about 30%: README, \"Uncertainty\")";

/// The warning for segments, given as (name, reps), with fewer than [`FEW_CLUSTERS`] reps:
/// under [`MIN_CLUSTERS`] they get no intervals, else intervals that may mislead as
/// `narrow_why` says (for scores [`SCORES_OVER_FEW_REPS`]).
pub fn few_clusters_warning<'a>(
    segments: impl Iterator<Item = (&'a str, usize)>,
    narrow_why: &str,
) -> Option<String> {
    let few: Vec<(&str, usize)> = segments.filter(|&(_, n)| n < FEW_CLUSTERS).collect();
    if few.is_empty() {
        return None;
    }
    let list = |keep: &dyn Fn(usize) -> bool| -> String {
        few.iter()
            .filter(|&&(_, n)| keep(n))
            .map(|(name, n)| format!("{name} ({n})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (none, narrow) = (list(&|n| n < MIN_CLUSTERS), list(&|n| n >= MIN_CLUSTERS));
    let mut parts = Vec::new();
    if !narrow.is_empty() {
        parts.push(format!(
            "fewer than {FEW_CLUSTERS} reps in {narrow}: {narrow_why}"
        ));
    }
    if !none.is_empty() {
        parts.push(format!(
            "fewer than {MIN_CLUSTERS} reps in {none}: no intervals there"
        ));
    }
    Some(format!("--cluster rep: {}", parts.join("; ")))
}

/// How a score's confidence interval is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum IntervalMethod {
    /// DeLong's variance of the Mann–Whitney AUC, the interval built on the logit scale and
    /// mapped back: known labels only. Over deals ([`Cluster::Deal`]) the bootstrap's
    /// percentile interval is too narrow when a class is small: at 10 lost and 40 won deals
    /// and a true AUC of 0.70 its lower bound exceeds 0.70 in 6.0% of samples (nominal 2.5%),
    /// so an indicator is called reliable too soon; this one's does in 3.5%, and in 2.3% at
    /// 20 : 80 where the percentile's does in 4.4% (`tests/interval_coverage.rs` measures
    /// it). It is also free of Monte Carlo noise: no replicate draw moves a reliable day.
    /// Over reps ([`Cluster::Rep`]) the variance is Obuchowski's cluster-robust one and the
    /// quantile Student's t with (reps − 1) degrees of freedom ([`clustered_aucs`]): with few
    /// reps it covers the AUC over all reps more often than the bootstrap over reps does.
    Delong,
    /// Percentiles of the bootstrap replicates (over deals or reps, [`Cluster`]): the only
    /// method for `--censoring ipcw`.
    Bootstrap,
}

impl IntervalMethod {
    /// The method used unless another is asked for: DeLong where it applies.
    pub fn default_for(censoring: Censoring) -> IntervalMethod {
        match censoring {
            Censoring::Known => IntervalMethod::Delong,
            Censoring::Ipcw { .. } => IntervalMethod::Bootstrap,
        }
    }

    /// Why this method cannot make intervals under `censoring`, if it cannot: DeLong's
    /// variance needs every label known.
    pub fn unsupported(self, censoring: Censoring) -> Option<&'static str> {
        match (self, censoring) {
            (IntervalMethod::Delong, Censoring::Ipcw { .. }) => Some(
                "DeLong's variance needs every label known; with --censoring ipcw use --interval bootstrap",
            ),
            _ => None,
        }
    }

    /// What `scores.json` files written before there was a choice used.
    pub fn before_choice() -> IntervalMethod {
        IntervalMethod::Bootstrap
    }

    /// How the intervals were made, for the headers of reports: "logit-DeLong intervals
    /// (deals independent)" or "200 bootstrap replicates of the deals".
    pub fn describe(self, bootstrap: usize, cluster: Cluster) -> String {
        match (self, cluster) {
            (IntervalMethod::Delong, Cluster::Deal) => {
                "logit-DeLong intervals (deals independent)".into()
            }
            (IntervalMethod::Delong, Cluster::Rep) => {
                "logit-DeLong intervals over reps (Obuchowski variance, t with reps − 1 df)".into()
            }
            (IntervalMethod::Bootstrap, _) => {
                format!("{bootstrap} bootstrap replicates of the {}", cluster.unit())
            }
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ScoreOptions {
    pub censoring: Censoring,
    /// How intervals are computed; DeLong needs `Censoring::Known`
    /// ([`check_options`](crate::score::check_options) refuses it otherwise).
    pub interval: IntervalMethod,
    /// Bootstrap replicates (≥ 1) for [`IntervalMethod::Bootstrap`].
    pub bootstrap: usize,
    /// The independent draws of the intervals: deals, or reps with all their deals (what a
    /// bootstrap replicate resamples, and what DeLong's variance sums over).
    pub cluster: Cluster,
    /// AUC is omitted when either class has fewer deals than this.
    pub min_class: usize,
    /// CI lower bound an indicator must reach to count as reliable.
    pub target: f64,
    pub confidence: f64,
    pub seed: u64,
}

/// One indicator × segment × landmark (a row of `scores.csv`, read back by reports).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ScoreRow {
    pub indicator: String,
    pub segment: String,
    pub landmark_day: u32,
    pub n_at_risk: u64,
    /// Positives: lost deals (IPCW: lost within the horizon).
    pub n_lost: u64,
    /// Negatives: won deals (IPCW: not lost by the horizon, won deals included).
    pub n_won: u64,
    /// At risk but without a known label (open at the window end; IPCW: censored before the horizon).
    pub n_censored: u64,
    pub auc: Option<f64>,
    pub ci_lo: Option<f64>,
    pub ci_hi: Option<f64>,
    /// Why the AUC is missing, if it is.
    pub note: String,
    /// AUC of this indicator minus the baseline's (the rep's forecast,
    /// [`paired::baseline_index`]) on the deals where both have a value, both AUCs recomputed
    /// on them; empty for the baseline itself and where either has no AUC ([`paired`]).
    /// These four columns come last, and tables written before them read back as empty.
    #[serde(default)]
    pub vs_baseline: Option<f64>,
    /// The paired 95% interval of `vs_baseline`: DeLong's paired variance (Obuchowski's over
    /// reps) or the bootstrap's percentiles, as the row's own interval.
    #[serde(default)]
    pub vs_baseline_ci_lo: Option<f64>,
    #[serde(default)]
    pub vs_baseline_ci_hi: Option<f64>,
    /// Why `vs_baseline` or its interval is missing, if it is, or that the two place every
    /// deal alike (interval [0, 0]).
    #[serde(default)]
    pub vs_baseline_note: String,
}

pub use crate::log::POOLED;

/// IPCW mode: the rows of one segment (or the pooled set) at one landmark for one indicator.
struct SurvivalGroup {
    deals: Vec<u32>,
    /// Oriented so that higher means riskier.
    risk: Vec<f64>,
    lost: Vec<bool>,
    /// Days from the landmark to the loss (event) or to censoring; +∞ for won deals.
    time: Vec<f64>,
    n_at_risk: u64,
}

fn survival_groups(panel: &Panel, k: usize, ind: usize) -> Vec<SurvivalGroup> {
    let n_seg = panel.segments.len();
    let mut groups: Vec<SurvivalGroup> = (0..=n_seg)
        .map(|_| SurvivalGroup {
            deals: Vec::new(),
            risk: Vec::new(),
            lost: Vec::new(),
            time: Vec::new(),
            n_at_risk: 0,
        })
        .collect();
    let rows = &panel.at[k];
    let d = panel.landmarks[k] as f64;
    let sign = f64::from(orientation(panel, ind));
    for (r, &deal) in rows.deals.iter().enumerate() {
        let deal_i = deal as usize;
        let v = rows.values[ind][r];
        for g in [panel.deal_segment[deal_i] as usize, n_seg] {
            let group = &mut groups[g];
            group.n_at_risk += 1;
            if v.is_nan() {
                continue;
            }
            let (t, lost) = match panel.outcome[deal_i] {
                Outcome::Lost => (panel.close_age[deal_i] - d, true),
                Outcome::Won => (f64::INFINITY, false),
                Outcome::Open => (panel.window_age[deal_i] - d, false),
            };
            group.time.push(t);
            group.lost.push(lost);
            group.deals.push(deal);
            group.risk.push(sign * v as f64);
        }
    }
    groups
}

/// (cases: lost within the horizon, controls: not lost by it, censored before it). Deals
/// whose indicator value is missing count only in `n_at_risk`, as in the known mode.
fn survival_counts(g: &SurvivalGroup, horizon: f64) -> (u64, u64, u64) {
    let (mut pos, mut neg, mut cens) = (0, 0, 0);
    for (&t, &l) in g.time.iter().zip(&g.lost) {
        if t > horizon {
            neg += 1;
        } else if l {
            pos += 1;
        } else {
            cens += 1;
        }
    }
    (pos, neg, cens)
}

/// The IPCW point estimate and one AUC per bootstrap replicate.
fn score_survival_group(
    g: &SurvivalGroup,
    horizon: f64,
    boot: &Bootstrap,
) -> (Option<f64>, Vec<f64>) {
    let data = SurvivalData::new(&g.time, &g.lost);
    let (group, n) = risk_groups(&g.risk);
    let auc = |weight: &dyn Fn(usize) -> f64| {
        let g_at = data.censoring_survival(weight);
        data.auc_at(horizon, &group, n, &g_at, weight)
    };
    let point = auc(&|_| 1.0);
    let reps = (0..boot.replicates())
        .map(|b| auc(&|i| boot.weight(g.deals[i] as usize, b) as f64).unwrap_or(f64::NAN))
        .collect();
    (point, reps)
}

/// One landmark's at-risk rows by class, `segment << 2 | outcome` (`Outcome as u32`): read
/// from the deal tables once per landmark rather than once per indicator. Won and lost deals
/// are the negatives and positives of the known-mode AUCs and open deals take no part, so
/// the class is also the AUC kernels' [`class_word`](crate::stats::ranked::class_word).
struct RowClasses {
    /// Per row: `segment << 2 | outcome`.
    class: Vec<u32>,
    /// Rows per class.
    total: Vec<u64>,
}

const LOST: u32 = Outcome::Lost as u32;
const OPEN: u32 = Outcome::Open as u32;
const _: () = {
    use crate::stats::ranked::{NEGATIVE, POSITIVE};
    assert!(Outcome::Won as u32 == NEGATIVE && LOST == POSITIVE && OPEN == EXCLUDED);
};

fn row_classes(panel: &Panel) -> Vec<RowClasses> {
    let n_classes = panel.segments.len() << 2;
    panel
        .at
        .par_iter()
        .map(|rows| {
            let class: Vec<u32> = rows
                .deals
                .iter()
                .map(|&d| {
                    u32::from(panel.deal_segment[d as usize]) << 2
                        | panel.outcome[d as usize] as u32
                })
                .collect();
            let mut total = vec![0u64; n_classes];
            class.iter().for_each(|&c| total[c as usize] += 1);
            RowClasses { class, total }
        })
        .collect()
}

/// Lengthens a buffer that is overwritten in place, never cleared, to at least `n`.
fn grow_to<T: Copy + Default>(buffer: &mut Vec<T>, n: usize) {
    if buffer.len() < n {
        buffer.resize(n, T::default());
    }
}

/// Columns a known-mode task fills, kept by each worker thread from task to task.
#[derive(Default)]
struct TaskBuffers {
    keys: Vec<f32>,
    class: Vec<u32>,
    deals: Vec<u32>,
    sort: SortBuffers,
}

/// How a score row is started: indicator, landmark, segment (pooled = number of segments),
/// at risk, and (lost, won, censored). Fills in the note when a class is too small.
type RowStart<'a> = dyn Fn(usize, usize, usize, u64, (u64, u64, u64)) -> ScoreRow + 'a;

/// The sign that orients an indicator's values so that higher means riskier.
fn orientation(panel: &Panel, i: usize) -> f32 {
    if panel.indicators[i].direction == Direction::HigherIsSafer {
        -1.0
    } else {
        1.0
    }
}

/// Known-mode scores of one indicator at one landmark for every segment and the pool, from
/// a single sort: point estimates and, with replicates in `boot`, percentile intervals
/// (`alpha` in each tail) from one weighted sweep. `classes` are the landmark's
/// [`row_classes`].
fn known_task(
    panel: &Panel,
    (i, k): (usize, usize),
    classes: &RowClasses,
    buffers: &mut TaskBuffers,
    boot: &Bootstrap,
    intervals: &Intervals,
    row: &RowStart<'_>,
) -> Vec<ScoreRow> {
    let n_seg = panel.segments.len();
    let rows = &panel.at[k];
    let sign = orientation(panel, i);
    let values = &rows.values[i];
    // Point estimates (with DeLong's variances) straight from the panel's column; replicates
    // need the kept rows' deals.
    let (aucs, reps, missing) = if intervals.over_reps {
        let (keys, class, deals, missing) = kept_rows(values, sign, classes, &rows.deals, buffers);
        let cluster: Vec<u32> = deals.iter().map(|&d| panel.deal_rep[d as usize]).collect();
        (
            clustered_aucs(keys, class, &cluster, n_seg),
            Vec::new(),
            missing,
        )
    } else if boot.replicates() == 0 {
        let (aucs, missing) = point_aucs_in(values, &classes.class, n_seg, sign, &mut buffers.sort);
        (aucs, Vec::new(), missing)
    } else {
        let (keys, class, deals, missing) = kept_rows(values, sign, classes, &rows.deals, buffers);
        let (aucs, reps) = class_replicate_aucs(keys, deals, class, n_seg, boot);
        (aucs, reps, missing)
    };
    known_rows(
        n_seg,
        (i, k),
        classes,
        (aucs, reps, &missing),
        intervals,
        row,
    )
}

/// Known-mode point scores, at every landmark, of an indicator whose value is fixed when the
/// deal is created ([`IndicatorInfo::fixed_at_creation`](crate::indicators::IndicatorInfo)):
/// each landmark's risk set is a subset of the previous one, so the first landmark's rows are
/// sorted once and each later landmark keeps its deals from that order
/// ([`nested_point_aucs`]) instead of sorting its own column.
fn fixed_task(
    panel: &Panel,
    i: usize,
    classes: &[RowClasses],
    buffers: &mut TaskBuffers,
    intervals: &Intervals,
    row: &RowStart<'_>,
) -> Vec<Vec<ScoreRow>> {
    let Some(first) = panel.at.first() else {
        return Vec::new();
    };
    // The last landmark each deal of the first risk set is still at risk.
    let mut last = vec![0u16; panel.deal_segment.len()];
    for (k, rows) in panel.at.iter().enumerate() {
        rows.deals.iter().for_each(|&d| last[d as usize] = k as u16);
    }
    let last: Vec<u16> = first.deals.iter().map(|&d| last[d as usize]).collect();
    let n_seg = panel.segments.len();
    let per_landmark = nested_point_aucs(
        &first.values[i],
        &classes[0].class,
        &last,
        panel.at.len(),
        n_seg,
        orientation(panel, i),
        &mut buffers.sort,
    );
    per_landmark
        .into_iter()
        .enumerate()
        .map(|(k, (aucs, missing))| {
            known_rows(
                n_seg,
                (i, k),
                &classes[k],
                (aucs, Vec::new(), &missing),
                intervals,
                row,
            )
        })
        .collect()
}

/// The score rows (each segment, pooled last) of indicator `i` at landmark `k` from what a
/// task found: the AUCs, replicate AUCs (none without bootstrap) and rows without a value
/// per class; counts from the landmark's [`row_classes`].
fn known_rows(
    n_seg: usize,
    (i, k): (usize, usize),
    classes: &RowClasses,
    (aucs, reps, missing_in): (Vec<Option<MannWhitney>>, Vec<Vec<f64>>, &[u64]),
    intervals: &Intervals,
    row: &RowStart<'_>,
) -> Vec<ScoreRow> {
    // (at risk, lost, won, censored) per segment, pooled last; a row without a value is at
    // risk but in no class.
    let mut counts = vec![[0u64; 4]; n_seg + 1];
    for (class, (&total, &missing)) in classes.total.iter().zip(missing_in).enumerate() {
        let slot = match class as u32 & 3 {
            LOST => 1,
            OPEN => 3,
            _ => 2,
        };
        for c in [class >> 2, n_seg] {
            counts[c][0] += total;
            counts[c][slot] += total - missing;
        }
    }
    (0..=n_seg)
        .map(|s| {
            let [at_risk, lost, won, censored] = counts[s];
            let mut r = row(i, k, s, at_risk, (lost, won, censored));
            if r.note.is_empty() {
                r.auc = aucs[s].map(|m| m.auc);
                if intervals.method == IntervalMethod::Delong {
                    (r.ci_lo, r.ci_hi, r.note) = intervals.delong(aucs[s]);
                } else if !reps.is_empty() {
                    (r.ci_lo, r.ci_hi, r.note) = intervals.of(s, r.auc, &reps[s]);
                }
            }
            r
        })
        .collect()
}

/// The rows of a column that take part in the AUCs (a value, a known outcome), oriented by
/// `sign`: their keys, classes and deals, in `buffers`; plus the rows without a value per
/// class. Every row is written and the write position advances only for kept rows: no
/// branch to mispredict on the scattered open and missing rows. The buffers only ever grow.
fn kept_rows<'b>(
    values: &[f32],
    sign: f32,
    classes: &RowClasses,
    row_deals: &[u32],
    buffers: &'b mut TaskBuffers,
) -> (&'b [f32], &'b [u32], &'b [u32], Vec<u64>) {
    let mut missing_in = vec![0u64; classes.total.len()];
    let TaskBuffers {
        keys, class, deals, ..
    } = buffers;
    grow_to(keys, values.len());
    grow_to(class, values.len());
    grow_to(deals, values.len());
    let mut m = 0;
    for ((&v, &c), &deal) in values.iter().zip(&classes.class).zip(row_deals) {
        let missing = v.is_nan();
        if missing {
            missing_in[c as usize] += 1;
        }
        keys[m] = sign * v;
        class[m] = c;
        deals[m] = deal;
        m += usize::from(!missing & (c & EXCLUDED == 0));
    }
    (&keys[..m], &class[..m], &deals[..m], missing_in)
}

/// Scores every indicator × segment (and pooled) × landmark of `panel`.
///
/// # Panics
/// When `options.interval` cannot serve its censoring ([`IntervalMethod::unsupported`]):
/// callers check options first, as [`check_options`](crate::score::check_options) does for
/// the binary, since scores with DeLong's intervals under IPCW weights would be wrong rather
/// than missing.
pub fn score(panel: &Panel, options: &ScoreOptions) -> Vec<ScoreRow> {
    score_with_progress(panel, options, &|_| {})
}

/// [`score`], calling `progress(n)` as `n` indicator × landmark scores are done (from any
/// worker thread; `panel.indicators.len() × panel.landmarks.len()` in all).
pub fn score_with_progress(
    panel: &Panel,
    options: &ScoreOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<ScoreRow> {
    if let Some(why) = options.interval.unsupported(options.censoring) {
        panic!("scoring options checked by the caller: {why}");
    }
    // A log without deals has no segment, not even the pool's rows to fill.
    if panel.segments.is_empty() {
        return Vec::new();
    }
    let boot = replicates(panel, options);
    let intervals = Intervals::new(panel, options);
    let min = options.min_class as u64;
    let classes = match options.censoring {
        Censoring::Known => row_classes(panel),
        Censoring::Ipcw { .. } => Vec::new(),
    };
    let row =
        |i: usize, k: usize, s: usize, n_at_risk: u64, (pos, neg, censored): (u64, u64, u64)| {
            ScoreRow {
                indicator: panel.indicators[i].name.clone(),
                segment: panel
                    .segments
                    .get(s)
                    .map_or(POOLED, String::as_str)
                    .to_string(),
                landmark_day: panel.landmarks[k],
                n_at_risk,
                n_lost: pos,
                n_won: neg,
                n_censored: censored,
                auc: None,
                ci_lo: None,
                ci_hi: None,
                note: if let Some(why) = &panel.indicators[i].not_scored {
                    format!("not scored: {why}")
                } else if pos < min || neg < min {
                    // A segment of open deals only (a CRM's pipeline without closed history)
                    // is not an empty one.
                    let open = match censored {
                        0 => String::new(),
                        n => format!(", {n} still open"),
                    };
                    format!("fewer than {min} deals in a class ({pos} lost, {neg} won{open})")
                } else {
                    String::new()
                },
                ..ScoreRow::default()
            }
        };
    let cell_task = |i: usize, k: usize, buffers: &mut TaskBuffers| -> Vec<ScoreRow> {
        let horizon = match options.censoring {
            Censoring::Known => {
                return known_task(panel, (i, k), &classes[k], buffers, &boot, &intervals, &row)
            }
            Censoring::Ipcw { horizon } => horizon,
        };
        survival_groups(panel, k, i)
            .iter()
            .enumerate()
            .map(|(s, g)| {
                let mut row = row(i, k, s, g.n_at_risk, survival_counts(g, horizon));
                if !row.note.is_empty() {
                    return row;
                }
                let (point, reps) = score_survival_group(g, horizon, &boot);
                row.auc = point;
                (row.ci_lo, row.ci_hi, row.note) = intervals.of(s, point, &reps);
                row
            })
            .collect()
    };
    // Point scoring of an indicator fixed at creation sorts once for all landmarks (which
    // it numbers in 16 bits).
    let point_known = matches!(options.censoring, Censoring::Known)
        && boot.replicates() == 0
        && !intervals.over_reps
        && panel.landmarks.len() <= usize::from(u16::MAX) + 1;
    let fixed = |i: usize| point_known && panel.indicators[i].fixed_at_creation;
    let n_ind = panel.indicators.len();
    // The fixed indicators' tasks (one for all landmarks) first, then landmark-major: the
    // early landmarks' large risk sets first, so that the two halves the thread pool splits
    // into each start big and end small, and neither waits long at the end.
    let tasks: Vec<Task> = (0..n_ind)
        .filter(|&i| fixed(i))
        .map(Task::Fixed)
        .chain((0..panel.landmarks.len()).flat_map(|k| {
            (0..n_ind)
                .filter(move |&i| !fixed(i))
                .map(move |i| Task::Cell(i, k))
        }))
        .collect();
    // Each task's rows by cell, `indicator × landmarks + landmark`.
    let n_k = panel.landmarks.len();
    let done: Vec<(usize, Vec<ScoreRow>)> = tasks
        .par_iter()
        .map_init(TaskBuffers::default, |buffers, &task| {
            let done: Vec<(usize, Vec<ScoreRow>)> = match task {
                Task::Fixed(i) => fixed_task(panel, i, &classes, buffers, &intervals, &row)
                    .into_iter()
                    .enumerate()
                    .map(|(k, rows)| (i * n_k + k, rows))
                    .collect(),
                Task::Cell(i, k) => vec![(i * n_k + k, cell_task(i, k, buffers))],
            };
            progress(done.len() as u64);
            done
        })
        .flatten_iter()
        .collect();
    // Order: indicator, segment (panel order, pooled last), landmark.
    let mut grid: Vec<Vec<ScoreRow>> = vec![Vec::new(); n_ind * n_k];
    for (cell, rows) in done {
        grid[cell] = rows;
    }
    let n_groups = panel.segments.len() + 1;
    let mut rows = Vec::with_capacity(grid.len() * n_groups);
    for per_landmark in grid.chunks(n_k) {
        for s in 0..n_groups {
            rows.extend(per_landmark.iter().map(|landmark| landmark[s].clone()));
        }
    }
    paired::compare_with_baseline(panel, options, &classes, &boot, &intervals, &mut rows);
    rows
}

/// The replicates every score is measured on: deals drawn within segment × final outcome, or
/// reps (each with all its deals in the segment) within segment; none for DeLong intervals.
fn replicates(panel: &Panel, options: &ScoreOptions) -> Bootstrap {
    if options.interval == IntervalMethod::Delong {
        return Bootstrap::new(&[], 0, options.seed);
    }
    match options.cluster {
        Cluster::Deal => {
            let strata: Vec<u32> = panel
                .deal_segment
                .iter()
                .zip(&panel.outcome)
                .map(|(&s, &o)| s as u32 * 3 + o as u32)
                .collect();
            Bootstrap::new(&strata, options.bootstrap, options.seed)
        }
        Cluster::Rep => {
            let strata: Vec<u32> = panel.deal_segment.iter().map(|&s| s.into()).collect();
            // A rep working two segments is a cluster in each.
            let clusters: Vec<u64> = strata
                .iter()
                .zip(&panel.deal_rep)
                .map(|(&s, &rep)| u64::from(s) << 32 | u64::from(rep))
                .collect();
            Bootstrap::clustered(&strata, &clusters, options.bootstrap, options.seed)
        }
    }
}

/// The share of the pooled deals above which segments too small to resample leave the pooled
/// rows without intervals too (the default scenario's 2-rep atypical segment holds 3%).
const POOL_SHARE_WITHHELD: f64 = 0.10;

/// How a score's interval is found: from its DeLong variance, or read off its replicates.
struct Intervals {
    method: IntervalMethod,
    /// In each tail.
    alpha: f64,
    /// Per segment (pooled last): why it gets no interval whatever its replicates, if so.
    withheld: Vec<Option<String>>,
    /// DeLong's intervals over reps: each group's variance sums its deals' placements per rep.
    over_reps: bool,
}

impl Intervals {
    /// With the bootstrap over reps, a segment of fewer than [`MIN_CLUSTERS`] reps gets no
    /// interval, nor does the pool when such segments hold more than [`POOL_SHARE_WITHHELD`]
    /// of its deals (the pool's replicates draw reps within each segment, so those segments'
    /// share of its spread is as ill-measured as their own). DeLong's intervals over reps
    /// count the reps of each score's own deals instead ([`Intervals::delong`]).
    fn new(panel: &Panel, options: &ScoreOptions) -> Intervals {
        let reps = reps_per_segment(panel);
        let by_rep = options.cluster == Cluster::Rep;
        let resampled = by_rep && options.interval == IntervalMethod::Bootstrap;
        let few = |s: usize| resampled && reps[s] < MIN_CLUSTERS;
        let mut deals = vec![0usize; panel.segments.len()];
        panel
            .deal_segment
            .iter()
            .for_each(|&s| deals[s as usize] += 1);
        let in_few: usize = (0..deals.len()).filter(|&s| few(s)).map(|s| deals[s]).sum();
        let share = in_few as f64 / panel.deal_segment.len().max(1) as f64;
        let withheld = (0..panel.segments.len())
            .map(|s| {
                few(s).then(|| {
                    let n = reps[s];
                    format!(
                        "no interval: {n} rep{} in the segment, too few to resample",
                        if n == 1 { "" } else { "s" }
                    )
                })
            })
            .chain(std::iter::once((share > POOL_SHARE_WITHHELD).then(|| {
                format!(
                    "no interval: segments of fewer than {MIN_CLUSTERS} reps hold {:.0}% of the deals",
                    share * 100.0
                )
            })))
            .collect();
        Intervals {
            method: options.interval,
            alpha: (1.0 - options.confidence) / 2.0,
            withheld,
            over_reps: by_rep && options.interval == IntervalMethod::Delong,
        }
    }

    /// The logit-DeLong interval of a known-mode score ([`MannWhitney::interval`]) and the
    /// row's note, which says when the classes lie apart and the interval is the exact bound.
    /// Over reps, a score whose deals come from fewer than [`MIN_CLUSTERS`] reps gets none.
    fn delong(&self, auc: Option<MannWhitney>) -> (Option<f64>, Option<f64>, String) {
        let Some(m) = auc else {
            return (None, None, "no deal with a value in a class".into());
        };
        if let Some(k) = m.clusters.filter(|&k| k < MIN_CLUSTERS as u64) {
            let reps = if k == 1 { "rep" } else { "reps" };
            let why =
                format!("no interval: {k} {reps} among these deals, fewer than {MIN_CLUSTERS}");
            return (None, None, why);
        }
        match m.interval(self.alpha) {
            Some([lo, hi]) if m.separated() => (
                Some(lo),
                Some(hi),
                "classes apart: exact one-sided bound (Lehmann family)".into(),
            ),
            Some([lo, hi]) => (Some(lo), Some(hi), String::new()),
            None if m.one_value => (None, None, EVERY_DEAL_TIES.into()),
            None if m.separated() => (
                None,
                None,
                "no interval: the classes do not overlap (no bound over reps)".into(),
            ),
            None => (None, None, "no interval: a class of one deal".into()),
        }
    }

    /// The interval of segment `s`'s score `auc` from its replicates, and the row's note: no
    /// interval when the AUC is undefined (a class without weight) in more than 5% of them,
    /// as percentiles of the remaining replicates would describe only the draws that
    /// happened to keep both classes; none either when the AUC is ½ in the sample and in
    /// every replicate that kept both classes, which means every deal ties, as under DeLong.
    fn of(
        &self,
        s: usize,
        auc: Option<f64>,
        replicates: &[f64],
    ) -> (Option<f64>, Option<f64>, String) {
        if auc.is_none() {
            return (None, None, "no deal with a value in a class".into());
        }
        if let Some(why) = &self.withheld[s] {
            return (None, None, why.clone());
        }
        // Replicates that lost a class at this landmark are NaN; the others decide.
        let all_half = replicates.iter().filter(|r| !r.is_nan()).all(|&r| r == 0.5);
        match interval(replicates, self.alpha) {
            (Some(_), Some(_), _) if auc == Some(0.5) && all_half => {
                (None, None, EVERY_DEAL_TIES.into())
            }
            other => other,
        }
    }
}

/// The note of a score whose deals all have the same value: its AUC is ½ in every sample.
const EVERY_DEAL_TIES: &str = "no interval: every deal has the same value";

/// Distinct reps per segment of the panel.
fn reps_per_segment(panel: &Panel) -> Vec<usize> {
    let mut reps = vec![std::collections::BTreeSet::new(); panel.segments.len()];
    for (&s, &rep) in panel.deal_segment.iter().zip(&panel.deal_rep) {
        reps[s as usize].insert(rep);
    }
    reps.iter().map(|r| r.len()).collect()
}

/// The percentile interval of `replicates` (`alpha` in each tail) and the note when there is
/// none (see [`Intervals::of`]).
fn interval(replicates: &[f64], alpha: f64) -> (Option<f64>, Option<f64>, String) {
    match percentile_interval(replicates, alpha) {
        Some([lo, hi]) => (Some(lo), Some(hi), String::new()),
        None => {
            let empty = replicates.iter().filter(|x| x.is_nan()).count();
            let note = format!(
                "no interval: a class is empty in {empty} of {} bootstrap replicates (more than 5%)",
                replicates.len()
            );
            (None, None, note)
        }
    }
}

/// A unit of scoring work: one indicator at one landmark, or an indicator fixed at creation
/// at all landmarks.
#[derive(Clone, Copy)]
enum Task {
    Cell(usize, usize),
    Fixed(usize),
}
