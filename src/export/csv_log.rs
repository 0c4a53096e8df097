//! The simulator's CSV files: `events.csv`, `deals.csv`, `truth.csv`.
//!
//! Rows are formatted by hand: tens of millions of rows are written per run and generic
//! serialisation would dominate it. Names are validated identifiers (no commas, quotes or
//! newlines), so no CSV quoting is ever needed; numbers use fixed decimals.

use crate::log::{Deal, Event, Lifecycle, Symbols};
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

/// Appends a deal value as the importers write it: nothing when missing (NaN), a whole number
/// without decimals (every simulated value), else the shortest text that reads back as `x` —
/// so that a log cut or re-written keeps an imported value (1234.56) as it was.
fn push_value(out: &mut Vec<u8>, x: f64) {
    if x.is_nan() {
        return;
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        push_fixed(out, x, 0);
    } else {
        use std::io::Write as _;
        let _ = write!(out, "{x}");
    }
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

/// Appends one `events.csv` row.
pub fn write_event(out: &mut Vec<u8>, sy: &Symbols, deal: &Deal, e: &Event) {
    write_events(out, sy, deal, std::slice::from_ref(e));
}

/// Appends the `events.csv` rows of `events`, all of `deal`. For many deals, [`EventRows`]
/// writes the same bytes faster.
pub fn write_events(out: &mut Vec<u8>, sy: &Symbols, deal: &Deal, events: &[Event]) {
    let mut id = itoa::Buffer::new();
    let id = id.format(deal.id.0).as_bytes();
    let segment = sy.name(deal.segment).as_bytes();
    for e in events {
        out.extend_from_slice(id);
        out.push(b',');
        out.extend_from_slice(sy.name(e.activity).as_bytes());
        out.push(b',');
        out.extend_from_slice(&e.time.iso_bytes());
        out.push(b',');
        out.extend_from_slice(sy.name(e.resource).as_bytes());
        out.push(b',');
        out.extend_from_slice(segment);
        out.push(b',');
        push_opt_name(out, sy, e.stage.get());
        out.push(b',');
        push_opt_name(out, sy, e.step.get());
        out.push(b',');
        out.extend_from_slice(e.lifecycle.as_str().as_bytes());
        out.push(b',');
        push_opt_name(out, sy, e.card_field.get());
        out.push(b',');
        if let Some(p) = e.forecast_probability.get() {
            push_fixed(out, p as f64, 2);
        }
        out.push(b',');
        if let Some(d) = e.expected_close.get() {
            out.extend_from_slice(&d.iso_bytes());
        }
        out.push(b'\n');
    }
}

/// Bytes of a [`Slot`]: a name and its comma, padded.
const SLOT: usize = 32;
/// Room for one row assembled by [`EventRows`]: at most 11 slots or fixed fields of at most
/// [`SLOT`] bytes each, plus one slot of headroom for the last fixed-size move.
const ROW: usize = 12 * SLOT;

/// A short field followed by its comma, padded so that it is copied with one fixed-size move.
#[derive(Clone, Copy)]
struct Slot {
    bytes: [u8; SLOT],
    len: usize,
}

impl Slot {
    /// `text` followed by a comma, if that fits.
    fn new(text: &[u8]) -> Option<Slot> {
        if text.len() >= SLOT {
            return None;
        }
        let mut bytes = [0; SLOT];
        bytes[..text.len()].copy_from_slice(text);
        bytes[text.len()] = b',';
        Some(Slot {
            bytes,
            len: text.len() + 1,
        })
    }
}

/// A row being assembled on the stack.
struct Row {
    buf: [u8; ROW],
    len: usize,
}

impl Row {
    #[inline(always)]
    fn slot(&mut self, s: &Slot) {
        self.buf[self.len..self.len + SLOT].copy_from_slice(&s.bytes);
        self.len += s.len;
    }

    #[inline(always)]
    fn fixed<const N: usize>(&mut self, bytes: &[u8; N]) {
        self.buf[self.len..self.len + N].copy_from_slice(bytes);
        self.len += N;
    }
}

/// Writes `events.csv` rows, byte for byte as [`write_events`] does, about twice as fast:
/// every name is prepared once as a padded `Slot`, so a row is assembled on the stack with
/// fixed-size moves (no call to `memcpy` per field) and appended with a single copy. Falls
/// back to [`write_events`] when a name is too long for a slot.
pub struct EventRows<'a> {
    symbols: &'a Symbols,
    /// One slot per symbol; `None` if some name does not fit.
    slots: Option<Vec<Slot>>,
}

