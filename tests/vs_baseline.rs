//! Each indicator against the baseline (the rep's forecast) in the scoring core: the
//! `vs_baseline*` fields of the score rows, per segment and pooled, against the paired kernel
//! (`stats::paired`, itself held to tests/oracle/paired_cases.json in `oracle_paired.rs`)
//! scored by hand on each group's common deals, and against bootstrap replicate differences
//! computed directly from weights; plus the coverage of the paired interval on simulated
//! pairs with a known difference.

use dealsim::indicators::evaluate::LandmarkRows;
use dealsim::indicators::{Direction, IndicatorInfo, Panel, Signal, Unit};
use dealsim::log::Outcome;
use dealsim::scoring::{score, Censoring, IntervalMethod, ScoreOptions, ScoreRow, POOLED};
use dealsim::stats::auc::auc;
use dealsim::stats::bootstrap::{Bootstrap, Cluster};
use dealsim::stats::paired::paired_aucs;
use dealsim::stats::quantile::quantile;
use dealsim::stats::ranked::{class_word, NEGATIVE, POSITIVE};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

const BASE: &str = "forecast";

fn info(name: &str, direction: Direction, signal: Signal) -> IndicatorInfo {
    IndicatorInfo {
        name: name.into(),
        description: format!("test indicator {name}"),
        direction,
        signal,
        unit: Unit::Count,
        fixed_at_creation: false,
        not_scored: None,
    }
}

/// 900 deals in two segments and 24 reps (reps 8–15 work both), two landmarks. Indicators:
/// `x` (riskier when higher, whole days, missing for some deals), the baseline `forecast`
/// (safer when higher, a few percent points), `copy` (the forecast again, as a rep signal),
/// `y` (continuous, safer when higher).
fn case() -> Panel {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let n = 900;
    let segment: Vec<u16> = (0..n)
        .map(|_| u16::from(rng.random::<f64>() < 0.4))
        .collect();
    let rep: Vec<u32> = segment
        .iter()
        .map(|&s| rng.random_range(0..16) + 8 * u32::from(s))
        .collect();
    let outcome: Vec<Outcome> = (0..n)
        .map(|i| match rng.random::<f64>() {
            u if u < 0.06 => Outcome::Open,
            u if u < 0.40 + 0.01 * f64::from(rep[i] % 5) => Outcome::Lost,
            _ => Outcome::Won,
        })
        .collect();
    let landmarks = [7u32, 14];
    let at = landmarks
        .iter()
        .map(|&day| {
            // Deals closed by day 14 leave the second risk set.
            let deals: Vec<u32> = (0..n as u32).filter(|&d| day == 7 || d % 9 != 0).collect();
            let mut columns = vec![Vec::new(); 4];
            for &d in &deals {
                let risk = f64::from(u8::from(outcome[d as usize] == Outcome::Lost));
                let z = |rng: &mut ChaCha8Rng| -> f64 { StandardNormal.sample(rng) };
                let x = (3.0 * (0.8 * risk + z(&mut rng)) + 10.0).floor();
                let forecast = (100.0 * (0.5 - 0.1 * risk + 0.15 * z(&mut rng))).round();
                let y = -(0.5 * risk + 0.3 * x / 3.0 + z(&mut rng));
                columns[0].push(if d % 11 == 3 { f32::NAN } else { x as f32 });
                let forecast = if d % 23 == 5 {
                    f32::NAN
                } else {
                    forecast as f32
                };
                columns[1].push(forecast);
                columns[2].push(forecast);
                columns[3].push(y as f32);
            }
            LandmarkRows {
                deals,
                values: columns,
            }
        })
        .collect();
    Panel {
        indicators: vec![
            info("x", Direction::HigherIsRiskier, Signal::Rep),
            info(BASE, Direction::HigherIsSafer, Signal::Forecast),
            info("copy", Direction::HigherIsSafer, Signal::Rep),
            info("y", Direction::HigherIsSafer, Signal::Client),
        ],
        landmarks: landmarks.to_vec(),
        segments: vec!["a".into(), "b".into()],
        deal_segment: segment,
        deal_rep: rep,
        outcome,
        close_age: vec![30.0; n],
        window_age: vec![400.0; n],
        at,
    }
}

