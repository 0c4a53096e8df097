//! What "the best rule" means: the objectives a segment's rule is chosen by.

use serde::{Deserialize, Serialize};

/// How the tuner picks one rule per segment among the candidates.
///
/// `budget` and `youden` admit only rules that flag lost deals more often than won ones
/// (recall > false-alarm rate: the flagged deals are lost more often than deals in general).
/// Without that, a log whose volume is below the budget gets "flag every deal at day 7": all
/// within budget, the most recall, and no warning at all (seen on the CRM sample, where lost
/// deals leave early and such a rule's recall is below its false-alarm rate). `cost` weighs
/// reviews against saved deals in money and keeps its own criterion. The first two also ask
/// that the difference be beyond chance on the tuning deals ([`Objective::asks_evidence`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Objective {
    /// The highest recall whose alerts per rep per week stay ≤ `alerts_per_rep_week`
    /// (ties: longer median lead, then fewer false alarms). Sales ops think in alert budgets.
    Budget { alerts_per_rep_week: f64 },
    /// The lowest expected cost per decided deal:
    /// `review_cost × P(flag) − save_probability × mean lost value × P(flag and lost)`.
    /// A segment gets no rule when no rule saves more than its reviews cost.
    Cost {
        review_cost: f64,
        save_probability: f64,
    },
    /// The largest Youden index, recall − false-alarm rate.
    Youden,
}

/// The figures a candidate is judged on (in-sample point estimates).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub recall: f64,
    pub false_alarm_rate: f64,
    pub alerts_per_rep_week: f64,
    /// Share of decided deals flagged.
    pub flag_rate: f64,
    /// Share of decided deals flagged and later lost.
    pub flag_lost_rate: f64,
    pub median_lead: f64,
}

impl Candidate {
    /// Whether the rule flags lost deals more often than won ones (false when either rate is
    /// undefined).
    pub fn informative(&self) -> bool {
        self.recall > self.false_alarm_rate
    }
}

impl Objective {
    /// A score to maximise, or `None` if the candidate is not admissible.
    /// `lost_value` is the mean value of a lost deal of the segment.
    pub fn score(&self, c: &Candidate, lost_value: f64) -> Option<f64> {
        match *self {
            Objective::Budget {
                alerts_per_rep_week,
            } => (c.alerts_per_rep_week <= alerts_per_rep_week && c.informative())
                .then_some(c.recall),
            Objective::Cost {
                review_cost,
                save_probability,
            } => {
                let cost =
                    review_cost * c.flag_rate - save_probability * lost_value * c.flag_lost_rate;
                (cost < 0.0).then_some(-cost)
            }
            Objective::Youden => c.informative().then_some(c.recall - c.false_alarm_rate),
        }
    }

    /// Whether a rule must flag lost deals more often than won ones beyond chance
    /// ([`crate::tuning::TuneOptions::significance`]). `cost` does not ask it: flagging every
    /// deal is a fair answer when reviews are cheap and losses dear.
    pub fn asks_evidence(&self) -> bool {
        !matches!(self, Objective::Cost { .. })
    }

    /// Whether `a` beats `b` (scores from [`Objective::score`]); ties go to the longer median
    /// lead, then to fewer false alarms; a remaining tie keeps the earlier candidate.
    pub fn better(a: (f64, &Candidate), b: (f64, &Candidate)) -> bool {
        Objective::compare(a, b) == std::cmp::Ordering::Greater
    }

    /// [`Objective::better`] as an ordering (`Greater`: `a` beats `b`; `Equal`: neither), to
    /// rank candidates best first with a stable sort.
    pub fn compare(a: (f64, &Candidate), b: (f64, &Candidate)) -> std::cmp::Ordering {
        let lead = |c: &Candidate| {
            if c.median_lead.is_nan() {
                -1.0
            } else {
                c.median_lead
            }
        };
        (a.0, lead(a.1), -a.1.false_alarm_rate)
            .partial_cmp(&(b.0, lead(b.1), -b.1.false_alarm_rate))
            .unwrap_or(std::cmp::Ordering::Equal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(recall: f64, far: f64, alerts: f64) -> Candidate {
        Candidate {
            recall,
            false_alarm_rate: far,
            alerts_per_rep_week: alerts,
            flag_rate: 0.5,
            flag_lost_rate: 0.4,
            median_lead: 30.0,
        }
    }

    #[test]
    fn budget_excludes_rules_over_budget() {
        let o = Objective::Budget {
            alerts_per_rep_week: 2.0,
        };
        assert_eq!(o.score(&cand(0.9, 0.5, 2.5), 0.0), None);
        assert_eq!(o.score(&cand(0.6, 0.5, 2.0), 0.0), Some(0.6));
    }

    #[test]
    fn budget_and_youden_admit_only_rules_that_flag_lost_deals_more_often() {
        let budget = Objective::Budget {
            alerts_per_rep_week: 2.0,
        };
        // Flag everything at day 7 on a log where lost deals leave early: recall 79%,
        // false alarms 85%, within the budget.
        assert_eq!(budget.score(&cand(0.79, 0.85, 0.6), 0.0), None);
        assert_eq!(budget.score(&cand(0.5, 0.5, 0.6), 0.0), None);
        assert_eq!(budget.score(&cand(0.5, f64::NAN, 0.6), 0.0), None);
        assert_eq!(Objective::Youden.score(&cand(0.79, 0.85, 0.6), 0.0), None);
        assert_eq!(Objective::Youden.score(&cand(0.3, 0.3, 0.6), 0.0), None);
        // The cost objective decides in money: reviewing every deal may pay.
        let cost = Objective::Cost {
            review_cost: 1.0,
            save_probability: 0.5,
        };
        assert!(cost.score(&cand(0.79, 0.85, 0.6), 1000.0).is_some());
    }

    #[test]
    fn cost_by_hand() {
        // 100 × 0.5 − 0.1 × 5000 × 0.4 = 50 − 200 = −150: saves 150 per decided deal.
        let o = Objective::Cost {
            review_cost: 100.0,
            save_probability: 0.1,
        };
        assert_eq!(o.score(&cand(0.6, 0.5, 1.0), 5000.0), Some(150.0));
        // 100 × 0.5 − 0.1 × 1000 × 0.4 = 10 > 0: not worth it.
        assert_eq!(o.score(&cand(0.6, 0.5, 1.0), 1000.0), None);
        assert!((Objective::Youden.score(&cand(0.7, 0.2, 1.0), 0.0).unwrap() - 0.5).abs() < 1e-12);
    }
}
