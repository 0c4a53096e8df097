//! A tuned rule's figures over reps (`--cluster rep`): which rep totals each share's interval
//! is built from, and how often the intervals cover the figure over all reps in simulated
//! teams. The variance itself is held to statsmodels in `tests/oracle_cluster.rs`.

mod panels;

use dealsim::stats::bootstrap::Cluster;
use dealsim::stats::cluster_ratio::ClusterRatio;
use dealsim::tuning::rule::{self, Figures};
use panels::{decided_panel, flagged_at_the_landmark};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use statrs::distribution::{Continuous, ContinuousCDF, Normal};

fn figures_over_reps(lost: &[bool], rep: &[u32], flag: &[bool], seed: u64) -> Figures {
    let members: Vec<usize> = (0..lost.len()).collect();
    let first = flagged_at_the_landmark(flag);
    let panel = decided_panel(lost, rep.to_vec());
    // 3 new deals per rep per week.
    rule::figures(&panel, &members, &first, 3.0, (100, Cluster::Rep), seed)
}

/// Six reps, per rep (lost, flagged lost, won, flagged won) as below: each share's interval is
/// the one of its own rep totals — recall of flagged lost over lost, the false-alarm rate of
/// flagged won over won, precision of flagged lost over flagged, alerts of flagged over
/// decided times the volume (3 per rep per week) — and the median lead keeps the bootstrap.
#[test]
fn each_share_over_reps_is_the_ratio_of_its_own_rep_totals() {
    let counts = [
        [4, 2, 6, 1],
        [3, 1, 7, 0],
        [5, 4, 5, 2],
        [2, 0, 8, 1],
        [6, 3, 4, 1],
        [1, 1, 9, 3],
    ];
    let (mut lost, mut rep, mut flag) = (Vec::new(), Vec::new(), Vec::new());
    for (r, &[l, fl, w, fw]) in counts.iter().enumerate() {
        for (n, is_lost, flagged) in [
            (fl, true, true),
            (l - fl, true, false),
            (fw, false, true),
            (w - fw, false, false),
        ] {
            for _ in 0..n {
                lost.push(is_lost);
                rep.push(10 * r as u32 + 3);
                flag.push(flagged);
            }
        }
    }
    let f = figures_over_reps(&lost, &rep, &flag, 1);
    let interval = |part: fn(&[u32; 4]) -> (u32, u32)| {
        ClusterRatio::new(counts.iter().map(|c| {
            let (a, b) = part(c);
            (f64::from(a), f64::from(b))
        }))
        .share_interval(0.025)
    };
    assert_eq!(
        (f.lost, f.flagged_lost, f.won, f.flagged_won),
        (21, 11, 39, 8)
    );
    assert!((f.recall.value - 11.0 / 21.0).abs() < 1e-15);
    assert_eq!(f.recall.ci, interval(|c| (c[1], c[0])));
    assert_eq!(f.false_alarm_rate.ci, interval(|c| (c[3], c[2])));
    assert_eq!(f.precision.ci, interval(|c| (c[1], c[1] + c[3])));
    let flagged = interval(|c| (c[1] + c[3], c[0] + c[2])).unwrap();
    assert_eq!(f.alerts_per_rep_week.ci, Some(flagged.map(|x| 3.0 * x)));
    assert!((f.alerts_per_rep_week.value - 3.0 * 19.0 / 60.0).abs() < 1e-12);
    // Every interval holds its point.
    for e in [
        f.recall,
        f.false_alarm_rate,
        f.precision,
        f.alerts_per_rep_week,
    ] {
        let [lo, hi] = e.ci.unwrap();
        assert!(lo < e.value && e.value < hi, "{e:?}");
    }
    // All lost deals sit 43 days after the landmark: every replicate's median lead is 43.
    assert_eq!(f.median_lead_days.ci, Some([43.0, 43.0]));

    // Four reps with lost deals are too few for an interval of the recall (the false-alarm
    // rate keeps its six).
    let without: Vec<bool> = lost
        .iter()
        .zip(&rep)
        .map(|(&l, &r)| l && r != 3 && r != 13)
        .collect();
    let f = figures_over_reps(&without, &rep, &flag, 1);
    assert_eq!(f.recall.ci, None);
    assert!(f.false_alarm_rate.ci.is_some());
}

