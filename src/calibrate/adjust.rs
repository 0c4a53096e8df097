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
//! - the loss probability's log-odds by `logit(observed hazard) − logit(simulated hazard)`,
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

/// Moves probability `p` so that the simulated rate moves from `simulated` to `observed`.
fn corrected(p: f64, observed: f64, simulated: f64) -> f64 {
    sigmoid(logit(p) + logit(observed) - logit(simulated))
        .clamp(PROBABILITY_FLOOR, 1.0 - PROBABILITY_FLOOR)
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
            if let (Some(ho), Some(hs)) = (o.hazard(), s.hazard()) {
                step.loss_probability = corrected(step.loss_probability, ho, hs);
            }
            if step.skip_probability > 0.0 {
                if let (Some(ko), Some(ks)) = (o.skip_rate(), s.skip_rate()) {
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
        // Simulated 10% where 20% was observed: the log-odds rise by logit(.2) − logit(.1).
        let p = corrected(0.1, 0.2, 0.1);
        assert!((p - 0.2).abs() < 1e-12);
        let p = corrected(0.3, 0.2, 0.2);
        assert!((p - 0.3).abs() < 1e-12);
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