fn options(interval: IntervalMethod, cluster: Cluster, bootstrap: usize) -> ScoreOptions {
    ScoreOptions {
        censoring: Censoring::Known,
        interval,
        bootstrap,
        cluster,
        min_class: 20,
        target: 0.7,
        confidence: 0.95,
        seed: 3,
    }
}

/// A group's rows at landmark `k` (open deals left out): oriented keys of indicator `i` and
/// the baseline, class words (one group), reps and deals.
struct Group {
    a: Vec<f32>,
    b: Vec<f32>,
    class: Vec<u32>,
    rep: Vec<u32>,
    deal: Vec<u32>,
}

fn group(panel: &Panel, r: &ScoreRow) -> Group {
    let k = panel
        .landmarks
        .iter()
        .position(|&d| d == r.landmark_day)
        .unwrap();
    let i = panel
        .indicators
        .iter()
        .position(|x| x.name == r.indicator)
        .unwrap();
    let base = panel
        .indicators
        .iter()
        .position(|x| x.name == BASE)
        .unwrap();
    let sign = |i: usize| match panel.indicators[i].direction {
        Direction::HigherIsSafer => -1.0,
        Direction::HigherIsRiskier => 1.0,
    };
    let at = &panel.at[k];
    let mut g = Group {
        a: Vec::new(),
        b: Vec::new(),
        class: Vec::new(),
        rep: Vec::new(),
        deal: Vec::new(),
    };
    for (row, &d) in at.deals.iter().enumerate() {
        let du = d as usize;
        let seg = &panel.segments[panel.deal_segment[du] as usize];
        if r.segment != POOLED && *seg != r.segment {
            continue;
        }
        let kind = match panel.outcome[du] {
            Outcome::Lost => POSITIVE,
            Outcome::Won => NEGATIVE,
            Outcome::Open => continue,
        };
        g.a.push(sign(i) * at.values[i][row]);
        g.b.push(sign(base) * at.values[base][row]);
        g.class.push(class_word(0, kind));
        g.rep.push(panel.deal_rep[du]);
        g.deal.push(d);
    }
    g
}

#[track_caller]
fn close(got: Option<f64>, want: f64) {
    let got = got.expect("a value");
    assert!((got - want).abs() < 1e-12, "{got} vs {want}");
}

/// DeLong's paired intervals over deals and over reps: every comparable row equals the paired
/// kernel on its group's deals with both values (so `x`, with values missing, is compared on
/// fewer deals than its own AUC and the baseline's); the baseline's own rows are empty; a copy
/// of the baseline differs by 0 with the interval [0, 0].
#[test]
fn delong_rows_equal_the_paired_kernel_on_the_common_deals() {
    let panel = case();
    for cluster in [Cluster::Deal, Cluster::Rep] {
        let rows = score(&panel, &options(IntervalMethod::Delong, cluster, 0));
        let mut compared = 0;
        for r in &rows {
            if r.indicator == BASE {
                assert!(
                    r.vs_baseline.is_none() && r.vs_baseline_note.is_empty(),
                    "{r:?}"
                );
                continue;
            }
            let g = group(&panel, r);
            let reps = (cluster == Cluster::Rep).then_some(g.rep.as_slice());
            let p = paired_aucs(&g.a, &g.b, &g.class, reps, 1)[0].expect("both classes");
            close(r.vs_baseline, p.difference);
            let [lo, hi] = p.interval(0.025).expect("an interval");
            close(r.vs_baseline_ci_lo, lo);
            close(r.vs_baseline_ci_hi, hi);
            assert!(lo < p.difference || r.indicator == "copy", "{r:?}");
            if r.indicator == "copy" {
                assert_eq!((lo, hi, p.difference), (0.0, 0.0, 0.0));
                assert_eq!(r.vs_baseline_note, "the two place every deal alike");
            } else {
                assert_eq!(r.vs_baseline_note, "", "{r:?}");
            }
            if r.indicator == "x" {
                // On the common deals, not the difference of the two rows' AUCs.
                let base = rows
                    .iter()
                    .find(|b| {
                        b.indicator == BASE
                            && b.segment == r.segment
                            && b.landmark_day == r.landmark_day
                    })
                    .unwrap();
                let apart = r.auc.unwrap() - base.auc.unwrap();
                assert!((apart - p.difference).abs() > 1e-6, "{r:?}");
            }
            compared += 1;
        }
        assert_eq!(compared, 3 * 3 * 2);
    }
}

