//! `policy.md`: the tuned policy for people — each segment's rule in words, its figures on
//! the tuning and the held-out deals side by side, the proposed step deadlines, and the
//! atypical segments sent to review.

use std::fmt::Write;

use crate::indicators::unit::bound_text;
use crate::stats::bootstrap::Cluster;
use crate::tuning::client_quiet::{ClientQuiet, ClientQuietParts};
use crate::tuning::deadlines;
use crate::tuning::risk::{RiskAtAge, MIN_RISK_DEALS};
use crate::tuning::rule::{
    confirmation_text, intervals_text, lead_days_text, p_text, Estimate, Figures,
    CONFIRMATION_ALPHA, NOT_CONFIRMED,
};
use crate::tuning::{Objective, Tuning, RUNNERS_UP_SHOWN};

/// How a figure reads: a share in percent, alerts to two decimals, or lead days
/// ([`lead_days_text`]); "–" when undefined.
type Format = fn(f64) -> String;

fn percent(x: f64) -> String {
    if x.is_nan() {
        "–".to_string()
    } else {
        format!("{:.1}%", 100.0 * x)
    }
}

fn two_decimals(x: f64) -> String {
    if x.is_nan() {
        "–".to_string()
    } else {
        format!("{x:.2}")
    }
}

fn one_decimal(x: f64) -> String {
    if x.is_nan() {
        "–".to_string()
    } else {
        format!("{x:.1}")
    }
}

fn est(e: &Estimate, f: Format) -> String {
    match e.ci {
        Some([lo, hi]) => format!("{} ({}–{})", f(e.value), f(lo), f(hi)),
        None => f(e.value),
    }
}

