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
pub mod vs_forecast;

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::output::FileSet;

/// The report page and its Markdown twin, written into the run directory.
pub const INDEX_HTML: &str = "index.html";
pub const SUMMARY_MD: &str = "summary.md";
/// Both pages [`render_into`] adds.
pub const FILES: [&str; 2] = [INDEX_HTML, SUMMARY_MD];

/// Renders `index.html` and `summary.md` of `dir` from its saved tables and returns the path
/// of `index.html`. Both pages are built in memory and written as one set, so a bad table
/// leaves the directory as it was.
pub fn render_dir(dir: &Path) -> Result<PathBuf, Error> {
    let mut set = FileSet::new(dir);
    render_into(&mut set)?;
    set.write()?;
    Ok(dir.join(INDEX_HTML))
}

/// Renders `index.html` and `summary.md` from the tables `set` will hold (those it adds over
/// those its directory has) and adds them to it: a command that scores or tunes renders the
/// report of its new tables before writing any.
pub fn render_into(set: &mut FileSet) -> Result<(), Error> {
    let data = load::RunData::read(set)?;
    let page = html::render(&data).map_err(|e| Error::Io {
        context: format!("drawing the plots of {}", set.dir().display()),
        source: std::io::Error::other(e.to_string()),
    })?;
    set.add(INDEX_HTML, page.into_bytes());
    set.add(SUMMARY_MD, markdown::render(&data).into_bytes());
    Ok(())
}
