//! The stratified bootstrap over deals, shared by every landmark and indicator.
//!
//! A replicate draws, within each stratum (segment × final outcome), as many deals as the
//! stratum holds, with replacement; a deal's weight is how often it was drawn. Stratifying
//! keeps every replicate's class balance equal to the data's, so no replicate lacks a class.
//! Using the same multiplicities for all landmarks and indicators makes curves and paired
//! differences coherent. Streams derive from (seed, replicate): deterministic, any threads.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Per-replicate deal multiplicities (`weights[b][deal]`).
#[derive(Debug, Clone)]
pub struct Bootstrap {
    pub weights: Vec<Vec<u16>>,
}

impl Bootstrap {
    /// `strata[deal]` is the deal's stratum id.
    pub fn new(strata: &[u32], replicates: usize, seed: u64) -> Bootstrap {
        let mut members: Vec<Vec<u32>> = Vec::new();
        for (i, &s) in strata.iter().enumerate() {
            if members.len() <= s as usize {
                members.resize(s as usize + 1, Vec::new());
            }
            members[s as usize].push(i as u32);
        }
        let weights = (0..replicates)
            .map(|b| {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                rng.set_stream(b as u64 + 1);
                let mut w = vec![0u16; strata.len()];
                for m in &members {
                    for _ in 0..m.len() {
                        let pick = m[rng.random_range(0..m.len())] as usize;
                        w[pick] = w[pick].saturating_add(1);
                    }
                }
                w
            })
            .collect();
        Bootstrap { weights }
    }
}

/// The `q`-quantile (0..=1) of `values` by linear interpolation between order statistics
/// (NumPy's default `percentile` method), ignoring NaN; `None` when nothing remains.
pub fn quantile(values: &mut Vec<f64>, q: f64) -> Option<f64> {
    values.retain(|v| !v.is_nan());
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let pos = q * (values.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    Some(values[lo] + (values[hi] - values[lo]) * (pos - lo as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strata_keep_their_sizes_and_runs_repeat() {
        let strata = [0, 0, 0, 1, 1, 2];
        let b = Bootstrap::new(&strata, 50, 9);
        for w in &b.weights {
            assert_eq!(w[..3].iter().sum::<u16>(), 3);
            assert_eq!(w[3..5].iter().sum::<u16>(), 2);
            assert_eq!(w[5], 1);
        }
        assert_eq!(b.weights, Bootstrap::new(&strata, 50, 9).weights);
        assert_ne!(b.weights, Bootstrap::new(&strata, 50, 10).weights);
    }

    #[test]
    fn quantile_matches_numpy_linear() {
        // numpy.percentile([1, 2, 3, 4], [2.5, 50, 97.5]) = [1.075, 2.5, 3.925]
        let mut v = vec![4.0, 1.0, 3.0, 2.0];
        assert!((quantile(&mut v, 0.025).unwrap() - 1.075).abs() < 1e-12);
        assert!((quantile(&mut v, 0.5).unwrap() - 2.5).abs() < 1e-12);
        assert!((quantile(&mut v, 0.975).unwrap() - 3.925).abs() < 1e-12);
    }
}
