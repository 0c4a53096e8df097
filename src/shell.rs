//! Quoting for a POSIX shell, so that the command line a run records (`manifest.json`'s and
//! `sweep.json`'s `command`) runs again when pasted into a terminal, a path with a space or a
//! quote included. Not a shell parser, and not for building commands to execute: dealsim only
//! writes such lines down.
//!
//! A few lines rather than a dependency (`shlex`, `shell-words`): single quotes make every
//! character but the single quote itself literal in `sh`, bash and zsh alike, which is all
//! there is to it, and arguments that are not UTF-8 need a choice of ours anyway.

use std::borrow::Cow;
use std::ffi::OsString;

/// Whether `c` means nothing special to a shell anywhere in a word. `=` is left out: at the
/// start of a command it makes a variable assignment (`A=b cmd`); [`quote`] allows it inside
/// an argument (`--set model.pace=1,2` stays readable).
fn plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_./:,+@%".contains(c)
}

/// `arg` as one word of a POSIX shell command line, quoted only when needed: as it is when every
/// character is plain (letters, digits, `-_./:,+@%`, and `=` after the first character), else
/// in single quotes, a quote inside written `'\''` (close, escaped quote, reopen). An empty
/// argument is `''`.
pub fn quote(arg: &str) -> Cow<'_, str> {
    let bare = !arg.is_empty()
        && arg
            .char_indices()
            .all(|(i, c)| plain(c) || (c == '=' && i > 0));
    if bare {
        Cow::Borrowed(arg)
    } else {
        Cow::Owned(format!("'{}'", arg.replace('\'', r"'\''")))
    }
}

/// `args` (the program first, as from [`std::env::args_os`]) as one command line, each
/// quoted by [`quote`]; the program is quoted whenever it holds a `=`, which would make it an
/// assignment. An argument that is not UTF-8 (a byte path on Unix) is written with U+FFFD in
/// place of its stray bytes: the line is recorded as JSON text, which cannot hold them
/// (std::env::args, which panics on one, is therefore not used).
pub fn command_line(args: impl IntoIterator<Item = OsString>) -> String {
    args.into_iter()
        .enumerate()
        .map(|(i, arg)| {
            let arg = arg.to_string_lossy();
            if i == 0 && arg.contains('=') {
                format!("'{}'", arg.replace('\'', r"'\''"))
            } else {
                quote(&arg).into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn quotes_only_what_needs_it() {
        for (arg, quoted) in [
            ("--out", "--out"),
            ("reports/default-seed3", "reports/default-seed3"),
            ("model.pace=1,2", "model.pace=1,2"),
            ("my runs/x", "'my runs/x'"),
            ("it's", r"'it'\''s'"),
            ("", "''"),
            ("=x", "'=x'"),
            ("~/x", "'~/x'"),
            ("$HOME", "'$HOME'"),
            ("a*", "'a*'"),
            ("#x", "'#x'"),
            ("line\nbreak", "'line\nbreak'"),
        ] {
            assert_eq!(quote(arg), quoted, "{arg:?}");
        }
        let args = ["/opt/x=y/dealsim", "run", "--out", "my run"].map(OsString::from);
        assert_eq!(command_line(args), "'/opt/x=y/dealsim' run --out 'my run'");
    }

    #[cfg(unix)]
    #[test]
    fn an_argument_that_is_not_utf8_is_written_not_a_panic() {
        use std::os::unix::ffi::OsStringExt;
        let args = [
            OsString::from("dealsim"),
            OsString::from_vec(b"a\xffb".to_vec()),
        ];
        assert_eq!(command_line(args), "dealsim 'a\u{fffd}b'");
    }

    /// The words `sh` makes of `line`, as `printf '%s\0'` prints them.
    fn words_of(line: &str) -> Vec<String> {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("printf '%s\\0' {line}"))
            .output()
            .expect("sh runs");
        assert!(out.status.success(), "{line}");
        let text = String::from_utf8(out.stdout).expect("UTF-8 back");
        let mut words: Vec<String> = text.split('\0').map(String::from).collect();
        words.pop(); // after the last NUL
        words
    }

    proptest! {
        /// What the shell reads back is what was quoted: any text (but NUL, which no argument
        /// can hold), spaces, quotes, `$`, globs and newlines included.
        #[test]
        fn the_shell_reads_back_the_arguments(args in prop::collection::vec("[^\u{0}]{0,12}", 1..5)) {
            let line = args.iter().map(|a| quote(a).into_owned()).collect::<Vec<_>>().join(" ");
            prop_assert_eq!(words_of(&line), args);
        }
    }
}
