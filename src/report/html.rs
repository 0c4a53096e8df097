//! `index.html`: one self-contained page (inline CSS and SVG; no scripts, no fonts, no
//! network), readable on a laptop and printable. Section order follows the issue: the
//! answer, discrimination over deal age, where deals are lost, market dynamics, threshold
//! trade-offs, run details. Every plot links to the CSV behind it (relative link).

use std::fmt::Write as _;

use super::answer::{self, fmt_auc, RankingRow, AUC_DAYS};
use super::load::{RunData, DEADLINES_CSV, TRADEOFFS_CSV};
use super::plots::{self, tradeoffs::Against, PlotError};
use super::tables::{ReportTables, COHORT_CSV, CYCLE_CSV, FUNNEL_CSV, INFLOW_CSV};
use crate::export::scores::{SCORES_CSV, SUMMARY_CSV};
use crate::indicators::unit::bound_text;
use crate::policy::{Expected, Policy, RulePolicy};
use crate::scoring::IntervalMethod;
use crate::tuning::deadlines::{self, DeadlineRow};
use crate::tuning::rule::{
    intervals_text, lead_days_text, p_text, recall_shift, verdict, CONFIRMATION_ALPHA,
};

/// The sections, in order: (id, title). The browser test checks each id is present.
pub const SECTIONS: [(&str, &str); 6] = [
    ("answer", "1. The answer"),
    ("discrimination", "2. Discrimination over deal age"),
    ("losses", "3. Where deals are lost"),
    ("market", "4. Market dynamics"),
    ("tradeoffs", "5. Threshold trade-offs"),
    ("run-details", "6. Run details"),
];

