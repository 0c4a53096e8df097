//! Maximum-likelihood fits of the engine's distribution families, and choice by AIC.
//!
//! Each family is fitted with its location fixed where the engine has none (lognormal,
//! gamma, exponential start at 0; beta lives on [0, 1]), which is what
//! `scipy.stats.<family>.fit(x, floc=0)` (and `fscale=1` for beta) computes; the committed
//! fixtures in `tests/oracle/fit_cases.json` check every family against scipy.
//!
//! - lognormal, normal, exponential, uniform: closed forms (the MLE variance divides by n);
//! - gamma: Newton on `ln k − ψ(k) = ln x̄ − mean(ln x)` (Minka 2002 start), scale `x̄ / k`;
//! - beta: two-dimensional Newton on the digamma equations from a method-of-moments start;
//! - triangular: its likelihood has no maximum at finite, sample-bounded endpoints (a point on
//!   an endpoint has density 0 unless the mode is there), so the endpoints are the usual
//!   extension of the sample range by one average spacing, `x(1) − R/(n−1)` and
//!   `x(n) + R/(n−1)` (floored at 0 for positive data), and the mode is the exact conditional
//!   MLE, which lies on an order statistic (Oliver 1972): all n candidates are evaluated with
//!   prefix sums.
//!
//! The best family is the one with the smallest AIC = 2k − 2 ln L (Akaike 1974), among those
//! the engine accepts for the quantity's [`Support`].

use crate::scenario::spec::DistSpec;
use crate::scenario::{Sampler, Support};

use super::special::{digamma, ln_gamma, trigamma};

/// The engine's distribution families that can be fitted to data (not `constant`, which is
/// what data without spread becomes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Lognormal,
    Gamma,
    Exponential,
    Normal,
    Uniform,
    Triangular,
    Beta,
}

impl Family {
    pub const ALL: [Family; 7] = [
        Family::Lognormal,
        Family::Gamma,
        Family::Exponential,
        Family::Normal,
        Family::Uniform,
        Family::Triangular,
        Family::Beta,
    ];
}

/// A fitted distribution with its maximised log-likelihood.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    pub spec: DistSpec,
    pub log_likelihood: f64,
    /// Number of free parameters (k in the AIC).
    pub parameters: usize,
}

impl Fit {
    /// Akaike's information criterion, 2k − 2 ln L: lower is better.
    pub fn aic(&self) -> f64 {
        2.0 * self.parameters as f64 - 2.0 * self.log_likelihood
    }
}

const LN_2PI: f64 = 1.837_877_066_409_345_5;

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Mean and MLE standard deviation (divides by n).
fn mean_sd(x: &[f64]) -> (f64, f64) {
    let m = mean(x);
    let v = x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / x.len() as f64;
    (m, v.sqrt())
}

fn normal_log_likelihood(x: &[f64], m: f64, sd: f64) -> f64 {
    let n = x.len() as f64;
    let ss: f64 = x.iter().map(|v| (v - m) * (v - m)).sum();
    -0.5 * n * (LN_2PI + 2.0 * sd.ln()) - ss / (2.0 * sd * sd)
}

fn fit_lognormal(x: &[f64]) -> Option<Fit> {
    let logs: Vec<f64> = x.iter().map(|v| v.ln()).collect();
    let (mu, sigma) = mean_sd(&logs);
    (sigma > 0.0).then(|| Fit {
        spec: DistSpec::Lognormal { mu, sigma },
        log_likelihood: normal_log_likelihood(&logs, mu, sigma) - logs.iter().sum::<f64>(),
        parameters: 2,
    })
}

fn gamma_log_likelihood(x: &[f64], shape: f64, scale: f64) -> f64 {
    let n = x.len() as f64;
    let sum_ln: f64 = x.iter().map(|v| v.ln()).sum();
    let sum: f64 = x.iter().sum();
    (shape - 1.0) * sum_ln - sum / scale - n * (ln_gamma(shape) + shape * scale.ln())
}

