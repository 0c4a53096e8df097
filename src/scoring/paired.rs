//! Each indicator against the baseline, the rep's own forecast
//! ([`baseline`](crate::indicators::baseline)), on the same deals: the AUC difference
//! indicator − baseline with a paired interval (the `vs_baseline*` columns of `scores.csv`).
//! Not a ranking of indicators among themselves.
//!
//! Per segment (and pooled) and landmark, the deals that take part are the at-risk deals with
//! a known outcome and a value of *both* indicators, and both AUCs are recomputed on them, so
//! the difference can differ from `auc` − the baseline's `auc` where either has missing
//! values. The interval follows `--interval`: DeLong's paired variance (Obuchowski's over
//! reps, t with K − 1 degrees of freedom; [`crate::stats::paired`]), or the percentiles of the
//! difference over the shared bootstrap's replicates, which reweight both indicators' deals
//! alike. With `--censoring ipcw` no difference is given (the note says so): the IPCW AUCs
//! each fit their own censoring weights on their own deals, and no paired variance of the
//! difference is at hand.

use std::borrow::Cow;

use rayon::prelude::*;

use super::{
    orientation, Censoring, IntervalMethod, Intervals, RowClasses, ScoreOptions, ScoreRow,
};
use crate::indicators::{Panel, Signal};
use crate::stats::bootstrap::{Bootstrap, MIN_CLUSTERS};
use crate::stats::first_seen::first_seen_ids;
use crate::stats::paired::{paired_differences, placements, PairedAuc, Placements};
use crate::stats::quantile::percentile_interval;
use crate::stats::ranked::{class_replicate_aucs, SortBuffers, EXCLUDED};

/// The baseline's index among the panel's indicators, if it has one.
pub fn baseline_index(panel: &Panel) -> Option<usize> {
    let name = crate::indicators::baseline(
        panel
            .indicators
            .iter()
            .filter(|i| i.signal == Signal::Forecast)
            .map(|i| i.name.as_str()),
    )?;
    panel.indicators.iter().position(|i| i.name == name)
}

/// A column of the common rows: the baseline's own, or picked from it.
type Column<'a> = Cow<'a, [u32]>;

/// One row's comparison: (difference, lower, upper, note).
type Versus = (Option<f64>, Option<f64>, Option<f64>, String);

