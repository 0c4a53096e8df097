//! `dealsim run | head`: the reader stops early and closes the pipe. The job must not panic
//! on the closed stdout; it finishes and writes every file, as with stdout open.

use std::process::{Command, Stdio};

mod common;
use common::{dealsim, listing};

const RUN: [&str; 6] = ["run", "--quiet", "--deals", "400", "--bootstrap", "20"];

#[test]
fn a_closed_stdout_does_not_stop_the_run() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (open, closed) = (tmp.path().join("open"), tmp.path().join("closed"));
    dealsim()
        .args(RUN)
        .arg("--out")
        .arg(&open)
        .assert()
        .success();

    let mut child = Command::new(env!("CARGO_BIN_EXE_dealsim"))
        .args(RUN)
        .arg("--out")
        .arg(&closed)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    // Gone before the first line: the run's first write to stdout meets a closed pipe.
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && !stderr.contains("panicked"),
        "{:?}: {stderr}",
        output.status
    );
    assert_eq!(listing(&closed), listing(&open));
    for name in ["scores.csv", "policy.toml"] {
        assert_eq!(
            std::fs::read(closed.join(name)).unwrap(),
            std::fs::read(open.join(name)).unwrap(),
            "{name}"
        );
    }
}
