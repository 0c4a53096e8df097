//! Panels built directly, for tests of a tuned rule's figures given its flags.

use dealsim::indicators::Panel;
use dealsim::log::Outcome;

/// One segment of decided deals, `rep[i]` working deal i, all closed at age 50 (observed to
/// 200): a rule's figures need nothing else when its flags are given. One landmark, day 7.
pub fn decided_panel(lost: &[bool], rep: Vec<u32>) -> Panel {
    let n = lost.len();
    Panel {
        indicators: Vec::new(),
        landmarks: vec![7],
        segments: vec!["a".into()],
        deal_segment: vec![0; n],
        deal_rep: rep,
        outcome: lost
            .iter()
            .map(|&l| if l { Outcome::Lost } else { Outcome::Won })
            .collect(),
        close_age: vec![50.0; n],
        window_age: vec![200.0; n],
        at: Vec::new(),
    }
}

/// First flags of a rule flagging `flags` at the panel's landmark.
pub fn flagged_at_the_landmark(flags: &[bool]) -> Vec<Option<u8>> {
    flags.iter().map(|&f| f.then_some(0)).collect()
}