/// The page style, shared with `dealsim sweep`'s page.
pub(crate) const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:0 auto;max-width:1000px;padding:1em 1.5em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
nav a{margin-right:1em}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.88em;width:100%}
th,td{border-bottom:1px solid #e4e4e4;padding:.25em .6em;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.paired{min-width:10em}
table.ranking td .ci{display:block}
.ci{color:#777;font-size:.85em}
.yes{color:#1a7f37}.no{color:#b3261e;font-weight:bold}td.check{white-space:nowrap}
tr.baseline td{font-weight:bold;background:#f4f4f4}
tr.truth td{font-style:italic;color:#666}
.answer li{margin-bottom:.5em}
figure{margin:1em 0 2em;break-inside:avoid;page-break-inside:avoid}
figure svg{width:100%;height:auto;display:block}
figcaption{font-size:.85em;color:#555}
pre{background:#f7f7f7;padding:.8em;overflow-x:auto;font-size:.8em}
.note{background:#fff8e1;border-left:4px solid #f0c040;padding:.5em .8em}
@media print{nav{display:none}body{max-width:none}h2{break-before:page}h2:first-of-type{break-before:auto}}
";

/// Escapes text for HTML element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A plot with its caption and the link to its data.
pub(crate) fn figure(out: &mut String, svg: &str, caption: &str, csv: &str) {
    // plotters sets width/height only; a viewBox lets CSS scale the plot to the page.
    let svg = match (svg.contains("viewBox"), svg.find("<svg")) {
        (false, Some(at)) => {
            let dims = |attr: &str| {
                svg.split(&format!("{attr}=\""))
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .unwrap_or("0")
                    .to_string()
            };
            let mut s = svg.to_string();
            s.insert_str(
                at + 4,
                &format!(" viewBox=\"0 0 {} {}\"", dims("width"), dims("height")),
            );
            s
        }
        _ => svg.to_string(),
    };
    let _ = writeln!(
        out,
        "<figure>{svg}<figcaption>{} Data: <a href=\"{csv}\">{csv}</a>.</figcaption></figure>",
        esc(caption)
    );
}

/// `with_baseline`: the two "vs rep forecast" columns, left out when no forecast was scored.
fn ranking_table(
    out: &mut String,
    segment: &str,
    rows: &[RankingRow<'_>],
    (auc_labels, with_baseline): (&[String], bool),
) {
    let _ = write!(
        out,
        "<table class=\"ranking\" data-segment=\"{}\"><thead><tr><th>rank</th><th>indicator</th><th>controlled by</th><th>reliable from</th>",
        esc(segment)
    );
    for label in auc_labels {
        let _ = write!(
            out,
            "<th>{} <span class=\"ci\">[95% CI]</span></th>",
            esc(label)
        );
    }
    if with_baseline {
        out.push_str(
            "<th>reliable vs rep forecast</th><th>AUC vs rep forecast <span class=\"ci\">(paired 95% CI)</span></th>",
        );
    }
    out.push_str("</tr></thead><tbody>\n");
    for r in rows {
        let s = r.summary;
        let class = if r.is_baseline {
            " class=\"baseline\""
        } else if r.is_truth {
            " class=\"truth\""
        } else {
            ""
        };
        let mut name = esc(&s.indicator);
        if r.is_baseline {
            name.push_str(" (baseline: the rep's forecast)");
        } else if r.is_truth {
            name.push_str(" (research only)");
        }
        let _ = write!(
            out,
            "<tr{class} data-indicator=\"{}\"><td class=\"num\" data-col=\"rank\">{}</td><td>{name}</td><td>{}</td><td class=\"num\" data-col=\"earliest_reliable_day\">{}</td>",
            esc(&s.indicator),
            s.rank_text(),
            esc(&r.signal),
            r.reliable_from
        );
        for (k, cell) in r.cells.iter().enumerate() {
            let ci = cell.ci.map_or(String::new(), |(lo, hi)| {
                format!(" <span class=\"ci\">[{lo:.3}, {hi:.3}]</span>")
            });
            let _ = write!(
                out,
                "<td class=\"num\" data-col=\"auc_{}\">{}{ci}</td>",
                AUC_DAYS[k],
                fmt_auc(cell.auc)
            );
        }
        if with_baseline {
            let _ = write!(
                out,
                "<td>{}</td><td class=\"paired\" data-col=\"vs_baseline\">{}</td>",
                esc(&r.vs_baseline),
                paired_cell(&r.vs_baseline_paired)
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

/// The paired column's cell with one side per line ("higher days 14–28" over "lower days
/// 35–112") and no line break inside a run of days: word joiners around a dash after a digit.
fn paired_cell(text: &str) -> String {
    let mut out = String::new();
    let mut after_digit = false;
    for c in esc(text).replace("; ", "<br>").chars() {
        if c == '–' && after_digit {
            out.push_str("\u{2060}–\u{2060}");
        } else {
            out.push(c);
        }
        after_digit = c.is_ascii_digit();
    }
    out
}

fn section(out: &mut String, k: usize) {
    let (id, title) = SECTIONS[k];
    let _ = writeln!(out, "<section id=\"{id}\"><h2>{title}</h2>");
}

/// Renders the page.
pub fn render(data: &RunData) -> Result<String, PlotError> {
    let mut out = String::with_capacity(1 << 20);
    header(&mut out, data);
    answer_section(&mut out, data);
    discrimination_section(&mut out, data)?;
    match &data.tables {
        Some(t) => {
            losses_section(&mut out, data, t)?;
            market_section(&mut out, data, t)?;
        }
        None => {
            for k in [2, 3] {
                section(&mut out, k);
                out.push_str(
                    "<p class=\"note\">This run directory has no funnel, cycle-length or inflow \
                     tables (it predates them). Run <code>dealsim score</code> on it again to \
                     write them.</p></section>\n",
                );
            }
        }
    }
    tradeoffs_section(&mut out, data)?;
    section(&mut out, 5);
    run_details(&mut out, data);
    out.push_str("</section>\n</body></html>\n");
    Ok(out)
}

/// Title, one line about the run, and the table of contents.
fn header(out: &mut String, data: &RunData) {
    let name = run_name(data);
    let deals = data
        .manifest
        .as_ref()
        .and_then(|m| m["deals"].as_u64())
        .map_or("all".to_string(), |n| n.to_string());
    let about = format!(
        "Run {name}: {deals} deals scored, landmarks every {} up to day {}, AUC target {:.2}, \
         censoring {}, {}.",
        landmark_step(data),
        data.meta.landmarks.last().copied().unwrap_or(0),
        data.meta.options.target,
        data.meta.options.censoring.mode,
        data.meta
            .options
            .interval
            .describe(data.meta.options.bootstrap, data.meta.options.cluster),
    );
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>dealsim report: {}</title><style>{STYLE}</style></head><body>\n\
         <header><h1>Which indicators warn of a lost deal earliest?</h1><p>{}</p></header>\n<nav>",
        esc(&name),
        esc(&about)
    );
    for (id, title) in SECTIONS {
        let _ = write!(out, "<a href=\"#{id}\">{title}</a>");
    }
    out.push_str("</nav>\n");
}

/// 1: the answer in words, then the ranking of each segment.
fn answer_section(out: &mut String, data: &RunData) {
    let segments = data.segments();
    section(out, 0);
    out.push_str("<ul class=\"answer\">\n");
    for seg in &segments {
        let _ = writeln!(out, "<li>{}</li>", esc(&answer::sentence(data, seg)));
    }
    out.push_str("</ul>\n");
    // A warning can bear on the answer itself (many open deals left out, an indicator that
    // reads activities the log lacks): say so here, not only at the end of the page.
    // Counted as the section lists them (with the routine note on omitted AUCs), so the
    // reader finds as many as announced.
    let warnings = run_warnings(data).len();
    if let Some(first) = answer_warnings(data).first() {
        let _ = writeln!(
            out,
            "<p class=\"note\">Read with the {warnings} warning{} under \
             <a href=\"#{}\">{}</a>: {}</p>",
            if warnings == 1 { "" } else { "s" },
            SECTIONS[5].0,
            SECTIONS[5].1,
            esc(first)
        );
    }
    let _ = writeln!(
        out,
        "<p>“Reliable” means the 95% interval of the AUC stays at or above {:.2} \
         at three landmarks in a row; the AUC is the chance that a deal that will be lost scores \
         riskier than one that will be won (0.5 = no better than a coin). Data: \
         <a href=\"{SUMMARY_CSV}\">{SUMMARY_CSV}</a>, intervals in \
         <a href=\"{SCORES_CSV}\">{SCORES_CSV}</a>.</p>",
        data.meta.options.target
    );
    let _ = writeln!(
        out,
        "<p>{}</p>",
        esc(crate::scoring::summary::CHANCE_LEGEND)
    );
    if data.baseline().is_some() {
        let _ = writeln!(out, "<p>{}</p>", esc(super::vs_forecast::LEGEND));
    }
    if segments.contains(&crate::scoring::POOLED) {
        let _ = writeln!(
            out,
            "<p>{}</p>",
            esc(crate::scoring::summary::POOLED_LEGEND)
        );
    }
    let auc_labels: Vec<String> = AUC_DAYS.iter().map(|&d| data.auc_day_label(d)).collect();
    for seg in &segments {
        let _ = writeln!(out, "<h3>{}</h3>", esc(&segment_title(data, seg)));
        ranking_table(
            out,
            seg,
            &answer::ranking(data, seg),
            (&auc_labels, data.baseline().is_some()),
        );
    }
    glossary(out, data);
    out.push_str("</section>\n");
}

/// What each indicator measures (its description from the indicator file), so a reader of
/// the rankings knows the units: calendar or working days, shares, counts.
fn glossary(out: &mut String, data: &RunData) {
    out.push_str(
        "<h3>What the indicators measure</h3><table class=\"glossary\" style=\"width:auto\"><thead><tr>\
         <th>indicator</th><th>controlled by</th><th>riskier when</th><th>what it measures</th>\
         </tr></thead><tbody>\n",
    );
    for i in &data.meta.indicators {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&i.name),
            esc(&i.signal),
            answer::riskier_when(&i.direction),
            esc(&i.description)
        );
    }
    out.push_str("</tbody></table>\n");
}

/// 2: AUC over deal age, one plot per segment.
fn discrimination_section(out: &mut String, data: &RunData) -> Result<(), PlotError> {
    section(out, 1);
    for seg in data.segments() {
        let baseline = match data.baseline() {
            Some(_) => "the thick black line is the rep's own forecast (the baseline), ",
            None => "no forecast indicator was scored, so there is no baseline; ",
        };
        let caption = format!(
            "AUC of each indicator at each landmark in {seg}; {baseline}the red dashed line the \
             reliability target. Gaps: too few lost or won deals at risk."
        );
        figure(
            out,
            &plots::discrimination::plot(data, seg)?,
            &caption,
            SCORES_CSV,
        );
    }
    out.push_str("</section>\n");
    Ok(())
}

/// The segments of the descriptive tables (the pooled `all` has no funnel of its own).
fn own_segments(data: &RunData) -> Vec<&str> {
    let mut segs = data.segments();
    segs.retain(|s| *s != crate::scoring::POOLED);
    segs
}

/// 3: funnel and cycle lengths per segment.
fn losses_section(out: &mut String, data: &RunData, t: &ReportTables) -> Result<(), PlotError> {
    section(out, 2);
    for seg in own_segments(data) {
        let rows: Vec<_> = t.funnel.iter().filter(|r| r.segment == seg).collect();
        if !rows.is_empty() {
            let caption = format!(
                "Steps of {seg} in their usual order: deals that entered each step, how many of \
                 them were won in the end, and how many were lost at that step."
            );
            figure(
                out,
                &plots::losses::funnel(seg, &rows)?,
                &caption,
                FUNNEL_CSV,
            );
        }
        let rows: Vec<_> = t.cycles.iter().filter(|r| r.segment == seg).collect();
        if !rows.is_empty() {
            let longest = plots::losses::cycle_overflow(&rows).map_or(String::new(), |(d, n)| {
                format!(
                    " The last bars gather the {n} longest deals ({d} days or more, at most 1% \
                     of them); {CYCLE_CSV} has every bin."
                )
            });
            let caption = format!(
                "Days from creation to close of the closed deals of {seg}, won and lost (open \
                 deals are censored and not shown).{longest}"
            );
            figure(
                out,
                &plots::losses::cycle_lengths(seg, &rows)?,
                &caption,
                CYCLE_CSV,
            );
        }
    }
    out.push_str("</section>\n");
    Ok(())
}

/// 4: inflow per segment and source, win rate by cohort.
fn market_section(out: &mut String, data: &RunData, t: &ReportTables) -> Result<(), PlotError> {
    section(out, 3);
    for seg in own_segments(data) {
        if t.inflow.iter().any(|r| r.segment == seg) {
            let caption = format!("Deals created per month in {seg}, by lead source.");
            figure(
                out,
                &plots::market::inflow(seg, &t.inflow)?,
                &caption,
                INFLOW_CSV,
            );
        }
    }
    if !t.cohorts.is_empty() {
        let caption = format!(
            "Share of closed deals that were won, by the month the deals were created. Left out: \
             months with fewer than {} closed deals, and young cohorts with more than {:.0}% of \
             their deals still open (their closed deals are mostly quick losses).",
            plots::market::MIN_CLOSED_FOR_RATE,
            plots::market::MAX_OPEN_SHARE_FOR_RATE * 100.0
        );
        figure(
            out,
            &plots::market::cohort_win_rate(&t.cohorts)?,
            &caption,
            COHORT_CSV,
        );
    }
    out.push_str("</section>\n");
    Ok(())
}

/// 5: the tuner's trade-offs, or how to get them.
fn tradeoffs_section(out: &mut String, data: &RunData) -> Result<(), PlotError> {
    section(out, 4);
    let Some(rows) = &data.tradeoffs else {
        let _ = writeln!(
            out,
            "<p class=\"note\">No tuning results exist for this run ({TRADEOFFS_CSV} is absent). \
             Run <code>dealsim tune</code> on this run directory to find, per segment, the alert \
             thresholds with the best trade-off between caught losses and alerts, then \
             <code>dealsim report --from DIR</code> to show them here.</p></section>"
        );
        return Ok(());
    };
    let mut any = false;
    for seg in data.segments() {
        if let Some(svg) = plots::tradeoffs::plot(data, rows, seg, Against::Alerts)? {
            any = true;
            let caption = format!(
                "Candidate alert thresholds in {seg}: share of lost deals flagged against alerts \
                 per rep per week. Each curve is an indicator's thresholds at the landmark of its \
                 own best rule (the big dot: what it would achieve if chosen); the ringed point is \
                 the tuner's chosen rule. At most {} indicators are drawn, the chosen rule's and \
                 those whose best rules catch the most losses; tradeoffs.csv has every one.",
                plots::tradeoffs::CURVES
            );
            figure(out, &svg, &caption, TRADEOFFS_CSV);
        }
        if let Some(svg) = plots::tradeoffs::plot(data, rows, seg, Against::FalseAlarms)? {
            let caption = format!(
                "The same thresholds in {seg} against the share of won deals they flag. Where \
                 most deals are lost, nearly every alert goes to a lost deal and the curves above \
                 rise alike; here the higher and further left a curve, the better its indicator \
                 tells lost from won deals at that landmark. The diagonal is flagging at random."
            );
            figure(out, &svg, &caption, TRADEOFFS_CSV);
        }
    }
    if !any {
        let _ = writeln!(
            out,
            "<p class=\"note\"><a href=\"{TRADEOFFS_CSV}\">{TRADEOFFS_CSV}</a> has no chosen rule \
             in any segment.</p>"
        );
    }
    if let Some(policy) = &data.policy {
        rules_table(out, policy);
        risk_table(out, policy);
    }
    if let Some(rows) = data.deadlines.as_deref().filter(|r| !r.is_empty()) {
        deadlines_table(out, rows);
    }
    out.push_str("</section>\n");
    Ok(())
}

/// The chosen rules with their figures on the tuning and the held-out deals side by side
/// (from `policy.toml`), and the held-out minus tuning recall in standard errors of sampling
/// alone: the tuning interval is no yardstick for that difference.
fn rules_table(out: &mut String, policy: &Policy) {
    let rules: Vec<(&str, &RulePolicy, &Expected)> = policy
        .segment
        .iter()
        .flat_map(|s| s.rule.iter().map(move |r| (s.name.as_str(), r)))
        .filter_map(|(s, r)| r.expected.as_ref().map(|e| (s, r, e)))
        .collect();
    if rules.is_empty() {
        return;
    }
    let split = policy.tuning.as_ref().map_or(String::new(), |t| {
        format!(
            " Deals created before {} tuned the rules; the later ones only test them ({}).",
            esc(&t.holdout_from),
            crate::tuning::held_out_text(t.holdout, policy.landmarks.last().copied().unwrap_or(0))
        )
    });
    let intervals = policy.tuning.as_ref().map_or_else(
        || "95% intervals".to_string(),
        |t| esc(&intervals_text(t.cluster, t.bootstrap)),
    );
    let _ = writeln!(
        out,
        "<h3>The chosen rules on tuning and held-out deals</h3><p>From <code>policy.toml</code>.{split} \
         Intervals are {intervals}. “Held out − tuning” is the recall difference in \
         standard errors of sampling alone: two samples of an unchanging process differ by less \
         than 2 about 95% of the time (the tuning interval leaves out the held-out deals’ own \
         sampling error). The held-out deals confirm a rule when the ones it flagged were lost \
         significantly more often than the others (one-sided Fisher exact test, p &lt; {CONFIRMATION_ALPHA}); \
         the tuning deals cannot tell, as they chose the rule among thousands.</p>"
    );
    out.push_str(
        "<table class=\"rules\"><thead><tr><th>segment</th><th>rule</th><th>recall, tuning</th>\
         <th>recall, held out</th><th>held out − tuning</th><th>held-out check</th><th>alerts / rep / week</th>\
         <th>median lead, calendar days</th></tr></thead><tbody>\n",
    );
    // Undefined figures (no lost deal flagged, none held out) read "–".
    let num = |x: f64, decimals: usize| {
        if x.is_finite() {
            format!("{x:.decimals$}")
        } else {
            "–".to_string()
        }
    };
    let pct = |x: f64, ci: Option<[f64; 2]>| {
        let ci = ci.map_or(String::new(), |[lo, hi]| {
            format!(
                " <span class=\"ci\">[{:.1}, {:.1}]</span>",
                100.0 * lo,
                100.0 * hi
            )
        });
        format!("{}%{ci}", num(100.0 * x, 1))
    };
    for (segment, r, e) in rules {
        let h = r.holdout.as_ref();
        let shift = h
            .and_then(|h| recall_shift((e.recall, e.lost_deals), (h.recall, h.lost_deals)))
            .map_or("–".to_string(), |(d, se)| {
                format!("{:+.1} pt ({:+.1} SE)", 100.0 * d, d / se)
            });
        // Files written before the check have no p-value.
        let check = h
            .and_then(|h| h.confirmation_p_value)
            .map_or("–".to_string(), |p| {
                let class = if p < CONFIRMATION_ALPHA { "yes" } else { "no" };
                format!(
                    "<span class=\"{class}\">{}</span><br><span class=\"ci\">{}</span>",
                    verdict(p),
                    p_text(p)
                )
            });
        let pair = |a: String, b: Option<String>| format!("{a} / {}", b.unwrap_or("–".into()));
        let _ = writeln!(
            out,
            "<tr data-segment=\"{}\"><td>{}</td><td><code>{}</code> {} by day {}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{shift}</td><td class=\"check\">{check}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(segment),
            esc(segment),
            esc(&r.indicator),
            esc(&bound_text(r.direction, r.threshold, r.unit(&[]), false)),
            r.by_day,
            pct(e.recall, e.recall_ci),
            h.map_or("–".to_string(), |h| pct(h.recall, h.recall_ci)),
            pair(
                num(e.alerts_per_rep_week, 2),
                h.map(|h| num(h.alerts_per_rep_week, 2))
            ),
            pair(
                lead_days_text(e.median_lead_days),
                h.map(|h| lead_days_text(h.median_lead_days))
            ),
        );
    }
    out.push_str("</tbody></table>\n");
}

/// Deal ages the risk table shows: the landmarks at whole four-week steps when there are at
/// least three (28, 56, ..., 168 by default), else at most six spread evenly over them.
fn risk_ages(landmarks: &[u32]) -> Vec<u32> {
    let weeks: Vec<u32> = landmarks.iter().copied().filter(|d| d % 28 == 0).collect();
    if weeks.len() >= 3 {
        return weeks;
    }
    let (n, shown) = (landmarks.len(), landmarks.len().min(6));
    if shown < 2 {
        return landmarks.to_vec();
    }
    (0..shown)
        .map(|j| landmarks[(j * (n - 1)).div_ceil(shown - 1)])
        .collect()
}

/// Each chosen rule's risk of a flagged deal still open, by its age (`risk_by_age` in
/// `policy.toml`, [`crate::tuning::risk`]): what `dealsim flag` shows a deal, where the rules
/// table's figures are those of a fresh flag. A policy from before the figure has no table.
fn risk_table(out: &mut String, policy: &Policy) {
    use crate::tuning::risk::MIN_RISK_DEALS;
    let rules: Vec<(&str, &RulePolicy, Vec<crate::tuning::risk::RiskAtAge>)> = policy
        .segment
        .iter()
        .flat_map(|s| s.rule.iter().map(move |r| (s.name.as_str(), r)))
        .filter_map(|(s, r)| r.risk_by_age.as_ref().map(|k| (s, r, k.rows())))
        .collect();
    if rules.is_empty() {
        return;
    }
    let ages = risk_ages(&policy.landmarks);
    let _ = writeln!(
        out,
        "<h3>Risk of a flagged deal still open, by its age</h3><p>Of the tuning deals each rule \
         had flagged by that deal age and that were still open then, the share later lost, with \
         its 95% Clopper–Pearson interval and the number of deals: what <code>dealsim flag</code> \
         shows an open deal. A deal open long after its flag is less likely lost than a fresh \
         flag. “–”: no such deal; * fewer than {MIN_RISK_DEALS} (<code>flag</code> then takes \
         the nearest age with enough). Every age: <code>policy.md</code>.</p>"
    );
    out.push_str("<table class=\"risk\"><thead><tr><th>segment</th><th>rule</th>");
    for a in &ages {
        let _ = write!(out, "<th>day {a}</th>");
    }
    out.push_str("</tr></thead><tbody>\n");
    for (segment, r, rows) in rules {
        let _ = write!(
            out,
            "<tr data-segment=\"{}\"><td>{}</td><td><code>{}</code> {} by day {}</td>",
            esc(segment),
            esc(segment),
            esc(&r.indicator),
            esc(&bound_text(r.direction, r.threshold, r.unit(&[]), false)),
            r.by_day
        );
        for a in &ages {
            let cell = match rows.iter().find(|x| x.age_days == *a) {
                Some(x) if x.flagged_open > 0 => {
                    let ci = x.ci.map_or(String::new(), |[lo, hi]| {
                        format!(" [{:.0}, {:.0}]", 100.0 * lo, 100.0 * hi)
                    });
                    let few = if x.flagged_open < MIN_RISK_DEALS {
                        "*"
                    } else {
                        ""
                    };
                    format!(
                        "{:.0}%<br><span class=\"ci\">{ci} n = {}{few}</span>",
                        100.0 * x.risk,
                        x.flagged_open
                    )
                }
                _ => "–".to_string(),
            };
            let _ = write!(out, "<td class=\"num\" data-age=\"{a}\">{cell}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

/// Step deadlines from experience (`deadlines.csv`), every typical segment's steps in one
/// table, as `policy.md` shows them per segment.
fn deadlines_table(out: &mut String, rows: &[DeadlineRow]) {
    let _ = writeln!(
        out,
        "<h3>Step deadlines from experience</h3><p>How long each step took in won and in lost \
         deals, the current deadline and the one that best separates them. {} Data: \
         <a href=\"{DEADLINES_CSV}\">{DEADLINES_CSV}</a>.</p>",
        esc(&deadlines::legend())
    );
    out.push_str("<table class=\"deadlines\"><thead><tr><th>segment</th><th>step</th>");
    for name in deadlines::CELL_NAMES {
        let _ = write!(out, "<th>{}</th>", esc(name));
    }
    out.push_str("</tr></thead><tbody>\n");
    for d in rows {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td>",
            esc(&d.segment),
            esc(&d.step)
        );
        for cell in d.cells() {
            let _ = write!(out, "<td class=\"num\">{}</td>", esc(&cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

/// The segment's name, marked when the scenario sends it to manual review.
fn segment_title(data: &RunData, segment: &str) -> String {
    let review = data
        .manifest
        .as_ref()
        .and_then(|m| m["segments"].as_array())
        .and_then(|segs| segs.iter().find(|s| s["segment"] == segment))
        .is_some_and(|s| s["review"] == true);
    match (segment, review) {
        (crate::scoring::POOLED, _) => "all segments pooled".to_string(),
        (s, true) => {
            format!("{s} (review segment: no KPI rule is tuned, its deals are listed for review)")
        }
        (s, false) => s.to_string(),
    }
}

fn landmark_step(data: &RunData) -> String {
    match data.meta.landmarks.as_slice() {
        [a, b, ..] => format!("{} days", b - a),
        _ => "–".into(),
    }
}

/// The scenario name and seed from the manifest, else "a log scored by `dealsim score`" (an
/// imported history, or a simulation scored into another directory).
pub fn run_name(data: &RunData) -> String {
    data.manifest
        .as_ref()
        .and_then(|m| {
            Some(format!(
                "{} (seed {})",
                m["scenario"]["name"].as_str()?,
                m["seed"].as_u64()?
            ))
        })
        .unwrap_or_else(|| "a log scored by `dealsim score` (no manifest.json)".to_string())
}

fn run_details(out: &mut String, data: &RunData) {
    let o = &data.meta.options;
    let mut rows: Vec<(&str, String)> = vec![
        ("dealsim version", data.meta.version.clone()),
        ("window end", data.meta.window_end.clone()),
        ("censoring", o.censoring.describe()),
        ("intervals", o.interval.describe(o.bootstrap, o.cluster)),
        ("minimum deals per class", o.min_class.to_string()),
        ("AUC target", format!("{:.2}", o.target)),
        ("confidence", format!("{:.2}", o.confidence)),
        (
            "landmarks (days)",
            data.meta
                .landmarks
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "research-only truth ceiling",
            if data.meta.with_truth {
                "included".into()
            } else {
                "not included".into()
            },
        ),
    ];
    if o.interval == IntervalMethod::Bootstrap {
        // After "intervals": DeLong's draw nothing, so their seed would mean nothing.
        rows.insert(4, ("bootstrap seed", o.seed.to_string()));
    }
    if let Some(m) = &data.manifest {
        // The manifest is the simulation's: a later `dealsim score` of its log keeps it, so the
        // rows say what they describe, not "command" (which would read as the scoring one).
        for (label, key) in [
            ("log simulated by", "command"),
            ("simulation seed", "seed"),
            ("deals simulated", "deals"),
            ("events simulated", "events"),
        ] {
            if let Some(v) = m.get(key) {
                rows.push((label, v.as_str().map_or(v.to_string(), str::to_string)));
            }
        }
    }
    out.push_str("<table class=\"details\" style=\"width:auto\"><tbody>\n");
    for (k, v) in rows {
        let _ = writeln!(out, "<tr><th>{k}</th><td>{}</td></tr>", esc(&v));
    }
    out.push_str("</tbody></table>\n");
    if let Some(segs) = data
        .manifest
        .as_ref()
        .and_then(|m| m["segments"].as_array())
    {
        out.push_str("<h3>Deals per segment</h3><table style=\"width:auto\"><thead><tr><th>segment</th><th>deals</th><th>won</th><th>lost</th><th>open</th><th>win rate (closed)</th></tr></thead><tbody>\n");
        for s in segs {
            let n = |k: &str| s[k].as_u64().map_or("–".into(), |v| v.to_string());
            let rate = s["win_rate_closed"]
                .as_f64()
                .map_or("–".into(), |v| format!("{:.1}%", v * 100.0));
            let _ = writeln!(out, "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{rate}</td></tr>", esc(s["segment"].as_str().unwrap_or("")), n("deals"), n("won"), n("lost"), n("open"));
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("<h3>Warnings</h3>");
    let notes = run_warnings(data);
    if notes.is_empty() {
        out.push_str("<p>None.</p>\n");
    } else {
        out.push_str("<ul>");
        for w in notes {
            let _ = write!(out, "<li>{}</li>", esc(&w));
        }
        out.push_str("</ul>\n");
    }
    match data.manifest.as_ref().map(|m| &m["scenario"]) {
        Some(s) if !s.is_null() => {
            let text = toml::to_string_pretty(s).unwrap_or_else(|_| serde_json::to_string_pretty(s).unwrap_or_default());
            let _ = writeln!(out, "<details><summary>Scenario as resolved (from manifest.json)</summary><pre>{}</pre></details>", esc(&text));
        }
        _ => out.push_str("<p>No manifest.json beside the scores: a log scored by <code>dealsim score</code>, with the scenario given to it (its calendar and stage maps).</p>\n"),
    }
}

/// The scoring run's warnings and, after them, how many AUCs were omitted where: the
/// Warnings of the page and of `summary.md` alike.
pub(super) fn run_warnings(data: &RunData) -> Vec<String> {
    let mut all = answer_warnings(data);
    all.extend(omitted_note(data));
    all
}

/// The warnings that bear on the answer itself, which the answer points to: the scoring's and
/// a policy tuned at other landmarks (the answer quotes its rules), not the routine note on
/// omitted AUCs.
fn answer_warnings(data: &RunData) -> Vec<String> {
    let mut out = data.meta.warnings.clone();
    out.extend(landmarks_apart(data));
    out
}

/// When the policy was tuned at other landmarks than the scores use: `score --landmarks` run
/// into a directory an earlier `tune` wrote, so the page shows rules "by day 49" beside
/// rankings at days 10, 20, ... from two separate commands.
fn landmarks_apart(data: &RunData) -> Option<String> {
    let tuned = &data.policy.as_ref()?.landmarks;
    let scored = &data.meta.landmarks;
    let span = |l: &[u32]| match (l.first(), l.last()) {
        (Some(a), Some(b)) => format!("{} landmarks, days {a}–{b}", l.len()),
        _ => "no landmarks".to_string(),
    };
    (tuned != scored).then(|| {
        format!(
            "The tuned rules (policy.toml) were tuned at other landmarks ({}) than the scores \
             use ({}): `tune` and `score` ran separately into this directory; run `tune` again \
             with the same --landmarks for one set.",
            span(tuned),
            span(scored)
        )
    })
}

/// Segments × landmarks whose AUC was omitted because a class was too small.
fn omitted_note(data: &RunData) -> Option<String> {
    let mut segs: Vec<&str> = Vec::new();
    let mut count = 0;
    for r in data.scores.iter().filter(|r| r.auc.is_none()) {
        count += 1;
        if !segs.contains(&r.segment.as_str()) {
            segs.push(&r.segment);
        }
    }
    (count > 0).then(|| {
        format!(
            "{count} AUCs were omitted (fewer than {} lost or won deals at risk at that landmark) in: {}.",
            data.meta.options.min_class,
            segs.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::risk_ages;

    #[test]
    fn risk_ages_take_four_week_landmarks_else_six_spread_evenly() {
        let weekly: Vec<u32> = (7..=168).step_by(7).collect();
        assert_eq!(risk_ages(&weekly), [28, 56, 84, 112, 140, 168]);
        let tens: Vec<u32> = (10..=100).step_by(10).collect();
        assert_eq!(risk_ages(&tens), [10, 30, 50, 70, 90, 100]);
        assert_eq!(risk_ages(&[30, 60]), [30, 60]);
        assert_eq!(risk_ages(&[14]), [14]);
    }
}