/// A team of `reps` reps × `per_rep` deals. A rep's habit u ~ N(0, 1) moves the indicator
/// (u + e, e ~ N(0, 1) the deal's own), and the rule flags a deal when it exceeds 1; losses
/// follow the deal (logit −1.2 + 1.5e + 0.8v) and a separate rep effect v ~ N(0, 1). Returns
/// lost, rep and flagged per deal.
fn team(rng: &mut ChaCha8Rng, reps: u32, per_rep: u32) -> (Vec<bool>, Vec<u32>, Vec<bool>) {
    let (mut lost, mut rep, mut flag) = (Vec::new(), Vec::new(), Vec::new());
    for r in 0..reps {
        let (u, v): (f64, f64) = (rng.sample(StandardNormal), rng.sample(StandardNormal));
        for _ in 0..per_rep {
            let e: f64 = rng.sample(StandardNormal);
            let logit = -1.2 + 1.5 * e + 0.8 * v;
            lost.push(rng.random::<f64>() < 1.0 / (1.0 + (-logit).exp()));
            rep.push(r);
            flag.push(u + e > 1.0);
        }
    }
    (lost, rep, flag)
}

/// The recall and false-alarm rate over all reps of [`team`]'s rule, by quadrature: a deal is
/// flagged when u > 1 − e, with probability Φ(e − 1), so P(lost, flagged) = E[σ(−1.2 + 1.5e +
/// 0.8v)·Φ(e − 1)] over e, v ~ N(0, 1), and so on; trapezoids of 0.01 on [−8, 8]², whose error
/// for these smooth Gaussian integrands is far below 1e-6.
fn figures_over_all_reps() -> (f64, f64) {
    let normal = Normal::standard();
    let h = 0.01;
    let grid: Vec<(f64, f64)> = (0..=1600)
        .map(|k| {
            let x = -8.0 + h * f64::from(k);
            (x, normal.pdf(x) * h)
        })
        .collect();
    let (mut lost, mut lost_flagged, mut won_flagged) = (0.0, 0.0, 0.0);
    for &(e, we) in &grid {
        let flagged = normal.cdf(e - 1.0);
        for &(v, wv) in &grid {
            let p = 1.0 / (1.0 + (1.2 - 1.5 * e - 0.8 * v).exp());
            let w = we * wv;
            lost += w * p;
            lost_flagged += w * p * flagged;
            won_flagged += w * (1.0 - p) * flagged;
        }
    }
    (lost_flagged / lost, won_flagged / (1.0 - lost))
}

/// Shares of `teams` teams whose recall and false-alarm intervals cover the figures over all
/// reps.
fn coverage(seed: u64, reps: u32, per_rep: u32, teams: u64) -> (f64, f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (recall, false_alarm) = figures_over_all_reps();
    let (mut hits_recall, mut hits_false_alarm) = (0, 0);
    for t in 0..teams {
        let (lost, rep, flag) = team(&mut rng, reps, per_rep);
        let f = figures_over_reps(&lost, &rep, &flag, t);
        let covers = |ci: Option<[f64; 2]>, truth: f64| {
            ci.is_some_and(|[lo, hi]| (lo..=hi).contains(&truth))
        };
        hits_recall += u32::from(covers(f.recall.ci, recall));
        hits_false_alarm += u32::from(covers(f.false_alarm_rate.ci, false_alarm));
    }
    let share = |h: u32| f64::from(h) / teams as f64;
    (share(hits_recall), share(hits_false_alarm))
}

/// Why the shares over reps are not the bootstrap's. 95% intervals over 2000 teams of 6 / 9 /
/// 12 reps × 400 deals (measured with this seed): the recall over all reps covered in 95.1% /
/// 96.1% / 95.5% of teams, the false-alarm rate in 90.2% / 92.0% / 93.0% (an independent
/// Python check, 20,000 teams: 95.3 / 95.5 / 95.1% and 91.2 / 92.2 / 92.8%), where the bootstrap
/// over reps' percentile intervals, which tuned rules carried before, covered 86.2 / 89.7 /
/// 90.8% and 78.1 / 83.6 / 86.2% (the same Python check). The false-alarm rate, a small share
/// that reps' habits spread unevenly, stays a few points under nominal with so few reps.
///
/// Bounds at 6 and 12 reps, a coverage from 2000 teams having a Monte Carlo standard error of
/// 0.5 points at 95% and 0.65 at 91%: the recall's in 93% … 97.5% and the false-alarm rate's
/// in 87.5% … 94.5%, at least five standard errors from where they were measured, and
/// excluding the bootstrap's coverages at both sizes.
#[test]
fn shares_over_few_reps_cover_near_nominal() {
    for reps in [6, 12] {
        let (recall, false_alarm) = coverage(41, reps, 400, 2000);
        assert!(
            (0.93..=0.975).contains(&recall),
            "{reps} reps: recall coverage {recall}"
        );
        assert!(
            (0.875..=0.945).contains(&false_alarm),
            "{reps} reps: false-alarm coverage {false_alarm}"
        );
    }
}
