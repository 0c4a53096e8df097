//! The calibration loop: re-simulate the fitted scenario and correct what the engine distorts.
//!
//! In the engine, win rate and cycle length *emerge*: the chance of losing a deal at a step is
//! `sigmoid(logit(loss_probability) − health_weight · h + process lapses)`, so deals that
//! survive early steps are healthier and the hazard seen at later steps is lower than the
//! step's `loss_probability`; rep steps take longer than their nominal duration by the rep's
//! lateness, client steps move with health, client and external steps stretch in slowdowns;
//! rep skips grow with low discipline, client skips with low health. Plugging the observed
//! rates and durations straight into the scenario therefore does not reproduce the history.
//!
//! Each iteration simulates the current scenario (inflow rescaled to the re-simulation size,
//! the scenario's seed every time, so successive iterations differ only by the parameters:
//! common random numbers) and, per segment and step, moves
//! - the loss probability's log-odds by the gap `logit(observed hazard) − logit(simulated
//!   hazard)`, shrunk towards 0 by the simulated count's sampling noise (`corrected`),
//! - the skip probability's log-odds likewise (steps never skipped in the history keep 0),
//! - the duration distribution's shape (lognormal σ, gamma k) so the spread of ln(duration)
//!   matches, then its scale by `observed median / simulated median`,
//!
//! a fixed-point iteration whose fixed point reproduces every step's hazard, skip rate,
//! median duration and spread, hence the win rate and the cycle-length distribution. The hazards are
//! discrete-time hazards with censoring (see [`super::profile`]) on both sides.

use crate::error::InputError;
use crate::scenario::spec::{DistSpec, StepSpec};
use crate::scenario::{Scenario, ScenarioSpec};
use crate::sim::{generate, Engine};

use super::build::{MIN_DURATIONS, PROBABILITY_FLOOR};
use super::fit::scaled;
use super::profile::{SegmentShape, Tally};
use super::special::trigamma;
use crate::stats::quantile::{median, quantile};

/// The scenario file text of `spec`, and the validated scenario it parses into. Going through
/// the text guarantees that the file a user gets is exactly what was simulated.
pub fn render(spec: &ScenarioSpec) -> Result<(String, Scenario), InputError> {
    let origin = "<calibrated scenario>";
    let text = toml::to_string(spec)
        .map_err(|e| InputError::new(origin, format!("cannot write the scenario: {e}")))?;
    let scenario = Scenario::parse(&text, origin)?;
    Ok((text, scenario))
}

