//! The stratified bootstrap over deals, shared by every landmark and indicator.
//!
//! A replicate draws, within each stratum (segment × final outcome), as many deals as the
//! stratum holds, with replacement; a deal's weight is how often it was drawn. Stratifying
//! keeps every replicate's class balance equal to the data's, so no replicate lacks a class.
//! Using the same multiplicities for all landmarks and indicators makes curves and paired
//! differences coherent. Streams derive from (seed, replicate): deterministic, any threads.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// Replicates drawn in parallel at a time.
const BLOCK: usize = 16;

/// Deal multiplicities of every replicate, stored deal-major (`replicates` bytes per deal) so
/// that scoring reads one contiguous row per deal and updates all replicates at once.
/// A multiplicity saturates at 255 (a deal drawn 256 times in one replicate has probability
/// below 1e-500 for any stratum size).
#[derive(Debug, Clone)]
pub struct Bootstrap {
    replicates: usize,
    weights: Vec<u8>,
}

impl Bootstrap {
    /// `strata[deal]` is the deal's stratum id.
    pub fn new(strata: &[u32], replicates: usize, seed: u64) -> Bootstrap {
        if replicates == 0 {
            // Point estimates only: nothing to draw, no pass over the deals.
            return Bootstrap {
                replicates,
                weights: Vec::new(),
            };
        }
        let mut members: Vec<Vec<u32>> = Vec::new();
        for (i, &s) in strata.iter().enumerate() {
            if members.len() <= s as usize {
                members.resize(s as usize + 1, Vec::new());
            }
            members[s as usize].push(i as u32);
        }
        // Replicates are drawn in parallel, a block at a time, each into its own column of
        // multiplicities; the block is then transposed into the deal-major rows.
        let n = strata.len();
        let mut weights = vec![0u8; n * replicates];
        let draw = |b: usize, col: &mut [u8]| {
            col.fill(0);
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(b as u64 + 1);
            for m in &members {
                for _ in 0..m.len() {
                    let w = &mut col[m[rng.random_range(0..m.len())] as usize];
                    *w = w.saturating_add(1);
                }
            }
        };
        let block = BLOCK.min(replicates);
        let mut columns = vec![0u8; n * block];
        for b0 in (0..replicates).step_by(BLOCK.max(1)) {
            let width = block.min(replicates - b0);
            columns[..n * width]
                .par_chunks_mut(n.max(1))
                .enumerate()
                .for_each(|(j, col)| draw(b0 + j, col));
            let columns = &columns;
            weights
                .par_chunks_mut(replicates * 4096)
                .enumerate()
                .for_each(|(c, rows)| {
                    for (d, row) in rows.chunks_exact_mut(replicates).enumerate() {
                        let deal = c * 4096 + d;
                        for (j, w) in row[b0..b0 + width].iter_mut().enumerate() {
                            *w = columns[j * n + deal];
                        }
                    }
                });
        }
        Bootstrap {
            replicates,
            weights,
        }
    }

    pub fn replicates(&self) -> usize {
        self.replicates
    }

    /// Multiplicities of `deal` in every replicate.
    #[inline]
    pub fn row(&self, deal: usize) -> &[u8] {
        &self.weights[deal * self.replicates..(deal + 1) * self.replicates]
    }

    /// Multiplicity of `deal` in replicate `b`.
    #[inline]
    pub fn weight(&self, deal: usize, b: usize) -> u8 {
        self.weights[deal * self.replicates + b]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strata_keep_their_sizes_and_runs_repeat() {
        let strata = [0, 0, 0, 1, 1, 2];
        let b = Bootstrap::new(&strata, 50, 9);
        for r in 0..50 {
            let w: Vec<u32> = (0..6).map(|d| b.weight(d, r) as u32).collect();
            assert_eq!(w[..3].iter().sum::<u32>(), 3);
            assert_eq!(w[3..5].iter().sum::<u32>(), 2);
            assert_eq!(w[5], 1);
            assert_eq!(b.row(4)[r], b.weight(4, r));
        }
        assert_eq!(b.weights, Bootstrap::new(&strata, 50, 9).weights);
        assert_ne!(b.weights, Bootstrap::new(&strata, 50, 10).weights);
    }
}