/// With the bootstrap, the interval is the percentile interval of the replicate differences:
/// each replicate's weighted AUC of the indicator minus the baseline's on the same deals,
/// computed here directly from the multiplicities (strata segment × final outcome, as the
/// scoring core draws them).
#[test]
fn bootstrap_rows_are_percentiles_of_replicate_differences() {
    let panel = case();
    let replicates = 100;
    let rows = score(
        &panel,
        &options(IntervalMethod::Bootstrap, Cluster::Deal, replicates),
    );
    let strata: Vec<u32> = panel
        .deal_segment
        .iter()
        .zip(&panel.outcome)
        .map(|(&s, &o)| u32::from(s) * 3 + o as u32)
        .collect();
    let boot = Bootstrap::new(&strata, replicates, 3);
    for r in rows
        .iter()
        .filter(|r| r.indicator == "x" || r.indicator == "y")
    {
        let g = group(&panel, r);
        let both: Vec<usize> = (0..g.a.len())
            .filter(|&j| !g.a[j].is_nan() && !g.b[j].is_nan())
            .collect();
        let lost: Vec<bool> = both.iter().map(|&j| g.class[j] & POSITIVE != 0).collect();
        let keys = |v: &[f32]| both.iter().map(|&j| f64::from(v[j])).collect::<Vec<f64>>();
        let (a, b) = (keys(&g.a), keys(&g.b));
        let diffs: Vec<f64> = (0..replicates)
            .map(|rep| {
                let w: Vec<f64> = both
                    .iter()
                    .map(|&j| f64::from(boot.weight(g.deal[j] as usize, rep)))
                    .collect();
                auc(&a, &lost, Some(&w)).unwrap() - auc(&b, &lost, Some(&w)).unwrap()
            })
            .collect();
        close(
            r.vs_baseline,
            auc(&a, &lost, None).unwrap() - auc(&b, &lost, None).unwrap(),
        );
        close(r.vs_baseline_ci_lo, quantile(&diffs, 0.025).unwrap());
        close(r.vs_baseline_ci_hi, quantile(&diffs, 0.975).unwrap());
    }
}

/// No comparison without a baseline, under IPCW (a note), nor where a class of the common
/// deals is smaller than `min_class` (a note with the counts).
#[test]
fn no_comparison_without_baseline_under_ipcw_or_with_small_classes() {
    let mut panel = case();
    let ipcw = ScoreOptions {
        censoring: Censoring::Ipcw { horizon: 60.0 },
        ..options(IntervalMethod::Bootstrap, Cluster::Deal, 20)
    };
    for r in score(&panel, &ipcw) {
        assert!(
            r.vs_baseline.is_none() && r.vs_baseline_ci_lo.is_none(),
            "{r:?}"
        );
        let want = if r.indicator == BASE || r.auc.is_none() {
            ""
        } else {
            "not computed with --censoring ipcw"
        };
        assert_eq!(r.vs_baseline_note, want);
    }
    // One more lost deal than the common deals hold, no more than `x`'s own row has.
    let find = |rows: &[ScoreRow]| -> ScoreRow {
        rows.iter()
            .find(|r| r.indicator == "x" && r.segment == "b" && r.landmark_day == 7)
            .unwrap()
            .clone()
    };
    let r = find(&score(
        &panel,
        &options(IntervalMethod::Delong, Cluster::Deal, 0),
    ));
    let g = group(&panel, &r);
    let p = paired_aucs(&g.a, &g.b, &g.class, None, 1)[0].unwrap();
    let min = p.positives.min(p.negatives) + 1;
    assert!(r.n_lost >= min && r.n_won >= min, "{r:?} {p:?}");
    let small = ScoreOptions {
        min_class: min as usize,
        ..options(IntervalMethod::Delong, Cluster::Deal, 0)
    };
    let r = find(&score(&panel, &small));
    assert!(r.auc.is_some() && r.vs_baseline.is_none(), "{r:?}");
    let want = format!(
        "fewer than {min} deals with both values in a class ({} lost, {} won)",
        p.positives, p.negatives
    );
    assert_eq!(r.vs_baseline_note, want);
    panel.indicators[1].signal = Signal::Rep;
    for r in score(&panel, &options(IntervalMethod::Delong, Cluster::Deal, 0)) {
        assert!(
            r.vs_baseline.is_none() && r.vs_baseline_note.is_empty(),
            "{r:?}"
        );
    }
}

