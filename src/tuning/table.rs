//! The terminal summary of a tuning run: per segment the chosen rule with its in-sample and
//! held-out recall, false alarms, alerts and lead time, and the best runner-up.

use super::rule::{confirmation_text, lead_days_text, Figures, CONFIRMATION_ALPHA, NOT_CONFIRMED};
use super::Tuning;
use crate::indicators::unit::bound_text;
use crate::stats::bootstrap::Cluster;

fn short(f: &Figures) -> String {
    format!(
        "recall {:>5.1}%  false alarms {:>5.1}%  alerts/rep/wk {:>5.2}  lead {:>4} d",
        100.0 * f.recall.value,
        100.0 * f.false_alarm_rate.value,
        f.alerts_per_rep_week.value,
        // "–" when no lost deal is flagged.
        lead_days_text(f.median_lead_days.value),
    )
}

/// One block per typical segment, then the review segments. Starts with its heading, not a
/// blank line: the binary sets sections apart, so that `tune`'s stdout starts with content.
pub fn render_plans(t: &Tuning) -> String {
    let mut out = String::from("Tuned rules (tuning deals | held-out deals):\n");
    let name = crate::columns::width(12, t.segments.iter().map(|s| s.segment.as_str()));
    for s in &t.segments {
        if let Some(w) = &s.warning {
            out.push_str(&format!("  {:<name$} warning: {w}\n", s.segment));
        }
        match &s.chosen {
            Some(c) => {
                out.push_str(&format!(
                    "  {:<name$} flag if {} {} by day {}\n  {:<name$}   tuning:  {}\n",
                    s.segment,
                    c.indicator,
                    bound_text(c.direction, c.threshold, Some(c.unit), true),
                    c.by_day,
                    "",
                    short(&c.in_sample)
                ));
                if let Some(h) = &c.holdout {
                    // The recall difference in standard errors of sampling alone.
                    let shift = c
                        .in_sample
                        .recall_shift_to(h)
                        .map_or(String::new(), |(d, se)| {
                            format!("  (recall {:+.1} pt, {:+.1} SE)", 100.0 * d, d / se)
                        });
                    let p = h.confirmation_p_value();
                    let check = p.map_or(String::new(), |p| format!(" {}", confirmation_text(p)));
                    out.push_str(&format!(
                        "  {:<name$}   holdout: {}{shift}{check}\n",
                        "",
                        short(h)
                    ));
                    if p.is_some_and(|p| p >= CONFIRMATION_ALPHA) {
                        out.push_str(&format!(
                            "  {:<name$}   warning, not confirmed: {NOT_CONFIRMED}\n",
                            ""
                        ));
                    }
                }
                if let Some(q) = &c.client_quiet {
                    let held_out = q.holdout.map_or(String::new(), |h| {
                        format!(", held-out {:.1}%", 100.0 * h.share_before())
                    });
                    out.push_str(&format!(
                        "  {:<name$}   flagged while the client was still active: {:.1}% of caught \
                         losses{held_out} (lead: calendar days to the recorded loss; policy.md)\n",
                        "",
                        100.0 * q.tuning.share_before()
                    ));
                }
                if let Some(r) = s.runners_up.first() {
                    // The paired recall difference from the chosen rule, when it has an interval.
                    let versus = r
                        .recall_vs_chosen
                        .as_ref()
                        .and_then(|d| d.ci.map(|[lo, hi]| (d.value, lo, hi)))
                        .map_or(String::new(), |(d, lo, hi)| {
                            format!(
                                ", {:+.1} pt vs chosen [{:+.1}, {:+.1}]",
                                100.0 * d,
                                100.0 * lo,
                                100.0 * hi
                            )
                        });
                    out.push_str(&format!(
                        "  {:<name$}   runner-up: {} {} by day {} (recall {:.1}%{versus}, alerts/rep/wk {:.2}; more in policy.md)\n",
                        "",
                        r.indicator,
                        bound_text(r.direction, r.threshold, Some(r.unit), true),
                        r.by_day,
                        100.0 * r.recall,
                        r.alerts_per_rep_week
                    ));
                }
            }
            None => out.push_str(&format!(
                "  {:<name$} no rule: {}\n",
                s.segment,
                s.note.as_deref().unwrap_or("")
            )),
        }
    }
    if !t.review_segments.is_empty() {
        out.push_str(&format!(
            "  review (atypical, not tuned): {} ({} deals in review.csv)\n",
            t.review_segments.join(", "),
            t.review.len()
        ));
    }
    if t.options.cluster == Cluster::Rep {
        // The intervals are over reps; the shift's SE and the Fisher p-values are not.
        out.push_str(
            "  (--cluster rep: intervals are over reps; the SE and p-values above treat deals as \
             independent)\n",
        );
    }
    out
}