fn figures_rows(a: &Figures, b: Option<&Figures>) -> String {
    type Row = (&'static str, fn(&Figures) -> &Estimate, Format);
    let rows: [Row; 5] = [
        ("recall (lost deals flagged)", |f| &f.recall, percent),
        (
            "false-alarm rate (won deals flagged)",
            |f| &f.false_alarm_rate,
            percent,
        ),
        ("precision (flagged deals lost)", |f| &f.precision, percent),
        (
            "alerts per rep per week",
            |f| &f.alerts_per_rep_week,
            two_decimals,
        ),
        (
            "median lead time, calendar days",
            |f| &f.median_lead_days,
            lead_days_text,
        ),
    ];
    let mut s = format!(
        "| | tuning deals ({} lost, {} won) | held-out deals ({}) |\n|---|---|---|\n",
        a.lost,
        a.won,
        b.map_or("none".to_string(), |b| format!(
            "{} lost, {} won",
            b.lost, b.won
        ))
    );
    let mut cells: Vec<(&str, String, String)> = rows
        .into_iter()
        .map(|(name, get, pct)| {
            let b = b.map_or("–".to_string(), |b| est(get(b), pct));
            (name, est(get(a), pct), b)
        })
        .collect();
    // Where most decided deals are lost, a high precision says little: a rule flagging at
    // random has the lost share of the deals as its precision. Shown under it.
    let base = |f: &Figures| percent(f.lost as f64 / (f.lost + f.won) as f64);
    cells.insert(
        3,
        (
            "lost share of all these deals (a random flag's precision)",
            base(a),
            b.map_or("–".to_string(), base),
        ),
    );
    for (name, a, b) in cells {
        let _ = writeln!(s, "| {name} | {a} | {b} |");
    }
    s
}

/// Two more rows of the figures table and what they mean: the flagged lost deals caught
/// before the client's last activity, and how long before it ([`ClientQuiet`]).
fn client_quiet_rows(s: &mut String, q: &ClientQuietParts) {
    let cells = |f: fn(&ClientQuiet) -> String| {
        (f(&q.tuning), q.holdout.as_ref().map_or("–".to_string(), f))
    };
    let (a, b) = cells(|c| percent(c.share_before()));
    let _ = writeln!(
        s,
        "| flagged lost deals flagged before the client's last activity | {a} | {b} |"
    );
    let (a, b) = cells(|c| one_decimal(c.median_days_to_last_activity));
    let _ = writeln!(
        s,
        "| median days from the flag to the client's last activity | {a} | {b} |"
    );
    let _ = writeln!(
        s,
        "\nThe lead time runs to the recorded loss, and a lost deal goes quiet before it is \
         recorded lost: a flag raised after the client's last activity (a reply, feedback, a \
         meeting) has a lead on paper but comes when the client has gone. The last two rows say \
         how many losses the rule caught while the client was still active, and how long before \
         the client's last activity the flag came (negative: after it)."
    );
}

/// The other indicators' own best rules (at most [`RUNNERS_UP_SHOWN`]), so that a reader can
/// weigh the chosen rule against, say, a client signal that catches a little less, and see
/// whether it holds up on the held-out deals.
fn runners_up(s: &mut String, rows: &[crate::tuning::RunnerUp]) {
    if rows.is_empty() {
        return;
    }
    // Intervals exist unless the segment (or, over reps, the recall's lost deals) has too few
    // reps.
    let intervals = rows
        .iter()
        .take(RUNNERS_UP_SHOWN)
        .any(|r| r.in_sample.as_ref().is_some_and(|f| f.recall.ci.is_some()));
    let _ = write!(
        s,
        "Runners-up, each indicator's own best rule on the tuning deals under the same objective \
         ({}\"vs chosen\": its recall minus the chosen rule's, paired on the same deals), \
         and its recall and check on the held-out deals:\n\n\
         | rule | recall | vs chosen | false alarms | alerts / rep / week | median lead, calendar days | held-out recall | held-out check |\n\
         |---|---|---|---|---|---|---|---|\n",
        if intervals {
            "with 95% intervals; "
        } else {
            ""
        }
    );
    for r in rows.iter().take(RUNNERS_UP_SHOWN) {
        // With intervals where the tuner computed them, else the sweep's point figures.
        let share = |get: fn(&Figures) -> &Estimate, point: f64| {
            r.in_sample
                .as_ref()
                .map_or(percent(point), |f| est(get(f), percent))
        };
        let recall = share(|f| &f.recall, r.recall);
        let versus = r.recall_vs_chosen.as_ref().map_or("–".to_string(), |d| {
            let pt = |x: f64| format!("{:+.1}", 100.0 * x);
            match d.ci {
                Some([lo, hi]) => format!("{} pt ({} to {})", pt(d.value), pt(lo), pt(hi)),
                None => format!("{} pt", pt(d.value)),
            }
        });
        let false_alarms = share(|f| &f.false_alarm_rate, r.false_alarm_rate);
        let held_recall = r
            .holdout
            .as_ref()
            .map_or("–".to_string(), |h| est(&h.recall, percent));
        let check = r
            .holdout
            .as_ref()
            .and_then(Figures::confirmation_p_value)
            .map_or("–".to_string(), confirmation_text);
        let _ = writeln!(
            s,
            "| `{}` {} by day {} | {recall} | {versus} | {false_alarms} | {:.2} | {} | {held_recall} | {check} |",
            r.indicator,
            bound_text(r.direction, r.threshold, Some(r.unit), false),
            r.by_day,
            r.alerts_per_rep_week,
            lead_days_text(r.median_lead_days)
        );
    }
    s.push('\n');
}

/// The chosen rule's risk by deal age ([`crate::tuning::risk`]), at the ages where it had
/// flagged a deal still open: what `flag` shows a deal, where the precision above is that of
/// a fresh flag.
fn risk_by_age(s: &mut String, rows: &[RiskAtAge]) {
    let rows: Vec<&RiskAtAge> = rows.iter().filter(|r| r.flagged_open > 0).collect();
    if rows.is_empty() {
        return;
    }
    let _ = write!(
        s,
        "Risk of a flagged deal still open, by its age (what `dealsim flag` shows): of the tuning \
         deals the rule flagged by that age and still open then, the share later lost, with its \
         95% Clopper–Pearson interval. A deal open long after its flag is less likely lost than \
         the precision above, a fresh flag's, says. Below {MIN_RISK_DEALS} deals (marked *) \
         `flag` takes the nearest age with enough. Deals still open at the end of the data are \
         left out, so at long ages the share is over the slow deals that closed in time.\n\n\
         | deal age, days | flagged, still open | later lost | risk |\n|---|---|---|---|\n"
    );
    for r in rows {
        let estimate = Estimate {
            value: r.risk,
            ci: r.ci,
        };
        let few = if r.flagged_open < MIN_RISK_DEALS {
            " *"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "| {}{few} | {} | {} | {} |",
            r.age_days,
            r.flagged_open,
            r.lost,
            est(&estimate, percent)
        );
    }
    s.push('\n');
}

/// Which holidays a rule's "by day d" does not count, and whose calendar they are: a log
/// imported from elsewhere is read under the default scenario's unless told otherwise.
fn holidays_text(t: &Tuning) -> String {
    let scenario = format!("the `{}` scenario's calendar", t.scenario);
    if t.holidays.is_empty() {
        format!("A rule's \"by day d\" counts every calendar day ({scenario} has no holidays).")
    } else {
        let days: Vec<String> = t.holidays.iter().map(|h| h.text()).collect();
        format!(
            "A rule's \"by day d\" does not count the holidays of {scenario}: {} (for a log from \
             another country, give its own with `--scenario`).",
            days.join(", ")
        )
    }
}

/// The deals the rules were tuned on, as policy.md names them: none when no deal is old
/// enough to be followed to the last landmark.
fn tuned_deals(holdout_from: &str, last_landmark: u32) -> String {
    if holdout_from.is_empty() {
        format!(
            "deals created at least {last_landmark} days before the end of the data, of which \
             there are none"
        )
    } else {
        format!("deals created before {holdout_from}")
    }
}

/// The markdown text of a tuning run.
pub fn render(t: &Tuning) -> String {
    let mut s = String::from("# Early-warning policy\n\n");
    if !t.scenario.is_empty() {
        let _ = writeln!(s, "Tuned under scenario `{}`.\n", t.scenario);
    }
    let objective = match t.options.objective {
        Objective::Budget {
            alerts_per_rep_week,
        } => format!(
            "the highest recall with at most {alerts_per_rep_week} alerts per rep per week"
        ),
        Objective::Cost {
            review_cost,
            save_probability,
        } => format!(
            "the lowest expected cost (review cost {review_cost} per alert, a flagged losing deal saved with probability {save_probability})"
        ),
        Objective::Youden => "the largest recall − false-alarm rate (Youden)".to_string(),
    };
    let evidence = if t.options.objective.asks_evidence() && t.options.significance < 1.0 {
        format!(
            " among the rules whose flagged tuning deals were lost more often than the others \
             beyond chance (one-sided Fisher p < {})",
            t.options.significance
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        s,
        "Each segment's rule was chosen for {objective}{evidence} on {} and is \
         shown on the later deals too ({}). Intervals are \
         {}{}. A rule flags a deal at the first \
         landmark (deal ages {}..{} days) up to its deadline at which the deal is still open \
         and the indicator crosses the threshold. Deals still open at the end of the data have \
         no known outcome and are left out of every rate. {}\n",
        tuned_deals(&t.holdout_from, t.landmarks.last().copied().unwrap_or(0)),
        crate::tuning::held_out_text(t.options.holdout, t.landmarks.last().copied().unwrap_or(0)),
        intervals_text(t.options.cluster, t.options.bootstrap),
        match t.options.cluster {
            Cluster::Deal => "",
            Cluster::Rep =>
                "; the Fisher p-values, of the choice and of the held-out check, still treat \
                 deals as independent",
        },
        t.landmarks.first().copied().unwrap_or(0),
        t.landmarks.last().copied().unwrap_or(0),
        holidays_text(t),
    );
    if !t.warnings.is_empty() {
        s.push_str("**Warnings** (read the figures below with them):\n\n");
        for w in &t.warnings {
            let _ = writeln!(s, "- {w}");
        }
        if t.warnings.iter().any(|w| w.starts_with("indicator ")) {
            s.push_str(
                "\nAn indicator named above reads less than its name says, and one none of whose \
                 names occurs is not tuned at all (a proposal delay without proposals would be \
                 the deal's age).\n",
            );
        }
        s.push('\n');
    }
    for seg in &t.segments {
        let _ = writeln!(s, "## Segment `{}`\n", seg.segment);
        if let Some(w) = &seg.warning {
            let _ = writeln!(s, "**Warning:** {w}.\n");
        }
        match &seg.chosen {
            Some(c) => {
                let _ = writeln!(
                    s,
                    "**Flag the deal if `{}` {} by day {}** (holidays not counted; {:?} signal; {:.2} new deals per rep per week).\n",
                    c.indicator,
                    bound_text(c.direction, c.threshold, Some(c.unit), false),
                    c.by_day,
                    c.signal,
                    seg.deals_per_rep_week
                );
                s.push_str(&figures_rows(&c.in_sample, c.holdout.as_ref()));
                if let Some(q) = &c.client_quiet {
                    client_quiet_rows(&mut s, q);
                }
                s.push('\n');
                if let Some((shift, se)) = c
                    .holdout
                    .as_ref()
                    .and_then(|h| c.in_sample.recall_shift_to(h))
                {
                    // The tuning interval is not shown where a segment has too few reps.
                    let interval = if c.in_sample.recall.ci.is_some() {
                        "; the tuning interval above leaves out the held-out deals' own \
                         sampling error"
                    } else {
                        ""
                    };
                    let _ = writeln!(
                        s,
                        "Held-out minus tuning recall: {:+.1} points, {:.1} standard errors of that \
                         difference from sampling deals alone (two samples of an unchanging process \
                         differ by less than 2 about 95% of the time{interval}).\n",
                        100.0 * shift,
                        shift / se
                    );
                }
                risk_by_age(&mut s, &c.risk_by_age);
                if let Some(p) = c.holdout.as_ref().and_then(Figures::confirmation_p_value) {
                    if p < CONFIRMATION_ALPHA {
                        let _ = writeln!(
                            s,
                            "The held-out deals confirm the rule: the deals it flagged there were lost \
                             more often than the others (one-sided Fisher exact test, {}).\n",
                            p_text(p)
                        );
                    } else {
                        let _ = writeln!(
                            s,
                            "**Not confirmed:** {NOT_CONFIRMED} (one-sided Fisher exact test, {}).\n",
                            p_text(p)
                        );
                    }
                }
            }
            None => {
                let _ = writeln!(
                    s,
                    "No rule: {}.\n",
                    seg.note.as_deref().unwrap_or("nothing qualified")
                );
            }
        }
        runners_up(&mut s, &seg.runners_up);
        let steps: Vec<_> = t
            .deadlines
            .iter()
            .filter(|d| d.segment == seg.segment)
            .collect();
        if !steps.is_empty() {
            let _ = write!(
                s,
                "Step deadlines from experience. {}\n\n| step | {} |\n|---{}|\n",
                deadlines::legend(),
                deadlines::CELL_NAMES.join(" | "),
                "|---".repeat(deadlines::CELL_NAMES.len())
            );
            for d in steps {
                let _ = writeln!(s, "| {} | {} |", d.step, d.cells().join(" | "));
            }
            s.push('\n');
        }
    }
    if !t.review_segments.is_empty() {
        let _ = writeln!(
            s,
            "## Manual review\n\nAtypical segments ({}) are not held to typical deadlines: their {} deals are listed in `review.csv` for the head of sales or quality control.",
            t.review_segments.join(", "),
            t.review.len()
        );
    }
    s
}
