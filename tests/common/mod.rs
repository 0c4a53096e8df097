//! Helpers shared by the integration tests that run the `dealsim` binary.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

/// The binary under test, as a user would run it.
pub fn dealsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dealsim"))
}

/// Sorted names of the entries of `dir` (to check that nothing stray was written).
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("read directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Asserts that `out` is a success (exit 0), showing its stderr if not.
#[track_caller]
#[allow(dead_code)] // not every test binary that includes `common` uses it
pub fn succeeded(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
