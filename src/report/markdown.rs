//! `summary.md`: the answer and the ranking tables in Markdown, for a pull request or a wiki.
//! Same words and numbers as the HTML ([`super::answer`]); the plots stay in `index.html`.

use std::fmt::Write as _;

use super::answer::{self, fmt_auc, AUC_DAYS};
use super::load::RunData;
use crate::export::scores::{SCORES_CSV, SUMMARY_CSV};

/// Escapes the characters that would break a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// Renders the summary.
pub fn render(data: &RunData) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Which indicators warn of a lost deal earliest?\n\nRun: {}. AUC target {:.2}, censoring `{}`{}, {}{}. Plots: `index.html`.\n\n## The answer\n",
        super::html::run_name(data),
        data.meta.options.target,
        data.meta.options.censoring.mode,
        data.meta.options.censoring.horizon_text(),
        data.meta.options.interval.describe(
            data.meta.options.bootstrap,
            data.meta.options.cluster
        ),
        if data.meta.options.interval == crate::scoring::IntervalMethod::Bootstrap {
            format!(" (bootstrap seed {})", data.meta.options.seed)
        } else {
            String::new()
        }
    );
    let segments = data.segments();
    for seg in &segments {
        let _ = writeln!(out, "- {}", answer::sentence(data, seg));
    }
    let _ = writeln!(
        out,
        "\n\"Reliable\": the 95% interval of the AUC stays at or above the target at three landmarks in a row. Data: `{SUMMARY_CSV}`, intervals in `{SCORES_CSV}`."
    );
    let _ = writeln!(out, "\n{}", crate::scoring::summary::CHANCE_LEGEND);
    if data.baseline().is_some() {
        let _ = writeln!(out, "\n{}", super::vs_forecast::LEGEND);
    }
    if segments.contains(&crate::scoring::POOLED) {
        let _ = writeln!(out, "\n{}", crate::scoring::summary::POOLED_LEGEND);
    }
    for seg in &segments {
        let _ = write!(
            out,
            "\n### {seg}\n\n| rank | indicator | controlled by | reliable from |"
        );
        for d in AUC_DAYS {
            let _ = write!(out, " {} [95% CI] |", data.auc_day_label(d));
        }
        let with_baseline = data.baseline().is_some();
        if with_baseline {
            out.push_str(" reliable vs rep forecast | AUC vs rep forecast (paired 95% CI) |");
        }
        out.push_str("\n|---:|---|---|---:|---:|---:|---:|");
        if with_baseline {
            out.push_str("---|---|");
        }
        out.push('\n');
        for r in answer::ranking(data, seg) {
            let s = r.summary;
            let mut name = format!("`{}`", cell(&s.indicator));
            if r.is_baseline {
                name = format!("**{name}** (baseline: the rep's forecast)");
            } else if r.is_truth {
                name.push_str(" *(research only)*");
            }
            let _ = write!(
                out,
                "| {} | {name} | {} | {} |",
                s.rank_text(),
                cell(&r.signal),
                r.reliable_from
            );
            for cell in r.cells {
                let ci = cell
                    .ci
                    .map_or(String::new(), |(lo, hi)| format!(" [{lo:.3}, {hi:.3}]"));
                let _ = write!(out, " {}{ci} |", fmt_auc(cell.auc));
            }
            if with_baseline {
                let _ = write!(
                    out,
                    " {} | {} |",
                    cell(&r.vs_baseline),
                    cell(&r.vs_baseline_paired)
                );
            }
            out.push('\n');
        }
    }
    out.push_str("\n### What the indicators measure\n\n| indicator | controlled by | riskier when | what it measures |\n|---|---|---|---|\n");
    for i in &data.meta.indicators {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            cell(&i.name),
            cell(&i.signal),
            answer::riskier_when(&i.direction),
            cell(&i.description)
        );
    }
    let warnings = super::html::run_warnings(data);
    if !warnings.is_empty() {
        out.push_str("\n## Warnings\n\n");
        for w in &warnings {
            let _ = writeln!(out, "- {w}");
        }
    }
    out
}
