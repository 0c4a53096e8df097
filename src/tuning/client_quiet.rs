//! Whether a chosen rule caught its losses while the client was still there.
//!
//! A rule's lead time runs from its first flag to the recorded loss. Lost deals go quiet
//! first: the client stops answering, and the deal is closed as lost weeks later (a median of
//! three weeks in the default scenario). A flag raised in that silence has a long lead on
//! paper but comes after the client has gone: a reviewer found that 46% of the default smb
//! rule's caught losses were flagged after the client's last recorded activity, and the
//! median flag came 1.8 days before it, against a lead of 23 days to the recorded loss. These
//! figures say how much of the lead is time to act.

use serde::Serialize;

use crate::indicators::Panel;
use crate::log::{Log, Outcome};
use crate::stats::quantile::median;
use crate::time::SECONDS_PER_DAY;

/// The resource of the client's own events (replies, feedback, a signature) in a log: the
/// simulator's, and the one the default indicators read the client's silence from.
pub const CLIENT: &str = "client";

/// A rule's flagged lost deals against the client's last recorded activity before the loss.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClientQuiet {
    /// Lost deals the rule flagged.
    pub flagged_lost: usize,
    /// Of them, those flagged before the client's last recorded activity (a deal without any
    /// client activity is not: its client is taken as gone from the creation).
    pub before_last_activity: usize,
    /// Median days from the first flag to the client's last activity before the loss,
    /// negative when the flag came after it; NaN when no lost deal is flagged.
    pub median_days_to_last_activity: f64,
}

/// [`ClientQuiet`] on the tuning deals and, when some are held out, on the held-out ones.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClientQuietParts {
    pub tuning: ClientQuiet,
    pub holdout: Option<ClientQuiet>,
}

impl ClientQuiet {
    /// The share of flagged lost deals flagged before the client's last activity (NaN when
    /// none is flagged).
    pub fn share_before(&self) -> f64 {
        self.before_last_activity as f64 / self.flagged_lost as f64
    }
}

/// [`ClientQuiet`] of the rule flagging `first` (the landmark index of each deal's first flag)
/// on the lost deals among `members`; `None` when no event of `log` is the client's, so that
/// nothing can be said (a CRM export of deal rows only).
pub fn client_quiet(
    log: &Log,
    panel: &Panel,
    members: &[usize],
    first: &[Option<u8>],
) -> Option<ClientQuiet> {
    let client = log.symbols.get(CLIENT)?;
    let mut flagged_lost = 0;
    let mut before = 0;
    let mut days = Vec::new();
    for &i in members {
        let Some(l) = first[i].filter(|_| panel.outcome[i] == Outcome::Lost) else {
            continue;
        };
        flagged_lost += 1;
        let deal = &log.deals[i];
        let closed = deal.closed.map_or(i64::MAX, |c| c.0);
        // A client never active is taken as gone from the deal's creation.
        let last = log
            .events_of(i)
            .iter()
            .filter(|e| e.resource == client && e.time.0 <= closed)
            .map(|e| e.time.0)
            .max()
            .unwrap_or(deal.created.0);
        let flagged_at = deal.created.0 + i64::from(panel.landmarks[l as usize]) * SECONDS_PER_DAY;
        before += usize::from(last > flagged_at);
        days.push((last - flagged_at) as f64 / SECONDS_PER_DAY as f64);
    }
    Some(ClientQuiet {
        flagged_lost,
        before_last_activity: before,
        median_days_to_last_activity: median(&days).unwrap_or(f64::NAN),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Six deals flagged (or not) at landmarks 7 and 14, by hand: the lost ones flagged count,
    /// each against the client's last activity before its close (a client never active is
    /// gone from the creation; an event after the close is not the client's last activity).
    #[test]
    fn flagged_losses_against_the_clients_last_activity_by_hand() {
        let dir = tempfile::tempdir().unwrap();
        let deals = "case_id,segment,created,outcome,closed\n\
                     a,s,2025-01-06T09:00:00,lost,2025-02-10T09:00:00\n\
                     b,s,2025-01-06T09:00:00,lost,2025-02-10T09:00:00\n\
                     c,s,2025-01-06T09:00:00,lost,2025-02-10T09:00:00\n\
                     d,s,2025-01-06T09:00:00,lost,2025-02-10T09:00:00\n\
                     e,s,2025-01-06T09:00:00,won,2025-02-10T09:00:00\n\
                     f,s,2025-01-06T09:00:00,lost,2025-02-05T09:00:00\n";
        let events = "case_id,activity,timestamp,resource\n\
                      a,reply,2025-01-09T09:00:00,client\n\
                      a,reply,2025-01-16T09:00:00,client\n\
                      b,reply,2025-01-08T09:00:00,client\n\
                      c,call,2025-01-08T09:00:00,rep\n\
                      d,reply,2025-01-20T09:00:00,client\n\
                      e,reply,2025-01-30T09:00:00,client\n\
                      f,reply,2025-01-11T09:00:00,client\n\
                      f,reply,2025-02-15T09:00:00,client\n";
        std::fs::write(dir.path().join("deals.csv"), deals).unwrap();
        std::fs::write(dir.path().join("events.csv"), events).unwrap();
        let log = crate::log::read::read_log(
            &dir.path().join("events.csv"),
            &dir.path().join("deals.csv"),
        )
        .unwrap();
        // Only the outcomes and landmarks are read.
        let panel = Panel {
            indicators: Vec::new(),
            landmarks: vec![7, 14],
            segments: Vec::new(),
            deal_segment: Vec::new(),
            deal_rep: Vec::new(),
            outcome: log.deals.iter().map(|d| d.outcome).collect(),
            close_age: Vec::new(),
            window_age: Vec::new(),
            at: Vec::new(),
        };
        // a at day 7 (client last active on day 10: 3 days before), b at 14 (day 2: 12
        // after), c at 7 (never active: 7 after), d not flagged, e won, f at 7 (day 5, the
        // reply after its close not counted: 2 after).
        let first = [Some(0), Some(1), Some(0), None, Some(0), Some(0)];
        let q = client_quiet(&log, &panel, &[0, 1, 2, 3, 4, 5], &first).unwrap();
        assert_eq!(
            q,
            ClientQuiet {
                flagged_lost: 4,
                before_last_activity: 1,
                median_days_to_last_activity: -4.5,
            }
        );
        assert_eq!(q.share_before(), 0.25);
        // Only the members count.
        let q = client_quiet(&log, &panel, &[0], &first).unwrap();
        assert_eq!((q.flagged_lost, q.before_last_activity), (1, 1));
        assert_eq!(q.median_days_to_last_activity, 3.0);
    }
}
