//! Cumulative/dynamic time-dependent AUC with inverse-probability-of-censoring weights.
//!
//! Definition (Uno et al. 2007; Hung & Chiang 2010), matching
//! `sksurv.metrics.cumulative_dynamic_auc(train=test=y, risk, times)` to 1e-9 (see
//! `tests/oracle/CDAUC_ALGORITHM.md`):
//! - cases at t: `T_i ≤ t` with an event, weighted by `1 / Ĝ(T_i)`, where Ĝ is the
//!   Kaplan–Meier estimate of the censoring distribution, right-continuous (Ĝ at `T_i`
//!   includes censorings at `T_i`) and with events leaving the risk set before censorings
//!   at tied times;
//! - controls at t: `T_j > t`, weight 1;
//! - risk ties form chains of values within 1e-8 and count ½;
//! - the mean over times weights `AUC(t_k)` by the drop of the Kaplan–Meier survival
//!   `Ŝ(t_{k-1}) − Ŝ(t_k)` with `Ŝ(t_0) = 1`, normalised by `1 − Ŝ(t_K)`.
//!
//! Observation weights (bootstrap multiplicities) scale every count, so a weight of 2 is
//! the same as a repeated row. In dealsim, time is measured from the landmark; won deals
//! are never lost and enter with `T = +∞` (always controls, never censored before t).

use super::ranked::auc_from_histograms;

/// sksurv's tolerance for tied risk scores.
pub const TIED_TOL: f64 = 1e-8;

/// Survival data sorted once by time, so Kaplan–Meier passes are linear.
#[derive(Debug, Clone)]
pub struct SurvivalData<'a> {
    time: &'a [f64],
    event: &'a [bool],
    by_time: Vec<u32>,
}

impl<'a> SurvivalData<'a> {
    pub fn new(time: &'a [f64], event: &'a [bool]) -> SurvivalData<'a> {
        assert_eq!(time.len(), event.len());
        let mut by_time: Vec<u32> = (0..time.len() as u32).collect();
        by_time.sort_by(|&a, &b| time[a as usize].total_cmp(&time[b as usize]));
        SurvivalData {
            time,
            event,
            by_time,
        }
    }

    /// Ĝ(T_i) for every row (1 for rows without an event; they are never cases).
    pub fn censoring_survival(&self, weight: &dyn Fn(usize) -> f64) -> Vec<f64> {
        let n = self.time.len();
        let mut at_risk: f64 = (0..n).map(weight).sum();
        let mut g = 1.0;
        let mut out = vec![1.0; n];
        let mut k = 0;
        while k < n {
            let t = self.time[self.by_time[k] as usize];
            let mut end = k;
            let (mut d, mut c) = (0.0, 0.0);
            while end < n && self.time[self.by_time[end] as usize] == t {
                let i = self.by_time[end] as usize;
                if self.event[i] {
                    d += weight(i);
                } else {
                    c += weight(i);
                }
                end += 1;
            }
            if c > 0.0 {
                g *= 1.0 - c / (at_risk - d);
            }
            for &i in &self.by_time[k..end] {
                out[i as usize] = g;
            }
            at_risk -= d + c;
            k = end;
        }
        out
    }

    /// Kaplan–Meier survival Ŝ(t) of the event distribution.
    pub fn survival_at(&self, t: f64, weight: &dyn Fn(usize) -> f64) -> f64 {
        let n = self.time.len();
        let mut at_risk: f64 = (0..n).map(weight).sum();
        let mut s = 1.0;
        let mut k = 0;
        while k < n && self.time[self.by_time[k] as usize] <= t {
            let u = self.time[self.by_time[k] as usize];
            let (mut d, mut all) = (0.0, 0.0);
            while k < n && self.time[self.by_time[k] as usize] == u {
                let i = self.by_time[k] as usize;
                let w = weight(i);
                all += w;
                if self.event[i] {
                    d += w;
                }
                k += 1;
            }
            if d > 0.0 {
                s *= 1.0 - d / at_risk;
            }
            at_risk -= all;
        }
        s
    }

    /// AUC at `t` for risk groups `group[i]` (ascending risk, `groups` of them), given
    /// Ĝ(T_i) from [`SurvivalData::censoring_survival`]. `None` without cases or controls.
    pub fn auc_at(
        &self,
        t: f64,
        group: &[u32],
        groups: usize,
        g_at: &[f64],
        weight: &dyn Fn(usize) -> f64,
    ) -> Option<f64> {
        let mut cases = vec![0.0; groups];
        let mut controls = vec![0.0; groups];
        for i in 0..self.time.len() {
            let w = weight(i);
            if w == 0.0 {
                continue;
            }
            if self.time[i] <= t {
                if self.event[i] {
                    cases[group[i] as usize] += w / g_at[i];
                }
            } else {
                controls[group[i] as usize] += w;
            }
        }
        auc_from_histograms(&cases, &controls)
    }
}

