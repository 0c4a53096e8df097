//! The stratified bootstrap over deals, shared by every landmark and indicator.
//!
//! A replicate draws, within each stratum (segment × final outcome), as many deals as the
//! stratum holds, with replacement; a deal's weight is how often it was drawn. Stratifying
//! keeps every replicate's class balance equal to the data's, so no replicate lacks a class.
//! Using the same multiplicities for all landmarks and indicators makes curves and paired
//! differences coherent. Streams derive from (seed, replicate): deterministic, any threads.
//!
//! Deals of one rep are not independent: the rep's habits (slow proposals, an empty card, an
//! optimistic forecast) shape all of them. [`Bootstrap::clustered`] draws whole clusters (a
//! rep's deals in a segment) instead, and every deal of a cluster carries the cluster's
//! multiplicity: the interval is then one for the figure over all reps working the same way,
//! not only over other deals of these reps ([`Cluster`]).

use clap::ValueEnum;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::first_seen::first_seen_ids;

/// Replicates drawn in parallel at a time.
const BLOCK: usize = 16;

/// What a bootstrap replicate resamples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Cluster {
    /// Deals, independently (within segment × outcome): the figures of these reps' deals,
    /// the team taken as given.
    #[default]
    Deal,
    /// Reps, with all their deals (within segment): the figures over all reps working the
    /// same way. Usually wider where reps' habits drive an indicator (narrower where a habit
    /// moves a rep's won and lost deals alike); with few reps per segment still too narrow,
    /// and shifted ([`FEW_CLUSTERS`]).
    Rep,
}

impl Cluster {
    /// The word for the resampled unit in texts ("deals", "reps").
    pub fn unit(self) -> &'static str {
        match self {
            Cluster::Deal => "deals",
            Cluster::Rep => "reps",
        }
    }
}

/// Below this many clusters in a stratum a cluster bootstrap's percentile interval covers the
/// figure over all clusters clearly less often than its level says, and users are warned. It
/// is too narrow (its variance is the cluster-robust one times (G − 1)/G) and shifted: a
/// pooled AUC over few reps is biased where reps shift an indicator without shifting losses
/// (their spread adds noise, and few reps spread less), and the replicates, over fewer
/// distinct reps still, more so. A simulation of that case (400 deals per rep, population AUC
/// about 0.70; `tests/scoring.rs`, 400 teams) found 95% intervals covering it in 68% of teams
/// of 6 reps, 78% of 9 and 85% of 12 (a stats review's Python: 70%, 79%, 81%, and 91% of 30),
/// the misses almost all with the lower bound above the truth; deal-level intervals covered it
/// in about 30% at every size. DeLong's intervals over reps (Obuchowski's variance with t, the
/// scores' default) cover it more often, 84% at 6 reps, 87% at 9 and 90% at 12, but under
/// nominal too, so the warning stands for them. A tuned rule's shares over reps take a
/// cluster-robust interval ([`super::cluster_ratio`]), closer to its level in a similar
/// simulation (recall about 95%, false-alarm rate 90-93% at 6-12 reps); its median lead time
/// keeps this bootstrap. The warning stands for both.
pub const FEW_CLUSTERS: usize = 30;

/// Below this many clusters no interval is given: two reps make three distinct bootstrap
/// replicates, whose percentiles are no interval at all, and DeLong's variance over reps would
/// rest on t with at most 3 degrees of freedom and a variance from as few sums.
pub const MIN_CLUSTERS: usize = 5;

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
    /// Deals drawn independently within strata: `strata[deal]` is the deal's stratum id.
    pub fn new(strata: &[u32], replicates: usize, seed: u64) -> Bootstrap {
        Bootstrap::draw(strata, None, replicates, seed)
    }

    /// Whole clusters drawn within strata, each deal weighted by its cluster's multiplicity:
    /// `cluster[deal]` names the deal's cluster and `strata[deal]` its stratum, the same for
    /// every deal of a cluster (else the cluster's first deal's stratum counts). Cluster
    /// names need not be dense; clusters are numbered in order of their first deal, so the
    /// draws do not depend on the names. With every deal its own cluster this is
    /// [`Bootstrap::new`], replicate for replicate.
    pub fn clustered(strata: &[u32], cluster: &[u64], replicates: usize, seed: u64) -> Bootstrap {
        let mut unit_strata = Vec::new();
        let unit = first_seen_ids(
            cluster.iter().zip(strata),
            |(&c, _)| c,
            |(_, &s)| unit_strata.push(s),
        );
        Bootstrap::draw(&unit_strata, Some(&unit), replicates, seed)
    }

    /// Draws units (deals, or clusters when `unit[deal]` maps deals to them) within
    /// `strata[unit]`.
    fn draw(strata: &[u32], unit: Option<&[u32]>, replicates: usize, seed: u64) -> Bootstrap {
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
        // unit multiplicities; the block is then transposed into the deal-major rows.
        let n = strata.len();
        let deals = unit.map_or(n, <[u32]>::len);
        let mut weights = vec![0u8; deals * replicates];
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
                        let u = unit.map_or(deal, |unit| unit[deal] as usize);
                        for (j, w) in row[b0..b0 + width].iter_mut().enumerate() {
                            *w = columns[j * n + u];
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

    #[test]
    fn clusters_move_together_and_keep_their_strata_sizes() {
        // Stratum 0: clusters 40 (3 deals), 10 (1), 30 (2); stratum 1: clusters 20 (2), 50 (1).
        let strata = [0, 0, 1, 0, 0, 1, 0, 1];
        let cluster = [40, 40, 20, 10, 30, 20, 40, 50];
        let b = Bootstrap::clustered(&strata, &cluster, 300, 4);
        let mut spread = std::collections::HashSet::new();
        for r in 0..300 {
            let w = |d: usize| b.weight(d, r) as u32;
            assert!(
                w(0) == w(1) && w(1) == w(6) && w(2) == w(5),
                "replicate {r}"
            );
            // Three clusters drawn in stratum 0, two in stratum 1.
            assert_eq!(w(0) + w(3) + w(4), 3);
            assert_eq!(w(2) + w(7), 2);
            spread.insert((w(0), w(3), w(4)));
        }
        // All 10 multisets of 3 clusters appear in 300 draws (the rarest has chance 1/27).
        assert_eq!(spread.len(), 10);
        assert_eq!(
            b.weights,
            Bootstrap::clustered(&strata, &cluster, 300, 4).weights
        );
    }

    #[test]
    fn singleton_clusters_are_the_deal_bootstrap_whatever_their_names() {
        let strata = [0, 1, 0, 0, 2, 1, 0];
        let names: Vec<u64> = vec![9, 3, 7, 1_000_000, 5, 0, 2];
        let by_deal = Bootstrap::new(&strata, 40, 11);
        assert_eq!(
            Bootstrap::clustered(&strata, &names, 40, 11).weights,
            by_deal.weights
        );
    }
}