/// Fills the `vs_baseline*` fields of `rows` (ordered indicator, segment with the pool last,
/// landmark, as [`score`](super::score) returns them). Rows of the baseline itself, and rows
/// without an AUC, are left empty.
pub(super) fn compare_with_baseline(
    panel: &Panel,
    options: &ScoreOptions,
    classes: &[RowClasses],
    boot: &Bootstrap,
    intervals: &Intervals,
    rows: &mut [ScoreRow],
) {
    let Some(base) = baseline_index(panel) else {
        return;
    };
    let n_groups = panel.segments.len() + 1;
    let n_k = panel.landmarks.len();
    let at = |i: usize, s: usize, k: usize| (i * n_groups + s) * n_k + k;
    if let Censoring::Ipcw { .. } = options.censoring {
        for r in rows.iter_mut() {
            if r.auc.is_some() && r.indicator != panel.indicators[base].name {
                r.vs_baseline_note = "not computed with --censoring ipcw".into();
            }
        }
        return;
    }
    // Reps numbered densely once for the panel: one cluster per rep, also in the pool.
    let reps = intervals.over_reps.then(|| {
        let ids = first_seen_ids(panel.deal_rep.iter().copied(), |r| r, |_| {});
        let count = ids.iter().max().map_or(0, |&m| m as usize + 1);
        (ids, count)
    });
    let has_auc: Vec<bool> = rows.iter().map(|r| r.auc.is_some()).collect();
    // Point scores only (no interval to find): where an indicator has a value on exactly the
    // baseline's deals, the common set is each one's own, and the difference comes from the
    // two rows' AUCs without ranking anything again.
    let point_only = intervals.method == IntervalMethod::Bootstrap && boot.replicates() == 0;
    let reused: Vec<(usize, usize, Vec<Versus>)> = if point_only {
        let rows = &*rows;
        (0..n_k)
            .into_par_iter()
            .flat_map_iter(|k| {
                let cells = &panel.at[k];
                (0..panel.indicators.len())
                    .filter(move |&i| i != base)
                    .filter(move |&i| {
                        same_deals(&cells.values[i], &cells.values[base], &classes[k].class)
                    })
                    .filter_map(move |i| {
                        (0..n_groups)
                            .map(|s| point_difference(&rows[at(i, s, k)], &rows[at(base, s, k)]))
                            .collect::<Option<Vec<Versus>>>()
                            .map(|v| (i, k, v))
                    })
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut handled = vec![false; has_auc.len()];
    for &(i, k, _) in &reused {
        handled[at(i, 0, k)] = true;
    }
    let done: Vec<(usize, usize, Vec<Versus>)> = (0..n_k)
        .into_par_iter()
        .flat_map_iter(|k| {
            let wanted = |i: usize| {
                i != base
                    && !handled[at(i, 0, k)]
                    && (0..n_groups).any(|s| has_auc[at(i, s, k)] && has_auc[at(base, s, k)])
            };
            let landmark = Landmark {
                panel,
                options,
                boot,
                intervals,
                reps: reps.as_ref().map(|(ids, n)| (ids.as_slice(), *n)),
                k,
                class: &classes[k].class,
                base,
            };
            landmark
                .compare((0..panel.indicators.len()).filter(|&i| wanted(i)).collect())
                .into_iter()
                .map(move |(i, v)| (i, k, v))
        })
        .collect();
    let base_name = &panel.indicators[base].name;
    for (i, k, per_group) in reused.into_iter().chain(done) {
        for (s, (difference, lo, hi, note)) in per_group.into_iter().enumerate() {
            let r = at(i, s, k);
            if !has_auc[r] {
                continue;
            }
            let row = &mut rows[r];
            if !has_auc[at(base, s, k)] {
                row.vs_baseline_note = format!("no AUC for the baseline {base_name} here");
                continue;
            }
            row.vs_baseline = difference;
            row.vs_baseline_ci_lo = lo;
            row.vs_baseline_ci_hi = hi;
            row.vs_baseline_note = note;
        }
    }
}

/// Whether `values` has a value on exactly the rows of known outcome where `base` has one.
fn same_deals(values: &[f32], base: &[f32], class: &[u32]) -> bool {
    values
        .iter()
        .zip(base)
        .zip(class)
        .all(|((v, b), &c)| (c & EXCLUDED != 0) | (v.is_nan() == b.is_nan()))
}

/// A group's point comparison from the indicator's and the baseline's rows over the same
/// deals: (Σ_A − Σ_B) / 2mn from the sums of doubled placements over the positives, as
/// [`paired_differences`] finds it. Each sum is recovered from its row's AUC Σ / 2mn, exactly
/// while 2mn < 2⁵¹ (the AUC's rounding error times 2mn stays under ½); `None` beyond, or if
/// the recovered sum does not give the AUC back, for the full computation to take over. Rows
/// without an AUC are left as they are (the caller skips them).
fn point_difference(a: &ScoreRow, b: &ScoreRow) -> Option<Versus> {
    let (Some(auc_a), Some(auc_b)) = (a.auc, b.auc) else {
        return Some((None, None, None, String::new()));
    };
    let (mf, nf) = (a.n_lost as f64, a.n_won as f64);
    let pairs2 = 2.0 * mf * nf;
    if (a.n_lost, a.n_won) != (b.n_lost, b.n_won) || pairs2 >= (1u64 << 51) as f64 {
        return None;
    }
    let sum = |auc: f64| {
        let s = (auc * pairs2).round();
        (s / pairs2 == auc).then_some(s as i64)
    };
    let d10 = sum(auc_a)? - sum(auc_b)?;
    Some((Some(d10 as f64 / pairs2), None, None, String::new()))
}

/// One landmark's comparisons.
struct Landmark<'a> {
    panel: &'a Panel,
    options: &'a ScoreOptions,
    boot: &'a Bootstrap,
    intervals: &'a Intervals,
    /// Dense rep number per deal and the number of reps, for intervals over reps.
    reps: Option<(&'a [u32], usize)>,
    k: usize,
    /// The landmark's row classes ([`RowClasses`]).
    class: &'a [u32],
    base: usize,
}

impl Landmark<'_> {
    /// The comparisons, per segment and pooled, of the indicators `wanted` with the baseline.
    fn compare(&self, wanted: Vec<usize>) -> Vec<(usize, Vec<Versus>)> {
        if wanted.is_empty() {
            return Vec::new();
        }
        let panel = self.panel;
        let n_seg = panel.segments.len();
        let rows = &panel.at[self.k];
        let base_values = &rows.values[self.base];
        let base_sign = orientation(panel, self.base);
        // The rows the baseline takes part in: a value and a known outcome.
        let kept: Vec<usize> = (0..rows.deals.len())
            .filter(|&r| !base_values[r].is_nan() && self.class[r] & EXCLUDED == 0)
            .collect();
        let base_keys: Vec<f32> = kept.iter().map(|&r| base_sign * base_values[r]).collect();
        let kept_class: Vec<u32> = kept.iter().map(|&r| self.class[r]).collect();
        let kept_deals: Vec<u32> = kept.iter().map(|&r| rows.deals[r]).collect();
        let kept_cluster: Option<Vec<u32>> = self
            .reps
            .map(|(ids, _)| kept_deals.iter().map(|&d| ids[d as usize]).collect());
        let mut buffers = SortBuffers::default();
        let mut base_place = Placements::default();
        placements(
            &base_keys,
            &kept_class,
            n_seg,
            &mut buffers,
            &mut base_place,
        );
        let replicates = |keys: &[f32], deals: &[u32], class: &[u32]| {
            class_replicate_aucs(keys, deals, class, n_seg, self.boot).1
        };
        let bootstrapped = self.boot.replicates() > 0;
        let base_reps = if bootstrapped {
            replicates(&base_keys, &kept_deals, &kept_class)
        } else {
            Vec::new()
        };
        let (mut place, mut other_place) = (Placements::default(), Placements::default());
        wanted
            .into_iter()
            .map(|i| {
                let values = &rows.values[i];
                let sign = orientation(panel, i);
                // Of the baseline's rows, those where this indicator has a value too: usually
                // all of them, and then the baseline's placements and columns serve as they are.
                let full = kept.iter().all(|&r| !values[r].is_nan());
                let common: Vec<usize> = if full {
                    Vec::new()
                } else {
                    (0..kept.len())
                        .filter(|&j| !values[kept[j]].is_nan())
                        .collect()
                };
                let pick = |v: &[u32]| -> Vec<u32> { common.iter().map(|&j| v[j]).collect() };
                let (class, deals, cluster): (Cow<[u32]>, Cow<[u32]>, Option<Column>) = if full {
                    (
                        Cow::Borrowed(&kept_class),
                        Cow::Borrowed(&kept_deals),
                        kept_cluster.as_deref().map(Cow::Borrowed),
                    )
                } else {
                    (
                        Cow::Owned(pick(&kept_class)),
                        Cow::Owned(pick(&kept_deals)),
                        kept_cluster.as_deref().map(|c| Cow::Owned(pick(c))),
                    )
                };
                let keys: Vec<f32> = if full {
                    kept.iter().map(|&r| sign * values[r]).collect()
                } else {
                    common.iter().map(|&j| sign * values[kept[j]]).collect()
                };
                placements(&keys, &class, n_seg, &mut buffers, &mut place);
                let (b_place, b_keys) = if full {
                    (&base_place, None)
                } else {
                    let b_keys: Vec<f32> = common.iter().map(|&j| base_keys[j]).collect();
                    placements(&b_keys, &class, n_seg, &mut buffers, &mut other_place);
                    (&other_place, Some(b_keys))
                };
                let paired = paired_differences(
                    &place,
                    b_place,
                    &class,
                    cluster.as_deref().zip(self.reps.map(|(_, n)| n)),
                    n_seg,
                );
                let differences: Vec<Vec<f64>> = if bootstrapped {
                    let a_reps = replicates(&keys, &deals, &class);
                    let own;
                    let b_reps = match &b_keys {
                        None => &base_reps,
                        Some(b_keys) => {
                            own = replicates(b_keys, &deals, &class);
                            &own
                        }
                    };
                    a_reps
                        .iter()
                        .zip(b_reps)
                        .map(|(a, b)| a.iter().zip(b).map(|(x, y)| x - y).collect())
                        .collect()
                } else {
                    Vec::new()
                };
                let per_group = (0..=n_seg)
                    .map(|s| self.judge(s, paired[s], differences.get(s)))
                    .collect();
                (i, per_group)
            })
            .collect()
    }

    /// A group's comparison from its paired AUCs and, with the bootstrap, the replicates'
    /// differences (NaN where a class lost all weight).
    fn judge(&self, s: usize, paired: Option<PairedAuc>, replicates: Option<&Vec<f64>>) -> Versus {
        let min = self.options.min_class as u64;
        let p = match paired {
            Some(p) if p.positives >= min && p.negatives >= min => p,
            other => {
                let (m, n) = other.map_or((0, 0), |p| (p.positives, p.negatives));
                let note = format!(
                    "fewer than {min} deals with both values in a class ({m} lost, {n} won)"
                );
                return (None, None, None, note);
            }
        };
        let difference = Some(p.difference);
        let alpha = self.intervals.alpha;
        let alike = || {
            if p.alike {
                "the two place every deal alike".to_string()
            } else {
                String::new()
            }
        };
        match self.intervals.method {
            IntervalMethod::Delong => {
                if let Some(k) = p.clusters.filter(|&k| k < MIN_CLUSTERS as u64) {
                    let why = format!(
                        "no interval: {k} rep{} among these deals, fewer than {MIN_CLUSTERS}",
                        if k == 1 { "" } else { "s" }
                    );
                    return (difference, None, None, why);
                }
                match p.interval(alpha) {
                    Some([lo, hi]) => (difference, Some(lo), Some(hi), alike()),
                    None if p.variance.is_nan() && p.clusters.is_some() => (
                        difference,
                        None,
                        None,
                        "no interval: fewer than two reps hold a class".into(),
                    ),
                    None if p.variance.is_nan() => (
                        difference,
                        None,
                        None,
                        "no interval: a class of one deal".into(),
                    ),
                    None => (
                        difference,
                        None,
                        None,
                        "no interval: zero variance (one of the two has its classes apart or \
                         every deal tied)"
                            .into(),
                    ),
                }
            }
            IntervalMethod::Bootstrap => {
                let Some(replicates) = replicates else {
                    return (difference, None, None, String::new());
                };
                if let Some(why) = &self.intervals.withheld[s] {
                    return (difference, None, None, why.clone());
                }
                match percentile_interval(replicates, alpha) {
                    Some([lo, hi]) => (difference, Some(lo), Some(hi), alike()),
                    None => {
                        let empty = replicates.iter().filter(|x| x.is_nan()).count();
                        let note = format!(
                            "no interval: a class is empty in {empty} of {} bootstrap \
                             replicates (more than 5%)",
                            replicates.len()
                        );
                        (difference, None, None, note)
                    }
                }
            }
        }
    }
}
