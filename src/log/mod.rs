//! The event log: the one shape every deal history takes, simulated or imported.
//!
//! A log is a table of [`Deal`]s (what is known at creation, plus the final outcome) and, per
//! deal, a time-ordered list of [`Event`]s. Names (activities, resources, segments, steps,
//! card fields) are interned in one [`Symbols`] table so events stay small and `Copy`.
//! Everything downstream (indicators, scoring, reports) reads only this module's types, so a
//! real CRM history imported into it is treated exactly like a simulated one.
//! Not for: hidden ground truth, which lives in `truth.csv` and never enters the log.

use rustc_hash::FxHashMap;

use crate::time::{DayNum, Timestamp};

/// The name every output gives the pooled "segment" (all deals together), so no log's own
/// segment may carry it.
pub const POOLED: &str = "all";

/// The segment importers give deals whose source names none.
pub const UNSEGMENTED: &str = "unsegmented";

/// An interned name; index into [`Symbols`].
pub type Sym = u32;

/// Interner for every name in a log.
///
/// Reading a log interns several names per event (tens of millions at a million deals), so the
/// index uses the Fx hash rather than the default SipHash, which guards against hash flooding
/// by hostile keys: these keys are the user's own activity and resource names.
#[derive(Debug, Clone, Default)]
pub struct Symbols {
    names: Vec<String>,
    index: FxHashMap<String, Sym>,
}

impl Symbols {
    pub fn intern(&mut self, name: &str) -> Sym {
        if let Some(&s) = self.index.get(name) {
            return s;
        }
        let s = self.names.len() as Sym;
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), s);
        s
    }

    pub fn get(&self, name: &str) -> Option<Sym> {
        self.index.get(name).copied()
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn name(&self, s: Sym) -> &str {
        &self.names[s as usize]
    }
}

/// Identifies a deal within a log (the `case_id` column). Not a row index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DealId(pub u64);

/// XES `lifecycle:transition` of an event: instantaneous events are `Complete`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    Start,
    Complete,
}

impl Lifecycle {
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Start => "start",
            Lifecycle::Complete => "complete",
        }
    }
}

/// One timestamped thing that happened in a deal: 40 bytes, so that a log of 42M events
/// takes 1.7 GB (with `Option` fields, whose tags double their size, it took 2.7 GB).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Event {
    pub time: Timestamp,
    pub activity: Sym,
    pub lifecycle: Lifecycle,
    pub resource: Sym,
    /// The deal's stage when the event happened.
    pub stage: Maybe<Sym>,
    /// The step of the stage map the event belongs to (or was current), if any.
    pub step: Maybe<Sym>,
    /// For client-card updates: the field filled in.
    pub card_field: Maybe<Sym>,
    /// For forecast updates: the rep's stated win probability.
    pub forecast_probability: Maybe<f32>,
    /// For forecast updates: the rep's expected close date.
    pub expected_close: Maybe<DayNum>,
}

/// An optional value in the size of the value alone: one value of the type, which no log
/// holds, stands for "none" ([`Niche::NONE`]). Read it with [`Maybe::get`]; make it from an
/// `Option` with `.into()`.
#[derive(Clone, Copy)]
pub struct Maybe<T: Niche>(T);

/// A type with a value that means "none" in a [`Maybe`].
pub trait Niche: Copy + PartialEq {
    const NONE: Self;
    fn is_none(self) -> bool;
}

/// No log has 2³² − 1 names.
impl Niche for Sym {
    const NONE: Sym = Sym::MAX;
    fn is_none(self) -> bool {
        self == Sym::MAX
    }
}

/// Probabilities are checked to lie in [0, 1] when read, so NaN is free.
impl Niche for f32 {
    const NONE: f32 = f32::NAN;
    fn is_none(self) -> bool {
        self.is_nan()
    }
}

/// Five million years before the epoch: no timestamp parses to it.
impl Niche for DayNum {
    const NONE: DayNum = DayNum(i32::MIN);
    fn is_none(self) -> bool {
        self.0 == i32::MIN
    }
}

impl<T: Niche> Maybe<T> {
    pub const NONE: Maybe<T> = Maybe(T::NONE);

    #[inline]
    pub fn get(self) -> Option<T> {
        (!self.0.is_none()).then_some(self.0)
    }
}

impl<T: Niche> From<Option<T>> for Maybe<T> {
    #[inline]
    fn from(value: Option<T>) -> Maybe<T> {
        Maybe(value.unwrap_or(T::NONE))
    }
}