fn fit_gamma(x: &[f64]) -> Option<Fit> {
    let m = mean(x);
    let s = m.ln() - x.iter().map(|v| v.ln()).sum::<f64>() / x.len() as f64;
    if !(s > 0.0 && s.is_finite()) {
        return None; // no spread (or a zero): the likelihood has no finite maximum
    }
    let mut k = (3.0 - s + ((s - 3.0) * (s - 3.0) + 24.0 * s).sqrt()) / (12.0 * s);
    for _ in 0..100 {
        let f = k.ln() - digamma(k) - s;
        let df = 1.0 / k - trigamma(k);
        let next = k - f / df;
        let next = if next > 0.0 { next } else { k / 2.0 };
        let done = (next - k).abs() <= 1e-14 * k;
        k = next;
        if done {
            break;
        }
    }
    let scale = m / k;
    Some(Fit {
        spec: DistSpec::Gamma { shape: k, scale },
        log_likelihood: gamma_log_likelihood(x, k, scale),
        parameters: 2,
    })
}

fn fit_exponential(x: &[f64]) -> Option<Fit> {
    let m = mean(x);
    (m > 0.0).then(|| Fit {
        spec: DistSpec::Exponential { mean: m },
        log_likelihood: -(x.len() as f64) * (m.ln() + 1.0),
        parameters: 1,
    })
}

fn fit_normal(x: &[f64]) -> Option<Fit> {
    let (m, sd) = mean_sd(x);
    (sd > 0.0).then(|| Fit {
        spec: DistSpec::Normal {
            mean: m,
            std_dev: sd,
        },
        log_likelihood: normal_log_likelihood(x, m, sd),
        parameters: 2,
    })
}

fn min_max(x: &[f64]) -> (f64, f64) {
    x.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        })
}

fn fit_uniform(x: &[f64]) -> Option<Fit> {
    let (low, high) = min_max(x);
    (high > low).then(|| Fit {
        spec: DistSpec::Uniform { low, high },
        log_likelihood: -(x.len() as f64) * (high - low).ln(),
        parameters: 2,
    })
}

/// Triangular fit; `floor` bounds the lower endpoint (0 for positive quantities).
fn fit_triangular(x: &[f64], floor: f64) -> Option<Fit> {
    let n = x.len();
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    let (lo, hi) = (s[0], s[n - 1]);
    if n < 3 || hi <= lo {
        return None;
    }
    let spacing = (hi - lo) / (n - 1) as f64;
    let (a, b) = ((lo - spacing).max(floor), hi + spacing);
    if a >= lo {
        return None; // a point on the lower endpoint has density 0 unless the mode is there
    }
    // left[i] = Σ_{j<=i} ln(x_j − a); right[i] = Σ_{j>i} ln(b − x_j).
    let mut left = Vec::with_capacity(n);
    let mut acc = 0.0;
    for v in &s {
        acc += (v - a).ln();
        left.push(acc);
    }
    let mut right = vec![0.0; n];
    let mut acc = 0.0;
    for i in (0..n - 1).rev() {
        acc += (b - s[i + 1]).ln();
        right[i] = acc;
    }
    let base = n as f64 * (2f64.ln() - (b - a).ln());
    let (mut best, mut best_ll) = (s[0], f64::NEG_INFINITY);
    for i in 0..n {
        let c = s[i];
        let below = (i + 1) as f64;
        let ll =
            base + left[i] - below * (c - a).ln() + right[i] - (n as f64 - below) * (b - c).ln();
        if ll > best_ll {
            (best, best_ll) = (c, ll);
        }
    }
    Some(Fit {
        spec: DistSpec::Triangular {
            min: a,
            max: b,
            mode: best,
        },
        log_likelihood: best_ll,
        parameters: 3,
    })
}

fn beta_log_likelihood(n: f64, sum_ln: f64, sum_ln1m: f64, a: f64, b: f64) -> f64 {
    (a - 1.0) * sum_ln + (b - 1.0) * sum_ln1m - n * (ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b))
}