/// Simulates `spec` with its seed (inflow rescaled to about `deals` deals, if given) and
/// tallies the deals against `shapes`.
pub fn simulate_tally(
    spec: &ScenarioSpec,
    shapes: &[SegmentShape],
    deals: Option<u64>,
) -> Result<Tally, InputError> {
    let (_, mut scenario) = render(spec)?;
    if let Some(n) = deals {
        scenario = scenario.with_target_deals(n, "--resimulate-deals")?;
    }
    let engine = Engine::new(&scenario);
    let mut total = Tally::new(shapes);
    let format = |h: &crate::sim::DealHistory, t: &mut Tally| {
        if t.segments.is_empty() {
            *t = Tally::new(shapes);
        }
        let symbols = &engine.vocab.symbols;
        t.add(shapes, &engine.calendar, symbols, &h.deal, &h.events);
    };
    let consume = |t: Tally| -> std::io::Result<()> {
        total.merge(t);
        Ok(())
    };
    generate(&engine, format, consume, |_| {}).expect("tallying in memory cannot fail");
    Ok(total)
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(PROBABILITY_FLOOR, 1.0 - PROBABILITY_FLOOR);
    (p / (1.0 - p)).ln()
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Moves probability `p` so that the simulated rate, `simulated` = (events, trials), moves
/// towards `observed`, by the log-odds gap between the two rates shrunk by
/// `max(0, 1 − v / gap²)`. `v = 1/(x + ½) + 1/(n − x + ½)` is the sampling variance of the
/// simulated rate's empirical logit (Cox & Snell, *Analysis of Binary Data*), and a simulated
/// 0 or `n` counts as ½ or `n − ½`: a rare step's re-simulation that happens to lose 0 of 40
/// deals where the history lost 2 of 29 would otherwise raise the loss odds 700-fold (0 at the
/// 1e-4 floor), the next round lose nearly every deal there, and the loop swing instead of
/// settle. Large counts (small `v`) move by the whole gap; a gap within the noise moves
/// little. The observed rate is taken as it is, so the fixed point reproduces it, a step the
/// history never lost a deal at included.
fn corrected(p: f64, (xo, no): (usize, usize), (xs, ns): (usize, usize)) -> f64 {
    let observed = xo as f64 / no as f64;
    let n = ns as f64;
    let simulated = (xs as f64).clamp(0.5, n - 0.5) / n;
    let v = 1.0 / (xs as f64 + 0.5) + 1.0 / (n - xs as f64 + 0.5);
    let gap = logit(observed) - logit(simulated);
    let shrink = if gap == 0.0 {
        0.0
    } else {
        (1.0 - v / (gap * gap)).max(0.0)
    };
    sigmoid(logit(p) + shrink * gap).clamp(PROBABILITY_FLOOR, 1.0 - PROBABILITY_FLOOR)
}

/// Interquartile range of ln(durations), a robust measure of spread on the log scale (a
/// duration of 0 counts as the engine's floor of 0.01 working days).
fn log_iqr(durations: &[f64]) -> Option<f64> {
    let logs: Vec<f64> = durations.iter().map(|d| d.max(0.01).ln()).collect();
    Some(quantile(&logs, 0.75)? - quantile(&logs, 0.25)?)
}

/// The inverse of ψ′ on (0, ∞), where ψ′ falls from +∞ to 0: bisection on a log scale
/// (to a relative 1e-12; 1e-8 ≤ x ≤ 1e8 covers every shape a duration needs).
fn inverse_trigamma(y: f64) -> f64 {
    let (mut lo, mut hi) = (1e-8f64, 1e8f64);
    while hi / lo > 1.0 + 1e-12 {
        let mid = (lo * hi).sqrt();
        if trigamma(mid) > y {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo * hi).sqrt()
}

/// A shape change that moves the spread of simulated durations (the engine stretches rep
/// steps by the rep's lateness, client steps by health and season) to the observed spread.
/// The variance of ln X grows by the observed minus the simulated log-IQR² / 1.349² (the
/// normal IQR in standard deviations): σ² for a lognormal, ψ′(k) for a gamma. Other
/// families keep their shape; the median is matched separately.
fn respread(spec: DistSpec, observed: &[f64], simulated: &[f64]) -> Option<DistSpec> {
    const IQR_PER_SD: f64 = 1.349;
    let (io, is) = (log_iqr(observed)?, log_iqr(simulated)?);
    let extra = (io * io - is * is) / (IQR_PER_SD * IQR_PER_SD);
    match spec {
        DistSpec::Lognormal { mu, sigma } => Some(DistSpec::Lognormal {
            mu,
            sigma: (sigma * sigma + extra).max(0.0025).sqrt(),
        }),
        DistSpec::Gamma { shape, scale } => {
            let target = (trigamma(shape) + extra).max(1e-4);
            let k = inverse_trigamma(target);
            // Keep the mean: the median is matched separately.
            Some(DistSpec::Gamma {
                shape: k,
                scale: scale * shape / k,
            })
        }
        _ => None,
    }
}

/// Steps of segment `i`'s stage map in walking order (stage by stage).
fn steps_mut(spec: &mut ScenarioSpec, i: usize) -> impl Iterator<Item = &mut StepSpec> {
    spec.stage_maps[i]
        .stages
        .iter_mut()
        .flat_map(|s| s.steps.iter_mut())
}

/// One correction of `spec` towards `observed`, given what `spec` produced (`simulated`).
pub fn correct(spec: &mut ScenarioSpec, observed: &Tally, simulated: &Tally) {
    for (i, (obs, sim)) in observed
        .segments
        .iter()
        .zip(&simulated.segments)
        .enumerate()
    {
        for (step, (o, s)) in steps_mut(spec, i).zip(obs.steps.iter().zip(&sim.steps)) {
            if let (Some(ho), Some(hs)) = (o.hazard_counts(), s.hazard_counts()) {
                step.loss_probability = corrected(step.loss_probability, ho, hs);
            }
            if step.skip_probability > 0.0 {
                if let (Some(ko), Some(ks)) = (o.skip_counts(), s.skip_counts()) {
                    step.skip_probability = corrected(step.skip_probability, ko, ks);
                }
            }
            // Compare like with like: the history's timing measure on both sides.
            let (od, clock) = o.timing(MIN_DURATIONS, false);
            let (sd, _) = s.timing(MIN_DURATIONS, clock);
            if let Some(d) = respread(step.duration, od, sd) {
                step.duration = d;
            }
            if let (Some(mo), Some(ms)) = (median(od), median(sd)) {
                if mo > 0.0 && ms > 0.0 && !matches!(step.duration, DistSpec::Beta { .. }) {
                    if let Some(d) = scaled(step.duration, mo / ms) {
                        step.duration = d;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_trigamma_inverts() {
        for x in [0.05, 0.7, 1.0, 3.0, 40.0, 2000.0] {
            let y = trigamma(x);
            assert!((inverse_trigamma(y) / x - 1.0).abs() < 1e-9, "{x}");
        }
    }

    #[test]
    fn corrections_move_rates_by_the_log_odds_gap() {
        // Simulated 10% where 20% was observed, on 100,000 deals: the log-odds rise by
        // logit(.2) − logit(.1) up to the ½ corrections and a shrinkage of 1 − 1.7e-4.
        let p = corrected(0.1, (20_000, 100_000), (10_000, 100_000));
        assert!((p - 0.2).abs() < 1e-4, "{p}");
        let p = corrected(0.3, (20_000, 100_000), (20_000, 100_000));
        assert!((p - 0.3).abs() < 1e-12);
    }

    #[test]
    fn a_rare_steps_correction_is_shrunk_by_its_noise() {
        // History 2 lost of 29, re-simulation 0 of 40 (taken as ½ of 40): logits
        // ln(2/27) = −2.6027 and ln(0.5/39.5) = −4.3694, gap 1.7667; variance 1/0.5 + 1/40.5
        // = 2.0247; shrinkage 1 − 2.0247/1.7667² = 0.3513: the log-odds rise by 0.6206, not by
        // the unshrunk 6.6 to 0 losses at the 1e-4 floor.
        let p = corrected(0.05, (2, 29), (0, 40));
        let expected = 1.0 / (1.0 + (-(logit(0.05) + 0.6206)).exp());
        assert!((p - expected).abs() < 1e-4, "{p} vs {expected}");
        // 1 of 40 against 0 of 40: a gap of 0.71 within its noise (0.71² < 2.02) moves nothing.
        assert!((corrected(0.05, (1, 40), (0, 40)) - 0.05).abs() < 1e-12);
        // A step the history never lost a deal at is driven to the floor.
        assert!(corrected(0.05, (0, 29), (0, 40)) < 0.01);
    }

    #[test]
    fn respread_matches_the_log_spread() {
        // Simulated spread larger than observed by a known amount: σ² drops by the gap.
        let obs: Vec<f64> = [-0.6745, 0.6745]
            .iter()
            .map(|z: &f64| (0.5 * z).exp())
            .collect();
        let sim: Vec<f64> = [-0.6745, 0.6745]
            .iter()
            .map(|z: &f64| (0.8 * z).exp())
            .collect();
        let Some(DistSpec::Lognormal { mu, sigma }) = respread(
            DistSpec::Lognormal {
                mu: 1.0,
                sigma: 0.6,
            },
            &obs,
            &sim,
        ) else {
            panic!()
        };
        assert_eq!(mu, 1.0);
        // Two points ±0.6745 s on the log scale: their interpolated IQR is half the range.
        let iqr = |s: f64| 0.6745 * s / 1.349;
        let want = (0.36 + iqr(0.5).powi(2) - iqr(0.8).powi(2)).sqrt();
        assert!((sigma - want).abs() < 1e-12, "{sigma} vs {want}");
    }
}
