//! An event CSV's rows grouped by case, held compactly until each case is handed on.
//!
//! An event CSV need not keep a case's rows together (an export sorted by time interleaves
//! them), so the whole file is grouped before the first case can be written. Held as
//! [`RawEvent`]s, a 4.2-million-event log took 1.5 GB, since every event owns up to five
//! strings. Here an event is a fixed-size record whose names point into one table of the
//! distinct names (a log has a few dozen activities, steps and stages, and one resource per
//! rep), and a case turns back into [`RawEvent`]s only when it is taken out, one at a time.

use rustc_hash::FxHashMap;
use std::num::NonZeroU32;

use super::case::{Case, RawEvent};
use crate::log::Lifecycle;
use crate::time::{DayNum, Timestamp};

/// Cases in first-seen order, each with the line of its first row.
#[derive(Debug, Default)]
pub struct GroupedCases {
    names: Names,
    cases: Vec<Grouped>,
    index: FxHashMap<String, usize>,
}

#[derive(Debug)]
struct Grouped {
    /// The case with its deal fields and no events (they are in `events`).
    case: Case,
    line: usize,
    events: Vec<PackedEvent>,
}

impl GroupedCases {
    /// The case `id` (added, first seen at `line`, if new), to merge a row's deal fields
    /// into, and a pusher for the row's event.
    pub fn entry(&mut self, id: &str, line: usize) -> (&mut Case, EventPusher<'_>) {
        let i = match self.index.get(id) {
            Some(&i) => i,
            None => {
                self.cases.push(Grouped {
                    case: Case {
                        id: id.to_string(),
                        ..Case::default()
                    },
                    line,
                    events: Vec::new(),
                });
                self.index.insert(id.to_string(), self.cases.len() - 1);
                self.cases.len() - 1
            }
        };
        let grouped = &mut self.cases[i];
        (
            &mut grouped.case,
            EventPusher {
                names: &mut self.names,
                events: &mut grouped.events,
            },
        )
    }

    /// Hands `f` every case with its events restored, in first-seen order, and the line of
    /// its first row; stops at `f`'s first error.
    ///
    /// The events are restored into the same buffer case after case, reusing its strings:
    /// allocating them afresh for millions of events, among the holes the freed compact
    /// events leave, made glibc's allocator the bottleneck (half the import's time).
    pub fn for_each_case<E>(
        self,
        mut f: impl FnMut(&mut Case, usize) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut buffer: Vec<RawEvent> = Vec::new();
        for g in self.cases {
            buffer.truncate(g.events.len());
            for (i, packed) in g.events.iter().enumerate() {
                match buffer.get_mut(i) {
                    Some(e) => packed.unpack_into(e, &self.names),
                    None => buffer.push(packed.unpack(&self.names)),
                }
            }
            let mut case = Case {
                events: buffer,
                ..g.case
            };
            f(&mut case, g.line)?;
            buffer = case.events;
        }
        Ok(())
    }
}

/// Appends one event to a case of [`GroupedCases`].
pub struct EventPusher<'a> {
    names: &'a mut Names,
    events: &'a mut Vec<PackedEvent>,
}

impl EventPusher<'_> {
    pub fn push<S: AsRef<str>>(self, e: &RawEvent<S>) {
        let packed = PackedEvent::pack(e, self.names);
        self.events.push(packed);
    }
}

/// The distinct names of a log, each stored once.
#[derive(Debug, Default)]
struct Names {
    ids: FxHashMap<Box<str>, NameId>,
    names: Vec<Box<str>>,
}

/// A name's place in [`Names`], plus one (so that `Option<NameId>` takes no more room).
type NameId = NonZeroU32;

impl Names {
    fn id(&mut self, name: &str) -> NameId {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        self.names.push(name.into());
        // More than 4 billion distinct names would need a 40 GB table of names first.
        let id = u32::try_from(self.names.len())
            .ok()
            .and_then(NonZeroU32::new)
            .expect("fewer than 2^32 distinct names");
        self.ids.insert(name.into(), id);
        id
    }

    fn name(&self, id: NameId) -> &str {
        &self.names[id.get() as usize - 1]
    }
}

/// A [`RawEvent`] with its names replaced by their ids (64 bytes, none on the heap).
#[derive(Debug)]
struct PackedEvent {
    time: Timestamp,
    line: usize,
    forecast_probability: Option<f32>,
    expected_close: Option<DayNum>,
    activity: NameId,
    resource: NameId,
    stage: Option<NameId>,
    step: Option<NameId>,
    card_field: Option<NameId>,
    column: u32,
    lifecycle: Lifecycle,
}

