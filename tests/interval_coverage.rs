//! Why `--interval delong` is the default where it applies: at small classes the bootstrap's
//! percentile interval of the AUC is too narrow, its lower bound too high, so an indicator is
//! declared reliable (lower bound ≥ the target) too soon. Binormal samples with a true AUC of
//! exactly the target, 0.70: a lower bound above 0.70 is a false "reliable", which a 95%
//! interval allows in 2.5% of samples.

use dealsim::stats::bootstrap::Bootstrap;
use dealsim::stats::quantile::percentile_interval;
use dealsim::stats::ranked::{
    class_replicate_aucs, class_word, point_aucs_in, SortBuffers, NEGATIVE, POSITIVE,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Samples per class size: a share near 3% is then measured to ±0.4 points (one binomial
/// standard error).
const SAMPLES: usize = 2000;
const TRUE_AUC: f64 = 0.70;

/// Φ⁻¹(0.7) · √2: the shift of the lost deals' N(d, 1) scores over the won deals' N(0, 1)
/// that makes the AUC Φ(d / √2) = 0.70 (scipy.stats.norm.ppf(0.7) = 0.5244005127080407).
fn shift() -> f64 {
    0.5244005127080407 * std::f64::consts::SQRT_2
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let (u, v): (f64, f64) = (rng.random::<f64>().max(1e-300), rng.random::<f64>());
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// Shares of samples whose interval's lower bound is above the true AUC, and that cover it:
/// (DeLong lower, DeLong cover, percentile lower, percentile cover).
fn tails(lost: usize, won: usize, seed: u64) -> [f64; 4] {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut counts = [0usize; 4];
    let n = lost + won;
    let class: Vec<u32> = (0..n)
        .map(|i| class_word(0, if i < lost { POSITIVE } else { NEGATIVE }))
        .collect();
    let strata: Vec<u32> = (0..n).map(|i| u32::from(i < lost)).collect();
    let deals: Vec<u32> = (0..n as u32).collect();
    for s in 0..SAMPLES {
        let scores: Vec<f32> = (0..n)
            .map(|i| (normal(&mut rng) + if i < lost { shift() } else { 0.0 }) as f32)
            .collect();
        let (point, _) = point_aucs_in(&scores, &class, 1, 1.0, &mut SortBuffers::default());
        let [lo, hi] = point[0]
            .unwrap()
            .interval(0.025)
            .expect("overlapping classes");
        counts[0] += usize::from(lo > TRUE_AUC);
        counts[1] += usize::from(lo <= TRUE_AUC && TRUE_AUC <= hi);
        let boot = Bootstrap::new(&strata, 200, seed ^ s as u64);
        let (_, reps) = class_replicate_aucs(&scores, &deals, &class, 1, &boot);
        let [lo, hi] = percentile_interval(&reps[0], 0.025).expect("stratified: both classes");
        counts[2] += usize::from(lo > TRUE_AUC);
        counts[3] += usize::from(lo <= TRUE_AUC && TRUE_AUC <= hi);
    }
    counts.map(|c| c as f64 / SAMPLES as f64)
}

/// Measured (seeds 1 and 2): at 10 lost : 40 won deals DeLong's lower bound is above 0.70 in
/// 3.5% of samples and its interval covers 0.70 in 94.3%; the percentile interval's (200
/// replicates) in 6.0% and 91.9%. At 20 : 80 (the default `--min-class`): 2.3% and 95.2%
/// against 4.4% and 93.0%. DeLong is not exact either at 10 : 40 (3.5% is 2.5 binomial standard
/// errors of ±0.4 points above 2.5%), but much closer. Bounds: DeLong's false "reliable" at
/// most 4% (1.5 points over nominal), its coverage within 3 standard errors (±0.5 points) of
/// 95%, and the percentile's false "reliable" at least a point (about two standard errors of
/// the difference) above DeLong's.
#[test]
fn delong_calls_an_indicator_at_the_target_reliable_about_as_rarely_as_it_should() {
    for (lost, won, seed) in [(10, 40, 1), (20, 80, 2)] {
        let [delong_low, delong_cover, pct_low, pct_cover] = tails(lost, won, seed);
        let said = format!(
            "{lost} : {won}: DeLong above {delong_low:.4}, covers {delong_cover:.4}; \
             percentile above {pct_low:.4}, covers {pct_cover:.4}"
        );
        assert!(delong_low <= 0.04, "{said}");
        assert!((delong_cover - 0.95).abs() <= 3.0 * 0.005, "{said}");
        assert!(pct_low >= delong_low + 0.01, "{said}");
    }
}

/// Near AUC 1 small classes often lie fully apart, where DeLong's variance is zero and the
/// interval is instead the exact one-sided Lehmann-family bound
/// ([`separation_bound`](dealsim::stats::mann_whitney::separation_bound)). Binormal samples
/// at 10 lost : 40 won with a true AUC of 0.97 (shift Φ⁻¹(0.97)·√2, scipy.stats.norm.ppf(0.97)
/// = 1.8807936081512509): the classes lie apart in some samples, and the combined interval's
/// lower bound stays above the truth no more often than the 2.5% a 95% interval allows, give
/// or take three binomial standard errors (0.35 points each at 2,000 samples). Measured (seed
/// 3): apart in 7.2% of samples, lower bound above the truth in none (a Python check, 4,000
/// samples: 7.5%, none); were the bound 1, as the bootstrap's [1, 1] is, the 7.2% alone would
/// fail it; at 20 : 80 DeLong's own liberality near 1 shows (4.7%), which is not the
/// bound's doing, so this test stays at 10 : 40.
#[test]
fn the_bound_for_classes_apart_keeps_the_lower_tail_near_auc_1() {
    let truth = 0.97;
    let shift = 1.8807936081512509 * std::f64::consts::SQRT_2;
    let (lost, won) = (10, 40);
    let class: Vec<u32> = (0..lost + won)
        .map(|i| class_word(0, if i < lost { POSITIVE } else { NEGATIVE }))
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let (mut apart, mut above) = (0usize, 0usize);
    for _ in 0..SAMPLES {
        let scores: Vec<f32> = (0..lost + won)
            .map(|i| (normal(&mut rng) + if i < lost { shift } else { 0.0 }) as f32)
            .collect();
        let (point, _) = point_aucs_in(&scores, &class, 1, 1.0, &mut SortBuffers::default());
        let m = point[0].expect("both classes");
        apart += usize::from(m.separated());
        let [lo, _] = m.interval(0.025).expect("an interval");
        above += usize::from(lo > truth);
    }
    let share = |n: usize| n as f64 / SAMPLES as f64;
    let (apart, above) = (share(apart), share(above));
    assert!(apart >= 0.03, "classes apart in only {apart}");
    assert!(
        above <= 0.025 + 3.0 * 0.0035,
        "lower bound above the truth in {above}"
    );
}