fn fit_beta(x: &[f64]) -> Option<Fit> {
    if x.iter().any(|&v| !(v > 0.0 && v < 1.0)) {
        return None;
    }
    let n = x.len() as f64;
    let (m, sd) = mean_sd(x);
    let v = sd * sd;
    if v <= 0.0 {
        return None;
    }
    let l1 = x.iter().map(|v| v.ln()).sum::<f64>() / n;
    let l2 = x.iter().map(|v| (1.0 - v).ln()).sum::<f64>() / n;
    // Method of moments start; a small common value if the moments do not give one.
    let common = (m * (1.0 - m) / v - 1.0).max(0.1);
    let (mut a, mut b) = (m * common, (1.0 - m) * common);
    for _ in 0..200 {
        let (g1, g2) = (
            digamma(a) - digamma(a + b) - l1,
            digamma(b) - digamma(a + b) - l2,
        );
        let t = trigamma(a + b);
        let (j11, j22) = (trigamma(a) - t, trigamma(b) - t);
        let det = j11 * j22 - t * t;
        let da = (j22 * g1 + t * g2) / det;
        let db = (t * g1 + j11 * g2) / det;
        // Halve the step until both parameters stay positive.
        let mut step = 1.0;
        while a - step * da <= 0.0 || b - step * db <= 0.0 {
            step /= 2.0;
        }
        let (na, nb) = (a - step * da, b - step * db);
        let done = (na - a).abs() <= 1e-14 * a && (nb - b).abs() <= 1e-14 * b;
        (a, b) = (na, nb);
        if done {
            break;
        }
    }
    let sum_ln1m = l2 * n;
    Some(Fit {
        spec: DistSpec::Beta { alpha: a, beta: b },
        log_likelihood: beta_log_likelihood(n, l1 * n, sum_ln1m, a, b),
        parameters: 2,
    })
}

/// The maximum-likelihood fit of `family` to `data`, or `None` when the family cannot
/// describe the data (values outside its support, no spread, fewer than 2 values).
pub fn fit(family: Family, data: &[f64]) -> Option<Fit> {
    if data.len() < 2 || data.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let positive = data.iter().all(|&v| v > 0.0);
    match family {
        Family::Lognormal if positive => fit_lognormal(data),
        Family::Gamma if positive => fit_gamma(data),
        Family::Exponential if positive => fit_exponential(data),
        Family::Normal => fit_normal(data),
        Family::Uniform => fit_uniform(data),
        Family::Triangular => {
            let floor = if positive { 0.0 } else { f64::NEG_INFINITY };
            fit_triangular(data, floor)
        }
        Family::Beta => fit_beta(data),
        _ => None,
    }
}

/// The family with the smallest AIC among those whose fit the engine accepts for `support`;
/// data without spread becomes a `constant`. `None` for no data or non-finite data.
pub fn fit_best(data: &[f64], support: Support) -> Option<Fit> {
    let first = *data.first()?;
    if data.iter().any(|v| !v.is_finite()) {
        return None;
    }
    if data.iter().all(|&v| v == first) {
        let spec = DistSpec::Constant { value: first };
        return Sampler::new(&spec, support).ok().map(|_| Fit {
            spec,
            log_likelihood: 0.0,
            parameters: 1,
        });
    }
    Family::ALL
        .iter()
        .filter_map(|&f| fit(f, data))
        .filter(|f| f.log_likelihood.is_finite() && Sampler::new(&f.spec, support).is_ok())
        .min_by(|a, b| a.aic().total_cmp(&b.aic()))
}

