//! Turning a [`DistSpec`] into something the engine can sample from, with parameter checks.

use rand::Rng;
use rand_distr::{Beta, Distribution, Exp, Gamma, LogNormal, Normal, Triangular, Uniform};

use super::spec::DistSpec;

/// A validated distribution. Sampling never fails; construction checks every parameter.
#[derive(Debug, Clone, Copy)]
pub struct Sampler {
    kind: Kind,
    mean: f64,
    median: f64,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    LogNormal(LogNormal<f64>),
    Gamma(Gamma<f64>),
    Normal(Normal<f64>),
    Uniform(Uniform<f64>),
    Exp(Exp<f64>),
    Triangular(Triangular<f64>),
    Beta(Beta<f64>),
    Constant(f64),
}

/// What a distribution is used for decides which values it may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Durations, intervals, money: values must be > 0. A normal is accepted when
    /// mean − 3·std_dev is ≥ 0 (its rarer negative tail is clamped by
    /// [`Sampler::sample_at_least`]).
    Positive,
    /// Non-negative amounts such as a number of days that may be zero.
    NonNegative,
    /// Shares such as discipline: values must lie in [0, 1].
    UnitInterval,
}

/// The median of `spec`, whose mean is `mean`: exact for the lognormal (`exp(mu)`), the
/// exponential (`mean·ln 2`) and the symmetric families (normal, uniform, constant); the
/// Wilson–Hilferty approximation `shape·scale·(1 − 1/(9·shape))³` for the gamma (within 1%
/// from shape 1; below it, where the approximation falls off, floored at 0); the mean for
/// the triangular and the beta, near their medians.
fn median_of(spec: &DistSpec, mean: f64) -> f64 {
    match *spec {
        DistSpec::Lognormal { mu, .. } => mu.exp(),
        DistSpec::Exponential { mean } => mean * std::f64::consts::LN_2,
        DistSpec::Gamma { shape, scale } => {
            shape * scale * (1.0 - 1.0 / (9.0 * shape)).max(0.0).powi(3)
        }
        _ => mean,
    }
}

/// A normal's range is taken as mean ± this many standard deviations (99.7% of the draws).
const NORMAL_RANGE: f64 = 3.0;

fn finite(name: &str, v: f64) -> Result<(), String> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(format!("`{name}` must be a finite number, got {v}"))
    }
}

/// Draws further out than this many standard deviations (normal, lognormal's exponent) or
/// means (exponential and gamma tails) are taken never to happen: P(Z > 10) ≈ 8e-24 and
/// e^-50 ≈ 2e-22 per draw, while a simulation draws some billions at most.
const TAIL: f64 = 10.0;

/// `v` (a distribution's mean, or the furthest value its draws reach, given as `what`) must
/// be a finite number: parameters that are each finite can still overflow (a lognormal's
/// `exp(mu + sigma²/2)` for mu = 800), and an infinite deal value or duration would be
/// written to the log, which no reader accepts.
fn computable(what: &str, params: &str, v: f64) -> Result<(), String> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(format!(
            "{what} is not a finite number with {params}: choose parameters that keep it finite"
        ))
    }
}

