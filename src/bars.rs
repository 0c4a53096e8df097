//! Progress lines on stderr for the long commands, hidden by `--quiet`.
//!
//! The library starts each phase ([`dealsim::progress::phase`]) with its length when it knows
//! it (deals to simulate, bytes of a log to read, rounds to re-simulate) and without one when
//! it does not (the tuner, writing the files). A bar is drawn only for a known length; before
//! that the line shows the time spent: a bar at `0/0` or `0%` with "eta 0s" claims a length
//! the phase does not have.
//! Not for output: nothing here reaches stdout or a file.

use std::fmt;
use std::time::Duration;

use indicatif::{HumanCount, HumanDuration, ProgressBar, ProgressState, ProgressStyle};

/// How a bar counts its phase.
#[derive(Debug, Clone, Copy)]
pub enum Count {
    /// Things a user counts (`12,345/199,949 deals`), with their rate.
    Of(&'static str),
    /// A percentage: of bytes read, of indicator × landmark cells scored, of rounds.
    Percent,
}

/// A bar counting `unit`s (deals, runs) of the phase `what`.
pub fn counting(quiet: bool, what: &str, unit: &'static str) -> ProgressBar {
    line(quiet, "{msg:>10} {progress}", 40, Count::Of(unit), what)
}

/// A line for a command of several phases (`scoring`, `tuning`, `calibrating`), each of which
/// sets its message and, when it knows it, its length.
pub fn phases(quiet: bool, command: &str) -> ProgressBar {
    let template = format!("{{spinner}} {command}: {{msg:>10}} {{progress}}");
    line(quiet, &template, 30, Count::Percent, "")
}

/// A progress line drawn with `template`, whose `{progress}` is [`render`]ed; `--quiet`
/// hides it. It starts without a length.
fn line(quiet: bool, template: &str, width: usize, count: Count, what: &str) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::no_length();
    bar.set_style(style(template, width, count));
    bar.set_message(what.to_string());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn style(template: &str, width: usize, count: Count) -> ProgressStyle {
    let progress = move |state: &ProgressState, w: &mut dyn fmt::Write| {
        let shown = Shown {
            pos: state.pos(),
            len: state.len(),
            per_sec: state.per_sec(),
            elapsed: state.elapsed(),
            eta: state.eta(),
        };
        let _ = w.write_str(&render(&shown, width, count));
    };
    ProgressStyle::with_template(template)
        .expect("valid template")
        .with_key("progress", progress)
}

/// What a progress line reads of its bar's state.
#[derive(Debug, Clone, Copy)]
struct Shown {
    pos: u64,
    len: Option<u64>,
    /// Steps per second.
    per_sec: f64,
    elapsed: Duration,
    eta: Duration,
}

/// `[=====>    ] 12,345/199,949 deals (52,563/s, eta 3s)` or `[=====>    ]  42% (2s, eta 3s)`
/// with a length; without one, the time spent alone (`(2s)`). Rates are whole steps per
/// second: indicatif's own `{per_sec}` shows four decimals of a deal.
fn render(s: &Shown, width: usize, count: Count) -> String {
    let Some(len) = s.len else {
        return format!("({:#})", HumanDuration(s.elapsed));
    };
    let fraction = match len {
        0 => 1.0,
        _ => (s.pos as f64 / len as f64).min(1.0),
    };
    let bar = bar(fraction, width);
    match count {
        Count::Of(unit) => format!(
            "[{bar}] {}/{} {unit} ({}/s, eta {:#})",
            HumanCount(s.pos),
            HumanCount(len),
            HumanCount(s.per_sec.round() as u64),
            HumanDuration(s.eta)
        ),
        // Floored: 99.6% done is not 100%.
        Count::Percent => format!(
            "[{bar}] {:>3}% ({:#}, eta {:#})",
            (fraction * 100.0).floor(),
            HumanDuration(s.elapsed),
            HumanDuration(s.eta)
        ),
    }
}

/// `fraction` of `width` cells as `=`, a `>` at the head while unfinished, spaces after.
fn bar(fraction: f64, width: usize) -> String {
    let full = ((fraction * width as f64) as usize).min(width);
    let head = usize::from(full < width);
    format!(
        "{}{}{}",
        "=".repeat(full),
        ">".repeat(head),
        " ".repeat(width - full - head)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    fn shown(pos: u64, len: Option<u64>) -> Shown {
        Shown {
            pos,
            len,
            per_sec: 52_562.505_9,
            elapsed: Duration::from_secs(2),
            eta: Duration::from_secs(3),
        }
    }

    #[test]
    fn a_phase_of_unknown_length_shows_the_time_spent_alone() {
        for count in [Count::Percent, Count::Of("deals")] {
            assert_eq!(render(&shown(0, None), 10, count), "(2s)");
        }
    }

    #[test]
    fn a_bar_shows_whole_deals_per_second_and_a_true_percentage() {
        assert_eq!(
            render(&shown(50_000, Some(200_000)), 8, Count::Of("deals")),
            "[==>     ] 50,000/200,000 deals (52,563/s, eta 3s)"
        );
        assert_eq!(
            render(&shown(999, Some(1000)), 4, Count::Percent),
            "[===>]  99% (2s, eta 3s)"
        );
        assert_eq!(
            render(&shown(3, Some(3)), 4, Count::Percent),
            "[====] 100% (2s, eta 3s)"
        );
    }

    /// A terminal that keeps what is drawn on it.
    #[derive(Debug, Clone, Default)]
    struct Screen(Arc<Mutex<String>>);

    impl indicatif::TermLike for Screen {
        fn width(&self) -> u16 {
            120
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(&format!("{s}\n"))
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.0.lock().unwrap().push_str(s);
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The simulate bar drew a full bar reading `0/0 deals` before the engine said how many
    /// deals it would simulate; the score line drew `[   ] 0% (eta 0s)` all through reading a
    /// log, a phase that had no length.
    #[test]
    fn nothing_is_drawn_as_a_bar_before_its_length_is_known() {
        let screen = Screen::default();
        // Drawn now: `tick` does nothing while the steady ticker runs.
        let drawn = |bar: &ProgressBar| {
            bar.disable_steady_tick();
            bar.set_draw_target(indicatif::ProgressDrawTarget::term_like(Box::new(
                screen.clone(),
            )));
            bar.tick();
            std::mem::take(&mut *screen.0.lock().unwrap())
        };
        let simulate = counting(false, "simulate", "deals");
        let before = drawn(&simulate);
        assert!(before.contains("simulate (0s)"), "{before:?}");
        assert!(
            !before.contains("0/0") && !before.contains('['),
            "{before:?}"
        );
        simulate.set_length(200);
        simulate.inc(50);
        let after = drawn(&simulate);
        assert!(after.contains("50/200 deals"), "{after:?}");
        simulate.finish_and_clear();

        let score = phases(false, "scoring");
        dealsim::progress::phase(&score, "read log", None);
        let before = drawn(&score);
        assert!(before.contains("scoring:   read log (0s)"), "{before:?}");
        assert!(
            !before.contains('%') && !before.contains("eta"),
            "{before:?}"
        );
        score.finish_and_clear();
    }
}