/// Groups risk scores the way sksurv does: sorted, a value within `TIED_TOL` of the previous
/// one joins its group (a chain). Returns ascending group ids and their count.
pub fn risk_groups(risk: &[f64]) -> (Vec<u32>, usize) {
    let mut order: Vec<u32> = (0..risk.len() as u32).collect();
    order.sort_by(|&a, &b| risk[a as usize].total_cmp(&risk[b as usize]));
    let mut group = vec![0u32; risk.len()];
    let mut g = 0u32;
    for k in 0..order.len() {
        if k > 0 && (risk[order[k] as usize] - risk[order[k - 1] as usize]).abs() > TIED_TOL {
            g += 1;
        }
        group[order[k] as usize] = g;
    }
    (group, if risk.is_empty() { 0 } else { g as usize + 1 })
}

/// AUC at each of `times` (sorted, de-duplicated) and their survival-weighted mean.
#[derive(Debug, Clone, PartialEq)]
pub struct CumulativeDynamicAuc {
    pub times: Vec<f64>,
    pub auc: Vec<Option<f64>>,
    pub mean: Option<f64>,
}

/// `sksurv.metrics.cumulative_dynamic_auc` with train = test, plus optional row weights.
pub fn cumulative_dynamic_auc(
    time: &[f64],
    event: &[bool],
    risk: &[f64],
    weights: Option<&[f64]>,
    times: &[f64],
) -> CumulativeDynamicAuc {
    let weight = |i: usize| weights.map_or(1.0, |w| w[i]);
    let data = SurvivalData::new(time, event);
    let g_at = data.censoring_survival(&weight);
    let (group, groups) = risk_groups(risk);
    let mut ts = times.to_vec();
    ts.sort_by(f64::total_cmp);
    ts.dedup();
    let auc: Vec<Option<f64>> = ts
        .iter()
        .map(|&t| data.auc_at(t, &group, groups, &g_at, &weight))
        .collect();
    let mean = if ts.len() == 1 {
        auc[0]
    } else {
        let mut prev = 1.0;
        let (mut num, mut den) = (0.0, 0.0);
        let mut complete = true;
        for (k, &t) in ts.iter().enumerate() {
            let s = data.survival_at(t, &weight);
            match auc[k] {
                Some(a) => num += a * (prev - s),
                None => complete = false,
            }
            den += prev - s;
            prev = s;
        }
        (complete && den > 0.0).then(|| num / den)
    };
    CumulativeDynamicAuc {
        times: ts,
        auc,
        mean,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Bootstrap multiplicities must act exactly like repeated rows, in the censoring
        /// Kaplan–Meier, the case weights and the survival-weighted mean.
        #[test]
        fn integer_weights_equal_repeated_rows(
            rows in prop::collection::vec((1u8..12, any::<bool>(), 0u8..5, 0u8..4), 4..40),
        ) {
            let time: Vec<f64> = rows.iter().map(|r| r.0 as f64).collect();
            let event: Vec<bool> = rows.iter().map(|r| r.1).collect();
            let risk: Vec<f64> = rows.iter().map(|r| r.2 as f64).collect();
            let weight: Vec<f64> = rows.iter().map(|r| r.3 as f64).collect();
            let (mut t2, mut e2, mut r2) = (Vec::new(), Vec::new(), Vec::new());
            for i in 0..rows.len() {
                for _ in 0..rows[i].3 {
                    t2.push(time[i]);
                    e2.push(event[i]);
                    r2.push(risk[i]);
                }
            }
            let times = [4.0, 7.0];
            let weighted = cumulative_dynamic_auc(&time, &event, &risk, Some(&weight), &times);
            let repeated = cumulative_dynamic_auc(&t2, &e2, &r2, None, &times);
            let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
                (Some(a), Some(b)) => (a - b).abs() < 1e-12 || (a.is_nan() && b.is_nan()),
                (a, b) => a.is_none() && b.is_none(),
            };
            for k in 0..times.len() {
                prop_assert!(close(weighted.auc[k], repeated.auc[k]), "{:?} vs {:?}", weighted, repeated);
            }
            prop_assert!(close(weighted.mean, repeated.mean), "{:?} vs {:?}", weighted, repeated);
        }
    }

    #[test]
    fn published_check_vector() {
        let t = [
            30., 45., 45., 60., 60., 75., 90., 90., 100., 120., 130., 150.,
        ];
        let e = [1, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0].map(|x| x == 1);
        let r = [0.6, 0.8, 0.7, 0.3, 0.9, 0.6, 0.2, 0.5, 0.4, 0.4, 0.1, 0.7];
        let out = cumulative_dynamic_auc(&t, &e, &r, None, &[45., 60., 90., 120.]);
        let want = [0.809942, 0.668343, 0.565522, 0.566498];
        for (a, w) in out.auc.iter().zip(want) {
            assert!((a.unwrap() - w).abs() < 5e-7, "{a:?} vs {w}");
        }
        assert!((out.mean.unwrap() - 0.643433).abs() < 5e-7);
    }

    #[test]
    fn infinite_times_are_controls_and_do_not_censor() {
        // Two events at 1 and 2, one deal never lost: at t=1.5 one case vs two controls.
        let t = [1.0, 2.0, f64::INFINITY];
        let e = [true, true, false];
        let out = cumulative_dynamic_auc(&t, &e, &[3.0, 2.0, 1.0], None, &[1.5]);
        assert_eq!(out.auc, vec![Some(1.0)]);
    }
}