impl<T: Niche> From<T> for Maybe<T> {
    #[inline]
    fn from(value: T) -> Maybe<T> {
        Maybe(value)
    }
}

/// Equal when both are none or both hold equal values (NaN is none, not unequal to itself).
impl<T: Niche> PartialEq for Maybe<T> {
    fn eq(&self, other: &Maybe<T>) -> bool {
        self.get() == other.get()
    }
}

impl<T: Niche + std::fmt::Debug> std::fmt::Debug for Maybe<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

/// How a deal ended, as far as the log knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Won,
    Lost,
    /// Still open at the end of the observation window: censored, not won.
    Open,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Won => "won",
            Outcome::Lost => "lost",
            Outcome::Open => "open",
        }
    }
}

/// One deal: what is known at creation, and its outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Deal {
    pub id: DealId,
    pub segment: Sym,
    pub rep: Sym,
    pub source: Sym,
    pub value: f64,
    pub created: Timestamp,
    /// When the deal was won or lost; `None` while open.
    pub closed: Option<Timestamp>,
    pub outcome: Outcome,
    pub lost_stage: Option<Sym>,
    pub lost_step: Option<Sym>,
}

#[cfg(test)]
impl Deal {
    /// A test fixture: an open deal created at time 0, worth 1, with these symbols.
    pub(crate) fn open_fixture(id: u64, segment: Sym, rep: Sym, source: Sym) -> Deal {
        Deal {
            id: DealId(id),
            segment,
            rep,
            source,
            value: 1.0,
            created: Timestamp(0),
            closed: None,
            outcome: Outcome::Open,
            lost_stage: None,
            lost_step: None,
        }
    }
}

pub mod cut;
pub mod extras;
pub mod read;

/// A whole log in memory: deals, and their events grouped by deal in time order.
#[derive(Debug, Clone)]
pub struct Log {
    pub symbols: Symbols,
    pub deals: Vec<Deal>,
    /// The original case id of each deal (row of `deals`).
    pub case_ids: Vec<String>,
    pub events: Vec<Event>,
    /// Events of deal `i` are `events[offsets[i]..offsets[i + 1]]`.
    pub offsets: Vec<usize>,
}

impl Log {
    pub fn events_of(&self, deal: usize) -> &[Event] {
        &self.events[self.offsets[deal]..self.offsets[deal + 1]]
    }

    /// The latest timestamp in the log (events, creations and closes).
    ///
    /// A deal's events are in time order, so its last one is its latest: one event per deal
    /// is read, not every event (scoring and tuning ask several times, and at a million deals
    /// a pass over the 42M events took about 0.2 s).
    pub fn last_timestamp(&self) -> Option<Timestamp> {
        let events = self
            .offsets
            .windows(2)
            .filter(|w| w[1] > w[0])
            .map(|w| self.events[w[1] - 1].time);
        let deals = self
            .deals
            .iter()
            .flat_map(|d| [Some(d.created), d.closed])
            .flatten();
        events.chain(deals).max()
    }

    /// The end of the observation window: the end of `last_day` if given, else of the log's
    /// last recorded day (the epoch for an empty log).
    pub fn window_end(&self, last_day: Option<DayNum>) -> Timestamp {
        let day = last_day.or_else(|| self.last_timestamp().map(|t| t.day()));
        day.map_or(Timestamp(0), |d| DayNum(d.0 + 1).start())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_takes_40_bytes() {
        assert_eq!(std::mem::size_of::<Event>(), 40);
        assert_eq!(std::mem::size_of::<Maybe<Sym>>(), 4);
    }

    #[test]
    fn maybe_round_trips_options_and_compares_like_them() {
        for o in [None, Some(0), Some(7), Some(Sym::MAX - 1)] {
            assert_eq!(Maybe::<Sym>::from(o).get(), o);
        }
        for o in [None, Some(0.0f32), Some(0.35), Some(1.0)] {
            assert_eq!(Maybe::<f32>::from(o).get(), o);
        }
        for o in [None, Some(DayNum(-719_468)), Some(DayNum(20_000))] {
            assert_eq!(Maybe::<DayNum>::from(o).get(), o);
        }
        // Two missing probabilities are equal (NaN inside), a value equals itself only.
        assert_eq!(Maybe::<f32>::NONE, Maybe::from(None::<f32>));
        assert_ne!(Maybe::<f32>::NONE, Maybe::from(0.5f32));
        assert_eq!(Maybe::from(0.5f32), Maybe::from(Some(0.5f32)));
        assert_eq!(format!("{:?}", Maybe::<Sym>::NONE), "None");
    }
}