// The room the doc comment promises: a field added must not silently grow every event.
const _: () = assert!(std::mem::size_of::<PackedEvent>() <= 64);

impl PackedEvent {
    fn pack<S: AsRef<str>>(e: &RawEvent<S>, names: &mut Names) -> PackedEvent {
        let mut opt = |s: &Option<S>| s.as_ref().map(|s| names.id(s.as_ref()));
        let (stage, step, card_field) = (opt(&e.stage), opt(&e.step), opt(&e.card_field));
        PackedEvent {
            time: e.time,
            line: e.at.0,
            forecast_probability: e.forecast_probability,
            expected_close: e.expected_close,
            activity: names.id(e.activity.as_ref()),
            resource: names.id(e.resource.as_ref()),
            stage,
            step,
            card_field,
            // A CSV row of more than 4 billion columns cannot be read in the first place.
            column: u32::try_from(e.at.1).unwrap_or(u32::MAX),
            lifecycle: e.lifecycle,
        }
    }

    fn unpack(&self, names: &Names) -> RawEvent {
        let mut e = RawEvent::new(self.time, "", "");
        self.unpack_into(&mut e, names);
        e
    }

    /// Overwrites `e` with this event, reusing its strings' room.
    fn unpack_into(&self, e: &mut RawEvent, names: &Names) {
        let set = |to: &mut String, id: NameId| {
            to.clear();
            to.push_str(names.name(id));
        };
        let set_opt = |to: &mut Option<String>, id: Option<NameId>| match (to.as_mut(), id) {
            (Some(s), Some(id)) => set(s, id),
            (_, id) => *to = id.map(|id| names.name(id).to_string()),
        };
        e.time = self.time;
        set(&mut e.activity, self.activity);
        e.lifecycle = self.lifecycle;
        set(&mut e.resource, self.resource);
        set_opt(&mut e.stage, self.stage);
        set_opt(&mut e.step, self.step);
        set_opt(&mut e.card_field, self.card_field);
        e.forecast_probability = self.forecast_probability;
        e.expected_close = self.expected_close;
        e.at = (self.line, self.column as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(time: i64, activity: &str, resource: &str) -> RawEvent {
        let mut e = RawEvent::new(Timestamp(time), activity, resource);
        e.at = (time as usize + 2, 3);
        e
    }

    #[test]
    fn interleaved_rows_come_back_grouped_in_first_seen_order_and_unchanged() {
        let mut full = event(5, "proposal_sent", "rep_1");
        full.lifecycle = Lifecycle::Start;
        full.stage = Some("proposal".into());
        full.step = Some("proposal_sent".into());
        full.card_field = Some("budget".into());
        full.forecast_probability = Some(0.25);
        full.expected_close = Some(DayNum(19_000));
        let rows = [
            ("b", event(1, "deal_created", "rep_2")),
            ("a", event(2, "deal_created", "rep_1")),
            ("b", event(3, "email", "rep_2")),
            ("a", full.clone()),
            ("b", event(4, "lost", "rep_2")),
        ];
        let mut grouped = GroupedCases::default();
        for (line, (id, e)) in rows.iter().enumerate() {
            let (case, events) = grouped.entry(id, line + 2);
            case.deal.segment.get_or_insert_with(|| format!("seg_{id}"));
            events.push(e);
        }
        let mut cases: Vec<(Case, usize)> = Vec::new();
        grouped
            .for_each_case(|c, line| {
                cases.push((c.clone(), line));
                Ok::<(), ()>(())
            })
            .unwrap();
        let ids: Vec<(&str, usize)> = cases.iter().map(|(c, l)| (c.id.as_str(), *l)).collect();
        assert_eq!(ids, [("b", 2), ("a", 3)]);
        assert_eq!(cases[0].0.deal.segment.as_deref(), Some("seg_b"));
        let of = |id: &str| -> Vec<RawEvent> {
            rows.iter()
                .filter(|(i, _)| *i == id)
                .map(|(_, e)| e.clone())
                .collect()
        };
        assert_eq!(cases[0].0.events, of("b"));
        assert_eq!(cases[1].0.events, of("a"));
        assert_eq!(cases[1].0.events[1], full);
    }

    #[test]
    fn each_distinct_name_is_stored_once() {
        let mut grouped = GroupedCases::default();
        for i in 0..100 {
            let (_, events) = grouped.entry(&format!("deal_{}", i % 7), i);
            events.push(&event(i as i64, ["email", "call"][i % 2], "rep_1"));
        }
        assert_eq!(grouped.names.names.len(), 3);
        assert_eq!(grouped.cases.len(), 7);
    }
}