impl<'a> EventRows<'a> {
    pub fn new(symbols: &'a Symbols) -> EventRows<'a> {
        let slots = (0..symbols.len() as u32)
            .map(|s| Slot::new(symbols.name(s).as_bytes()))
            .collect();
        EventRows { symbols, slots }
    }

    /// Appends the rows of `events`, all of `deal`.
    pub fn write(&self, out: &mut Vec<u8>, deal: &Deal, events: &[Event]) {
        let Some(slots) = &self.slots else {
            return write_events(out, self.symbols, deal, events);
        };
        let empty = Slot::new(b"").expect("fits");
        let start = Slot::new(Lifecycle::Start.as_str().as_bytes()).expect("fits");
        let complete = Slot::new(Lifecycle::Complete.as_str().as_bytes()).expect("fits");
        let opt = |s: Option<u32>| s.map_or(&empty, |s| &slots[s as usize]);
        let mut id = itoa::Buffer::new();
        let id = Slot::new(id.format(deal.id.0).as_bytes()).expect("20 digits fit");
        let segment = &slots[deal.segment as usize];
        let mut row = Row {
            buf: [0; ROW],
            len: 0,
        };
        out.reserve(events.len() * 128);
        for e in events {
            row.len = 0;
            row.slot(&id);
            row.slot(&slots[e.activity as usize]);
            row.fixed(&e.time.iso_bytes());
            row.fixed(b",");
            row.slot(&slots[e.resource as usize]);
            row.slot(segment);
            row.slot(opt(e.stage.get()));
            row.slot(opt(e.step.get()));
            row.slot(match e.lifecycle {
                Lifecycle::Start => &start,
                Lifecycle::Complete => &complete,
            });
            row.slot(opt(e.card_field.get()));
            if let Some(p) = e.forecast_probability.get() {
                // push_fixed(p, 2) for the usual 0 <= p < 10 as "d.dd"; anything else the
                // slow way, straight into `out`.
                let cents = (p as f64 * 100.0).round() as u64;
                if p >= 0.0 && cents < 1000 {
                    let [d0, d1, d2] =
                        [cents / 100, cents / 10 % 10, cents % 10].map(|d| b'0' + d as u8);
                    row.fixed(&[d0, b'.', d1, d2]);
                } else {
                    out.extend_from_slice(&row.buf[..row.len]);
                    row.len = 0;
                    push_fixed(out, p as f64, 2);
                }
            }
            row.fixed(b",");
            if let Some(d) = e.expected_close.get() {
                row.fixed(&d.iso_bytes());
            }
            row.fixed(b"\n");
            out.extend_from_slice(&row.buf[..row.len]);
        }
    }
}

pub fn write_deal(out: &mut Vec<u8>, sy: &Symbols, d: &Deal) {
    push_int(out, d.id.0);
    for s in [d.segment, d.rep, d.source] {
        out.push(b',');
        out.extend_from_slice(sy.name(s).as_bytes());
    }
    out.push(b',');
    push_value(out, d.value);
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
    use crate::time::{DayNum, Timestamp};
    use proptest::prelude::*;

    fn symbols(long: bool) -> Symbols {
        let mut sy = Symbols::default();
        for name in [
            "smb",
            "call",
            "smb-rep-01",
            "pre_sale",
            "first_meeting",
            "budget",
        ] {
            sy.intern(name);
        }
        sy.intern(if long {
            "a_step_name_much_longer_than_thirty_one_bytes"
        } else {
            "x"
        });
        sy
    }

    fn event() -> impl Strategy<Value = Event> {
        let sym = 0u32..7;
        let prob = prop_oneof![
            Just(None),
            (0.0f32..1.0).prop_map(Some),
            any::<f32>()
                .prop_filter("finite", |p| p.is_finite() && p.abs() < 1e12)
                .prop_map(Some),
            Just(Some(9.995)),
            Just(Some(-0.0)),
        ];
        (
            (0i64..4_000_000_000, sym.clone(), any::<bool>(), sym.clone()),
            (
                proptest::option::of(sym.clone()),
                proptest::option::of(sym.clone()),
            ),
            (
                proptest::option::of(sym),
                prob,
                proptest::option::of(0i32..40_000),
            ),
        )
            .prop_map(
                |((t, a, start, r), (stage, step), (card, p, close))| Event {
                    time: Timestamp(t),
                    activity: a,
                    lifecycle: if start {
                        Lifecycle::Start
                    } else {
                        Lifecycle::Complete
                    },
                    resource: r,
                    stage: stage.into(),
                    step: step.into(),
                    card_field: card.into(),
                    forecast_probability: p.into(),
                    expected_close: close.map(DayNum).into(),
                },
            )
    }

    proptest! {
        #[test]
        fn fast_rows_equal_plain_rows(
            events in proptest::collection::vec(event(), 0..20),
            id in any::<u64>(),
            long in any::<bool>(),
        ) {
            let sy = symbols(long);
            let deal = Deal::open_fixture(id, 0, 2, 1);
            let mut plain = b"prefix".to_vec();
            write_events(&mut plain, &sy, &deal, &events);
            let mut fast = b"prefix".to_vec();
            EventRows::new(&sy).write(&mut fast, &deal, &events);
            prop_assert_eq!(String::from_utf8(fast).unwrap(), String::from_utf8(plain).unwrap());
        }
    }

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