/// `v` as a person would write it in the scenario: `800`, `0.5`, but `1e200` rather than
/// two hundred digits.
pub(super) fn short(v: f64) -> String {
    if v != 0.0 && !(1e-4..1e16).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

fn positive(name: &str, v: f64) -> Result<(), String> {
    finite(name, v)?;
    if v > 0.0 {
        Ok(())
    } else {
        Err(format!("`{name}` must be > 0, got {v}"))
    }
}

impl Sampler {
    /// Builds the sampler, or says in words which parameter is wrong and why.
    pub fn new(spec: &DistSpec, support: Support) -> Result<Sampler, String> {
        // (kind, lowest value, highest value, mean)
        let (kind, lo, hi, mean) = match *spec {
            DistSpec::Lognormal { mu, sigma } => {
                finite("mu", mu)?;
                positive("sigma", sigma)?;
                let d = LogNormal::new(mu, sigma).map_err(|e| e.to_string())?;
                let params = format!("mu = {}, sigma = {}", short(mu), short(sigma));
                let mean = (mu + sigma * sigma / 2.0).exp();
                computable("the mean exp(mu + sigma²/2)", &params, mean)?;
                let reach = (mu + TAIL * sigma).exp();
                computable("the draws' reach exp(mu + 10·sigma)", &params, reach)?;
                (Kind::LogNormal(d), 0.0, f64::INFINITY, mean)
            }
            DistSpec::Gamma { shape, scale } => {
                positive("shape", shape)?;
                positive("scale", scale)?;
                let d = Gamma::new(shape, scale).map_err(|e| e.to_string())?;
                let params = format!("shape = {}, scale = {}", short(shape), short(scale));
                computable("the mean shape·scale", &params, shape * scale)?;
                let reach = scale * (shape + TAIL * shape.sqrt() + 5.0 * TAIL);
                computable(
                    "the draws' reach scale·(shape + 10·√shape + 50)",
                    &params,
                    reach,
                )?;
                (Kind::Gamma(d), 0.0, f64::INFINITY, shape * scale)
            }
            DistSpec::Normal { mean, std_dev } => {
                finite("mean", mean)?;
                positive("std_dev", std_dev)?;
                let d = Normal::new(mean, std_dev).map_err(|e| e.to_string())?;
                let reach = mean.abs() + TAIL * std_dev;
                computable(
                    "the draws' reach |mean| + 10·std_dev",
                    &format!("mean = {}, std_dev = {}", short(mean), short(std_dev)),
                    reach,
                )?;
                // Judged by where 99.7% of its draws fall, mean ± 3·std_dev: its rarer tail is
                // clamped, but a wider spread would clamp many draws onto a bound (a discipline
                // of mean 0.5, std_dev 5 made every rep's 0 or 1).
                let spread = NORMAL_RANGE * std_dev;
                (Kind::Normal(d), mean - spread, mean + spread, mean)
            }
            DistSpec::Uniform { low, high } => {
                finite("low", low)?;
                finite("high", high)?;
                if high <= low {
                    return Err(format!(
                        "`high` must be > `low`, got low={low}, high={high}"
                    ));
                }
                computable(
                    "the width high − low",
                    &format!("low = {}, high = {}", short(low), short(high)),
                    high - low,
                )?;
                let d = Uniform::new(low, high).map_err(|e| e.to_string())?;
                (Kind::Uniform(d), low, high, (low + high) / 2.0)
            }
            DistSpec::Exponential { mean } => {
                positive("mean", mean)?;
                computable(
                    "the draws' reach 50·mean",
                    &format!("mean = {}", short(mean)),
                    5.0 * TAIL * mean,
                )?;
                let d = Exp::new(1.0 / mean).map_err(|e| e.to_string())?;
                (Kind::Exp(d), 0.0, f64::INFINITY, mean)
            }
            DistSpec::Triangular { min, max, mode } => {
                finite("min", min)?;
                finite("max", max)?;
                finite("mode", mode)?;
                if !(min <= mode && mode <= max && min < max) {
                    return Err(format!(
                        "need min <= mode <= max and min < max, got min={min}, mode={mode}, max={max}"
                    ));
                }
                let params = format!(
                    "min = {}, mode = {}, max = {}",
                    short(min),
                    short(mode),
                    short(max)
                );
                computable("the width max − min", &params, max - min)?;
                computable("the mean (min + mode + max)/3", &params, min + mode + max)?;
                let d = Triangular::new(min, max, mode).map_err(|e| e.to_string())?;
                (Kind::Triangular(d), min, max, (min + max + mode) / 3.0)
            }
            DistSpec::Beta { alpha, beta } => {
                positive("alpha", alpha)?;
                positive("beta", beta)?;
                let d = Beta::new(alpha, beta).map_err(|e| e.to_string())?;
                (Kind::Beta(d), 0.0, 1.0, alpha / (alpha + beta))
            }
            DistSpec::Constant { value } => {
                finite("value", value)?;
                (Kind::Constant(value), value, value, value)
            }
        };
        let constant = matches!(kind, Kind::Constant(_));
        let how = if matches!(kind, Kind::Normal(_)) {
            " (a normal's range is taken as mean ± 3·std_dev; beta or gamma keep to theirs)"
        } else {
            ""
        };
        match support {
            Support::Positive if lo < 0.0 || (constant && lo <= 0.0) => Err(format!(
                "values must be > 0 (a duration or an amount), but this distribution reaches {lo}{how}"
            )),
            Support::NonNegative if lo < 0.0 => Err(format!(
                "values must be >= 0, but this distribution reaches {lo}{how}"
            )),
            Support::UnitInterval if lo < 0.0 || hi > 1.0 => Err(format!(
                "values must lie in [0, 1], but this distribution ranges over [{lo}, {hi}]{how}"
            )),
            _ => Ok(Sampler {
                kind,
                mean,
                median: median_of(spec, mean),
            }),
        }
    }

    /// The distribution's median, exactly or nearly: the size a person has in mind when
    /// writing it (a lognormal's `mu = 2.5` is "about 12 days"), which a heavy tail does not
    /// inflate as it does the mean (a fitted lognormal of sigma 3 has its mean 90 times its
    /// median).
    pub fn median(&self) -> f64 {
        self.median
    }

    /// The distribution's mean (used for segment norms such as the rep's expected cycle).
    pub fn mean(&self) -> f64 {
        self.mean
    }

    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.kind {
            Kind::LogNormal(d) => d.sample(rng),
            Kind::Gamma(d) => d.sample(rng),
            Kind::Normal(d) => d.sample(rng),
            Kind::Uniform(d) => d.sample(rng),
            Kind::Exp(d) => d.sample(rng),
            Kind::Triangular(d) => d.sample(rng),
            Kind::Beta(d) => d.sample(rng),
            Kind::Constant(v) => *v,
        }
    }

    /// Sample for a positive quantity: a normal's rare negative tail is clamped to `floor`.
    #[inline]
    pub fn sample_at_least<R: Rng + ?Sized>(&self, rng: &mut R, floor: f64) -> f64 {
        self.sample(rng).max(floor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn rejects_bad_parameters_with_the_parameter_name() {
        let e = Sampler::new(
            &DistSpec::Lognormal {
                mu: 1.0,
                sigma: -1.0,
            },
            Support::Positive,
        )
        .unwrap_err();
        assert!(e.contains("`sigma` must be > 0"), "{e}");
        let e = Sampler::new(&DistSpec::Constant { value: 0.0 }, Support::Positive).unwrap_err();
        assert!(e.contains("must be > 0"), "{e}");
        // A normal is judged by mean ± 3·std_dev: 0.5 ± 15 would clamp most draws onto 0 or 1.
        let normal = |mean: f64, std_dev: f64, support: Support| {
            Sampler::new(&DistSpec::Normal { mean, std_dev }, support)
        };
        let e = normal(0.5, 5.0, Support::UnitInterval).unwrap_err();
        assert!(
            e.contains("must lie in [0, 1], but this distribution ranges over [-14.5, 15.5]")
                && e.contains("mean ± 3·std_dev"),
            "{e}"
        );
        assert!(normal(0.5, 0.15, Support::UnitInterval).is_ok());
        assert!(normal(0.5, 0.2, Support::UnitInterval).is_err());
        assert!(normal(0.0, 5.0, Support::NonNegative).is_err());
        assert!(normal(0.0, 5.0, Support::Positive).is_err());
        assert!(normal(3.0, 1.0, Support::Positive).is_ok());
        assert!(normal(3.0, 1.01, Support::Positive).is_err());
        let e = Sampler::new(
            &DistSpec::Uniform {
                low: -1.0,
                high: 2.0,
            },
            Support::Positive,
        )
        .unwrap_err();
        assert!(e.contains("reaches -1"), "{e}");
        let e = Sampler::new(
            &DistSpec::Uniform {
                low: 0.0,
                high: 2.0,
            },
            Support::UnitInterval,
        )
        .unwrap_err();
        assert!(e.contains("[0, 1]"), "{e}");
    }

    /// Each parameter finite, the mean or the draws not: refused, with the formula and the
    /// parameters; the largest finite cases still pass.
    #[test]
    fn rejects_parameters_whose_mean_or_draws_overflow() {
        let refused = |spec: DistSpec, expected: &str| {
            let e = Sampler::new(&spec, Support::Positive).unwrap_err();
            assert!(e.contains(expected), "{spec:?}: {e}");
            assert!(e.ends_with("choose parameters that keep it finite"), "{e}");
        };
        refused(
            DistSpec::Lognormal {
                mu: 800.0,
                sigma: 2.0,
            },
            "the mean exp(mu + sigma²/2) is not a finite number with mu = 800, sigma = 2",
        );
        // Mean exp(702) is finite, but one draw in ~10^6 is beyond exp(709.8).
        refused(
            DistSpec::Lognormal {
                mu: 700.0,
                sigma: 2.0,
            },
            "the draws' reach exp(mu + 10·sigma) is not a finite number",
        );
        refused(
            DistSpec::Gamma {
                shape: 1e200,
                scale: 1e200,
            },
            "the mean shape·scale is not a finite number with shape = 1e200, scale = 1e200",
        );
        refused(
            DistSpec::Normal {
                mean: 1e308,
                std_dev: 1e308,
            },
            "the draws' reach |mean| + 10·std_dev",
        );
        refused(
            DistSpec::Exponential { mean: 1e307 },
            "the draws' reach 50·mean",
        );
        refused(
            DistSpec::Triangular {
                min: 1.0,
                mode: 1e308,
                max: 1.7e308,
            },
            "the mean (min + mode + max)/3",
        );
        let e = Sampler::new(
            &DistSpec::Uniform {
                low: -1e308,
                high: 1e308,
            },
            Support::NonNegative,
        )
        .unwrap_err();
        assert!(
            e.contains("the width high − low is not a finite number"),
            "{e}"
        );
        for fine in [
            DistSpec::Lognormal {
                mu: 600.0,
                sigma: 2.0,
            },
            DistSpec::Gamma {
                shape: 2.0,
                scale: 1e300,
            },
        ] {
            assert!(Sampler::new(&fine, Support::Positive).is_ok(), "{fine:?}");
        }
    }

    #[test]
    fn sample_means_match_the_stated_means() {
        // 200k draws: the standard error of each mean is < 0.5% of it, so 2% is > 4 sigma.
        let specs = [
            DistSpec::Lognormal {
                mu: 1.0,
                sigma: 0.5,
            },
            DistSpec::Gamma {
                shape: 2.0,
                scale: 3.0,
            },
            DistSpec::Exponential { mean: 4.0 },
            DistSpec::Triangular {
                min: 1.0,
                max: 9.0,
                mode: 2.0,
            },
            DistSpec::Beta {
                alpha: 4.0,
                beta: 2.0,
            },
            DistSpec::Uniform {
                low: 2.0,
                high: 6.0,
            },
        ];
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for spec in specs {
            let s = Sampler::new(&spec, Support::Positive).unwrap();
            let n = 200_000;
            let m: f64 = (0..n).map(|_| s.sample(&mut rng)).sum::<f64>() / n as f64;
            assert!(
                (m / s.mean() - 1.0).abs() < 0.02,
                "{spec:?}: {m} vs {}",
                s.mean()
            );
        }
    }
}