/// The distribution of `factor × X` for `X ~ spec`, when it stays in the family (every
/// family but beta, whose support is fixed to [0, 1]).
pub fn scaled(spec: DistSpec, factor: f64) -> Option<DistSpec> {
    Some(match spec {
        DistSpec::Lognormal { mu, sigma } => DistSpec::Lognormal {
            mu: mu + factor.ln(),
            sigma,
        },
        DistSpec::Gamma { shape, scale } => DistSpec::Gamma {
            shape,
            scale: scale * factor,
        },
        DistSpec::Normal { mean, std_dev } => DistSpec::Normal {
            mean: mean * factor,
            std_dev: std_dev * factor,
        },
        DistSpec::Uniform { low, high } => DistSpec::Uniform {
            low: low * factor,
            high: high * factor,
        },
        DistSpec::Exponential { mean } => DistSpec::Exponential {
            mean: mean * factor,
        },
        DistSpec::Triangular { min, max, mode } => DistSpec::Triangular {
            min: min * factor,
            max: max * factor,
            mode: mode * factor,
        },
        DistSpec::Constant { value } => DistSpec::Constant {
            value: value * factor,
        },
        DistSpec::Beta { .. } => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_closed_forms() {
        // x = 1, 2, 4: mean 7/3; ln x = 0, ln 2, 2 ln 2 → mu = ln 2, sigma² = (2/3)(ln 2)².
        let x = [1.0, 2.0, 4.0];
        let l2 = 2f64.ln();
        match fit(Family::Lognormal, &x).unwrap().spec {
            DistSpec::Lognormal { mu, sigma } => {
                assert!((mu - l2).abs() < 1e-15);
                assert!((sigma - l2 * (2.0f64 / 3.0).sqrt()).abs() < 1e-15);
            }
            other => panic!("{other:?}"),
        }
        let e = fit(Family::Exponential, &x).unwrap();
        assert_eq!(e.spec, DistSpec::Exponential { mean: 7.0 / 3.0 });
        assert!((e.log_likelihood + 3.0 * ((7.0f64 / 3.0).ln() + 1.0)).abs() < 1e-14);
        let u = fit(Family::Uniform, &x).unwrap();
        assert_eq!(
            u.spec,
            DistSpec::Uniform {
                low: 1.0,
                high: 4.0
            }
        );
        assert!((u.log_likelihood + 3.0 * 3f64.ln()).abs() < 1e-15);
        // Triangular: R = 3, n = 3 → endpoints 1 − 1.5 floored at 0 and 5.5.
        match fit(Family::Triangular, &x).unwrap().spec {
            DistSpec::Triangular { min, max, .. } => assert_eq!((min, max), (0.0, 5.5)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn gamma_solves_its_likelihood_equation() {
        let x = [0.5, 1.2, 2.0, 3.3, 0.8, 5.1, 2.2];
        let f = fit(Family::Gamma, &x).unwrap();
        let DistSpec::Gamma { shape, scale } = f.spec else {
            panic!()
        };
        let s = mean(&x).ln() - x.iter().map(|v| v.ln()).sum::<f64>() / 7.0;
        assert!((shape.ln() - digamma(shape) - s).abs() < 1e-12);
        assert!((shape * scale - mean(&x)).abs() < 1e-12);
        // A maximum: nudging either parameter lowers the likelihood.
        for (k, t) in [(shape * 1.01, scale), (shape, scale * 0.99)] {
            assert!(gamma_log_likelihood(&x, k, t) < f.log_likelihood);
        }
    }

    #[test]
    fn best_family_recovers_the_generating_one() {
        use rand::SeedableRng;
        use rand_distr::{Distribution, Gamma, LogNormal};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let ln: Vec<f64> = (0..5000)
            .map(|_| LogNormal::new(1.0, 0.8).unwrap().sample(&mut rng))
            .collect();
        let best = fit_best(&ln, Support::Positive).unwrap();
        assert!(matches!(best.spec, DistSpec::Lognormal { .. }), "{best:?}");
        let g: Vec<f64> = (0..5000)
            .map(|_| Gamma::new(4.0, 3.0).unwrap().sample(&mut rng))
            .collect();
        let best = fit_best(&g, Support::Positive).unwrap();
        assert!(matches!(best.spec, DistSpec::Gamma { .. }), "{best:?}");
        assert_eq!(
            fit_best(&[2.0, 2.0], Support::Positive).unwrap().spec,
            DistSpec::Constant { value: 2.0 }
        );
    }

    #[test]
    fn scaling_scales_the_mean() {
        // One fit of every family; all but beta stay in their family when scaled. A narrow
        // spread, so that the normal's mean ± 3·std_dev stays positive.
        let x = [0.42, 0.47, 0.5, 0.52, 0.58];
        for family in Family::ALL {
            let s = fit(family, &x).unwrap().spec;
            let m = Sampler::new(&s, Support::Positive).unwrap().mean();
            let Some(t) = scaled(s, 1.7) else {
                assert_eq!(family, Family::Beta);
                continue;
            };
            let m2 = Sampler::new(&t, Support::Positive).unwrap().mean();
            assert!((m2 / m - 1.7).abs() < 1e-12, "{s:?}");
        }
    }
}
