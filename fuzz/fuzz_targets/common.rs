//! Shared by the fuzz targets: the input is written to a file (the importers read files) in
//! one temporary directory per process, and imported into a directory beside it.

use std::path::PathBuf;
use std::sync::OnceLock;

use dealsim::error::Error;
use dealsim::import::{import_to_dir, Importer};

pub fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temporary directory").keep())
}

/// Imports `bytes` (written to `name`) strictly and leniently. Bad input must be an
/// `InputError`; anything else (a panic, an I/O failure) is a finding.
pub fn run(name: &str, bytes: &[u8], importer: impl Fn(PathBuf) -> Box<dyn Importer>) {
    let input = dir().join(name);
    std::fs::write(&input, bytes).expect("write the input");
    for lenient in [false, true] {
        let out = dir().join("out");
        match import_to_dir(importer(input.clone()).as_ref(), name, &out, lenient) {
            Ok(summary) => assert!(summary.stats.cases > 0),
            // Nothing half-written on bad input.
            Err(Error::Input(_)) => assert!(!out.exists()),
            Err(e) => panic!("not an input error: {e}"),
        }
        let _ = std::fs::remove_dir_all(&out);
    }
}