/// Coverage: pairs of binormal indicators, correlated 0.6 within each class, with true AUCs
/// Φ(δ/√2) of 0.75 and 0.68 (difference 0.07), at 40 lost : 110 won deals; 2,000 samples. The
/// paired DeLong 95% interval should cover the true difference in about 95% of them (Monte
/// Carlo error 0.5 points); the unpaired one (the two variances added, as if the AUCs were
/// independent) is much wider and covers nearly always.
#[test]
fn paired_interval_covers_a_known_difference() {
    use statrs::distribution::{ContinuousCDF, Normal};
    let normal = Normal::standard();
    let (auc_a, auc_b, rho) = (0.75_f64, 0.68_f64, 0.6_f64);
    let shift = |auc: f64| 2f64.sqrt() * normal.inverse_cdf(auc);
    let (da, db) = (shift(auc_a), shift(auc_b));
    let (m, n) = (40, 110);
    let class: Vec<u32> = (0..m + n)
        .map(|i| class_word(0, if i < m { POSITIVE } else { NEGATIVE }))
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let samples = 2000;
    let mut covered = 0;
    let mut wider = 0;
    for _ in 0..samples {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for i in 0..m + n {
            let z1: f64 = StandardNormal.sample(&mut rng);
            let z2: f64 = StandardNormal.sample(&mut rng);
            let lost = i < m;
            a.push((z1 + if lost { da } else { 0.0 }) as f32);
            let w = rho * z1 + (1.0 - rho * rho).sqrt() * z2;
            b.push((w + if lost { db } else { 0.0 }) as f32);
        }
        let p = paired_aucs(&a, &b, &class, None, 1)[0].unwrap();
        let [lo, hi] = p.interval(0.025).unwrap();
        covered += usize::from(lo <= auc_a - auc_b && auc_a - auc_b <= hi);
        let flat = vec![0f32; m + n];
        let va = paired_aucs(&a, &flat, &class, None, 1)[0].unwrap().variance;
        let vb = paired_aucs(&b, &flat, &class, None, 1)[0].unwrap().variance;
        wider += usize::from(va + vb > p.variance);
    }
    let share = covered as f64 / samples as f64;
    assert!((0.935..=0.965).contains(&share), "coverage {share}");
    assert!(wider as f64 / samples as f64 > 0.95, "{wider}");
}

/// Point scores only (no interval) take the difference of an indicator with a value on
/// exactly the baseline's deals from the two rows' AUCs, without ranking again: it must be
/// the very difference the paired pass finds (here under DeLong's intervals), to the bit, for
/// those indicators ("copy", and "y" given the baseline's missing values) and the others.
#[test]
fn point_differences_equal_the_paired_pass_bit_for_bit() {
    let mut panel = case();
    for at in &mut panel.at {
        let base = at.values[1].clone();
        for (y, b) in at.values[3].iter_mut().zip(&base) {
            if b.is_nan() {
                *y = f32::NAN;
            }
        }
    }
    let point = score(
        &panel,
        &options(IntervalMethod::Bootstrap, Cluster::Deal, 0),
    );
    let delong = score(&panel, &options(IntervalMethod::Delong, Cluster::Deal, 0));
    let mut compared = 0;
    for (p, d) in point.iter().zip(&delong) {
        assert_eq!(
            p.vs_baseline.map(f64::to_bits),
            d.vs_baseline.map(f64::to_bits),
            "{p:?} vs {d:?}"
        );
        assert!(p.vs_baseline_ci_lo.is_none() && p.vs_baseline_ci_hi.is_none());
        compared += usize::from(p.vs_baseline.is_some() && p.vs_baseline != Some(0.0));
    }
    assert!(compared > 0);
}
