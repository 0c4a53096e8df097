//! The simulator's CSV files: `events.csv`, `deals.csv`, `truth.csv`.
//!
//! Rows are formatted by hand: tens of millions of rows are written per run and generic
//! serialisation would dominate it. Names are validated identifiers (no commas, quotes or
//! newlines), so no CSV quoting is ever needed; numbers use fixed decimals.

use crate::log::{Deal, Event, Symbols};
use crate::sim::Truth;

/// Columns of `events.csv` (README, "Output files").
pub const EVENTS_HEADER: &str = "case_id,activity,timestamp,resource,segment,stage,step,lifecycle,card_field,forecast_probability,expected_close\n";
/// Columns of `deals.csv`.
pub const DEALS_HEADER: &str =
    "case_id,segment,rep,source,value,created,closed,outcome,lost_stage,lost_step\n";
/// Columns of `truth.csv` (hidden ground truth; never read by indicators).
pub const TRUTH_HEADER: &str = "case_id,segment,rep,health,rep_discipline,rep_optimism,late_rep_steps,skipped_rep_steps,health_logit,process_logit,loss_cause\n";

fn push_opt_name(out: &mut Vec<u8>, sy: &Symbols, s: Option<u32>) {
    if let Some(s) = s {
        out.extend_from_slice(sy.name(s).as_bytes());
    }
}

fn push_int(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// Appends `x` with `decimals` fixed decimals (x finite, |x| < 1e15).
fn push_fixed(out: &mut Vec<u8>, x: f64, decimals: u32) {
    let scale = 10u64.pow(decimals);
    let scaled = (x.abs() * scale as f64).round() as u64;
    if x < 0.0 && scaled != 0 {
        out.push(b'-');
    }
    push_int(out, scaled / scale);
    if decimals > 0 {
        out.push(b'.');
        let frac = scaled % scale;
        let digits = itoa::Buffer::new().format(frac).len() as u32;
        out.extend(std::iter::repeat_n(b'0', (decimals - digits) as usize));
        push_int(out, frac);
    }
}

pub fn write_event(out: &mut Vec<u8>, sy: &Symbols, deal: &Deal, e: &Event) {
    push_int(out, deal.id.0);
    out.push(b',');
    out.extend_from_slice(sy.name(e.activity).as_bytes());
    out.push(b',');
    e.time.write_iso(out);
    out.push(b',');
    out.extend_from_slice(sy.name(e.resource).as_bytes());
    out.push(b',');
    out.extend_from_slice(sy.name(deal.segment).as_bytes());
    out.push(b',');
    push_opt_name(out, sy, e.stage);
    out.push(b',');
    push_opt_name(out, sy, e.step);
    out.push(b',');
    out.extend_from_slice(e.lifecycle.as_str().as_bytes());
    out.push(b',');
    push_opt_name(out, sy, e.card_field);
    out.push(b',');
    if let Some(p) = e.forecast_probability {
        push_fixed(out, p as f64, 2);
    }
    out.push(b',');
    if let Some(d) = e.expected_close {
        d.write_iso(out);
    }
    out.push(b'\n');
}

pub fn write_deal(out: &mut Vec<u8>, sy: &Symbols, d: &Deal) {
    push_int(out, d.id.0);
    for s in [d.segment, d.rep, d.source] {
        out.push(b',');
        out.extend_from_slice(sy.name(s).as_bytes());
    }
    out.push(b',');
    push_fixed(out, d.value, 0);
    out.push(b',');
    d.created.write_iso(out);
    out.push(b',');
    if let Some(c) = d.closed {
        c.write_iso(out);
    }
    out.push(b',');
    out.extend_from_slice(d.outcome.as_str().as_bytes());
    out.push(b',');
    push_opt_name(out, sy, d.lost_stage);
    out.push(b',');
    push_opt_name(out, sy, d.lost_step);
    out.push(b'\n');
}

/// `loss_cause` names the larger push towards the loss at the end of a lost deal:
/// `process` (late/skipped rep steps), `health` (an unhealthy deal) or `chance` (neither).
pub fn write_truth(out: &mut Vec<u8>, sy: &Symbols, d: &Deal, t: &Truth) {
    push_int(out, d.id.0);
    out.push(b',');
    out.extend_from_slice(sy.name(d.segment).as_bytes());
    out.push(b',');
    out.extend_from_slice(sy.name(d.rep).as_bytes());
    for x in [t.health, t.discipline, t.optimism] {
        out.push(b',');
        push_fixed(out, x, 4);
    }
    out.push(b',');
    push_int(out, t.late_rep_steps as u64);
    out.push(b',');
    push_int(out, t.skipped_rep_steps as u64);
    for x in [t.health_logit, t.process_logit] {
        out.push(b',');
        push_fixed(out, x, 4);
    }
    out.push(b',');
    if d.outcome == crate::log::Outcome::Lost {
        let cause = if t.process_logit <= 0.0 && t.health_logit <= 0.0 {
            "chance"
        } else if t.process_logit >= t.health_logit {
            "process"
        } else {
            "health"
        };
        out.extend_from_slice(cause.as_bytes());
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_decimals() {
        let f = |x: f64, d: u32| {
            let mut v = Vec::new();
            push_fixed(&mut v, x, d);
            String::from_utf8(v).unwrap()
        };
        assert_eq!(f(0.35, 2), "0.35");
        assert_eq!(f(1.0, 2), "1.00");
        assert_eq!(f(0.05, 2), "0.05");
        assert_eq!(f(-1.23456, 4), "-1.2346");
        assert_eq!(f(-0.00001, 4), "0.0000");
        assert_eq!(f(12345.6, 0), "12346");
    }
}
