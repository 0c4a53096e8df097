//! How the library reports progress: one phase at a time, on the [`ProgressBar`] the binary
//! passes in (hidden under `--quiet`, and in tests). A phase has a message and, when the
//! library knows it, a length; the binary draws a bar only for a known length.
//! Not for drawing: the binary (its `bars` module) styles the line.

use indicatif::ProgressBar;

/// Starts the phase `what` on `bar`, of `len` steps when known, with its own elapsed time and
/// eta. The length goes first and comes back last: a bar is drawn on every change, and in
/// between it would show the new phase at the old one's position, or the old one at 0%.
pub fn phase(bar: &ProgressBar, what: &'static str, len: Option<u64>) {
    bar.unset_length();
    bar.set_message(what);
    bar.reset();
    if let Some(len) = len {
        bar.set_length(len);
    }
}
