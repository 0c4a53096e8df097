//! Reports people would rather look at: a self-contained `index.html` with inline SVG plots
//! and a `summary.md`, rendered from the tables saved in a run directory.
//!
//! [`render_dir`] reads only saved tables ([`load`]), never events, so `dealsim report
//! --from DIR` re-renders a run (or an imported log's scores) without recomputing. The
//! descriptive tables the plots need beyond the scores are computed once from the log by
//! [`tables`] when scoring. Not for: computing scores (that is [`crate::scoring`]).

pub mod answer;
pub mod html;
pub mod load;
pub mod markdown;
pub mod plots;
pub mod tables;

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::output::write_files;

/// The report page and its Markdown twin, written into the run directory.
pub const INDEX_HTML: &str = "index.html";
pub const SUMMARY_MD: &str = "summary.md";
/// Both pages [`render_dir`] writes.
pub const FILES: [&str; 2] = [INDEX_HTML, SUMMARY_MD];

/// Renders `index.html` and `summary.md` into `dir` from its saved tables and returns the
/// path of `index.html`. Both pages are built in memory first and each is written
/// atomically, so a bad table leaves the directory as it was.
pub fn render_dir(dir: &Path) -> Result<PathBuf, Error> {
    let data = load::RunData::load(dir)?;
    let page = html::render(&data).map_err(|e| Error::Io {
        context: format!("drawing the plots of {}", dir.display()),
        source: std::io::Error::other(e.to_string()),
    })?;
    let summary = markdown::render(&data);
    write_files(
        dir,
        [
            (INDEX_HTML, page.into_bytes()),
            (SUMMARY_MD, summary.into_bytes()),
        ],
    )?;
    Ok(dir.join(INDEX_HTML))
}
