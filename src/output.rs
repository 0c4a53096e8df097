//! Output directories that appear whole or not at all.
//!
//! A run writes into a hidden temporary directory beside the target and renames it into
//! place at the end, so an interrupted or failed run never leaves half-written files where
//! a user (or a later `dealsim report`) would read them; on Ctrl-C or SIGTERM the binary
//! removes the temporary directory too ([`remove_unfinished`]). The results get the permissions a
//! plain `create` would give them (the user's umask), not the owner-only ones of temporary
//! files: a report directory is meant to be shared.
//!
//! Replacing a directory deletes what it held, so dealsim replaces only what it wrote: every
//! directory it writes into lists the files it wrote in [`WRITTEN_LIST`], and an `--out`
//! directory holding anything else (a user's own files, a directory from before the list
//! existed) is refused before any work starts. So is an output that is, or holds, one of
//! the command's inputs ([`check_inputs_kept`]). A command that adds files to a directory
//! rather than replacing it (`score`, `tune`, `report`) replaces only those of its files that
//! dealsim wrote there ([`write_files`]).

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use crate::error::InputError;

pub struct OutputDir {
    target: PathBuf,
    // Dropped first: the directory is no longer unfinished once it is gone or in place.
    _unfinished: Unfinished,
    // Dropped before `created`: that one removes the parents the temporary directory was in.
    tmp: tempfile::TempDir,
    created: CreatedDirs,
}

/// The temporary directories of the [`OutputDir`]s alive, with the parents made for each
/// (deepest first), for [`remove_unfinished`]: an interrupt ends the process without running
/// their guards, and Ctrl-C or a CI timeout's SIGTERM left `.NAME.partial-*` directories
/// (237 MB two seconds into a large `simulate`) that no later run removed.
static UNFINISHED: Mutex<Vec<(PathBuf, Vec<PathBuf>)>> = Mutex::new(Vec::new());

/// An [`OutputDir`]'s entry in [`UNFINISHED`], taken out when it is dropped.
struct Unfinished(PathBuf);

impl Unfinished {
    fn register(dir: &Path, parents: &[PathBuf]) -> Unfinished {
        unfinished().push((dir.to_path_buf(), parents.to_vec()));
        Unfinished(dir.to_path_buf())
    }
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        unfinished().retain(|(dir, _)| *dir != self.0);
    }
}

fn unfinished() -> std::sync::MutexGuard<'static, Vec<(PathBuf, Vec<PathBuf>)>> {
    UNFINISHED.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Removes the temporary directories of every [`OutputDir`] not yet committed, and the
/// parents made for them, for an interrupt handler about to end the process; returns how
/// many there were. Another thread may still be writing into one: its new files then fail,
/// and a directory that gained one meanwhile is emptied again.
pub fn remove_unfinished() -> usize {
    let staged = unfinished();
    for (dir, parents) in staged.iter() {
        for _ in 0..10 {
            if fs::remove_dir_all(dir).is_ok() || !dir.exists() {
                break;
            }
        }
        for parent in parents {
            // Fails, and stops, at the first that is not empty.
            if fs::remove_dir(parent).is_err() {
                break;
            }
        }
    }
    staged.len()
}

/// The parent directories [`OutputDir::create`] made for the target, deepest first: removed
/// again when the directory is dropped without a commit (a failed import into `new/deep/imp`
/// left `new/deep/` behind), unless something else has been put in them meanwhile.
struct CreatedDirs(Vec<PathBuf>);

impl Drop for CreatedDirs {
    fn drop(&mut self) {
        for dir in &self.0 {
            // Fails, and stops, at the first that is not empty.
            if fs::remove_dir(dir).is_err() {
                break;
            }
        }
    }
}

impl OutputDir {
    /// Prepares a temporary directory next to `target`, creating its missing parents (removed
    /// again if the directory is dropped without a commit). Failing to do so is the user's
    /// problem to fix (a path that cannot be written), hence an [`InputError`].
    pub fn create(target: &Path) -> Result<OutputDir, InputError> {
        let origin = format!("--out {}", target.display());
        let cannot = |e: io::Error| {
            InputError::new(&origin, format!("cannot write the output directory: {e}"))
        };
        if target.exists() && !target.is_dir() {
            return Err(InputError::new(&origin, "exists and is not a directory"));
        }
        if target.is_dir() {
            refuse_to_replace(target, &origin)?;
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        check_no_file_in_the_way(&parent, &origin)?;
        let created = CreatedDirs(missing_ancestors(&parent));
        fs::create_dir_all(&parent).map_err(cannot)?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = plain_permissions(0o777)
            .prefix(&format!(".{name}.partial-"))
            .tempdir_in(&parent)
            .map_err(cannot)?;
        Ok(OutputDir {
            target: target.to_path_buf(),
            _unfinished: Unfinished::register(tmp.path(), &created.0),
            tmp,
            created,
        })
    }

    /// Where the directory will be once committed.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The temporary directory itself, for steps that write into a directory by path (as
    /// `dealsim run`'s scoring and tuning do); its files appear under the target on
    /// [`OutputDir::commit`].
    pub fn staging(&self) -> &Path {
        self.tmp.path()
    }

    /// Where to write a file now; it appears under the target on [`OutputDir::commit`].
    pub fn file(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// Moves the finished directory into place, replacing an earlier run's directory. On
    /// failure the earlier directory stays (or is put back) and the temporary one is removed.
    pub fn commit(self) -> io::Result<PathBuf> {
        let tmp = self.tmp.path();
        record_written(tmp, entry_names(tmp)?)?;
        if self.target.exists() {
            let parent = tmp.parent().unwrap_or(Path::new("."));
            let old = tempfile::Builder::new()
                .prefix(".dealsim-old-")
                .tempdir_in(parent)?;
            let previous = old.path().join("previous");
            fs::rename(&self.target, &previous)?;
            if let Err(e) = fs::rename(tmp, &self.target) {
                fs::rename(&previous, &self.target)?;
                return Err(e);
            }
            old.close()?;
        } else {
            fs::rename(tmp, &self.target)?;
        }
        // Renamed into place: nothing left for the temporary directory's guard to remove, and
        // the parents hold the target.
        let _ = self.tmp.keep();
        let mut created = self.created;
        created.0.clear();
        // Best effort: the directory is in place; unlisted, a later replacement of the parent
        // would only be refused, saying why.
        let _ = claim_in_parent(&self.target);
        Ok(self.target)
    }
}

/// `dir` and those of its ancestors that do not exist, deepest first.
fn missing_ancestors(dir: &Path) -> Vec<PathBuf> {
    dir.ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
        .map(Path::to_path_buf)
        .collect()
}

/// `create_dir_all` would only say "File exists" of a file where `dir` or one of its
/// ancestors should be a directory: names the file instead.
fn check_no_file_in_the_way(dir: &Path, origin: &str) -> Result<(), InputError> {
    match dir.ancestors().find(|a| a.exists() && !a.is_dir()) {
        Some(file) => Err(InputError::new(
            origin,
            format!(
                "cannot write the output directory: {} is a file, expected a directory",
                file.display()
            ),
        )),
        None => Ok(()),
    }
}

/// Checks, before the work, that the files `names` can be written into the directory `target`
/// (the `--out DIR` of `score` and `tune`, which add files to it): that it is a directory, or
/// can be created, that it (or the nearest existing parent, for a directory to create) takes
/// a new entry, and that none of `names` there is a user's file (one dealsim did not write).
/// A problem is an [`InputError`], as [`OutputDir::create`] makes it for the commands that
/// replace their directory: it failed after all the scoring, with exit 1. Nothing is left
/// behind: the probe is removed, no directory is created.
pub fn check_output_dir(target: &Path, names: &[&str]) -> Result<(), InputError> {
    let origin = format!("--out {}", target.display());
    if target.exists() && !target.is_dir() {
        return Err(InputError::new(&origin, "exists and is not a directory"));
    }
    check_no_file_in_the_way(target, &origin)?;
    let existing = target
        .ancestors()
        .map(|a| {
            if a.as_os_str().is_empty() {
                Path::new(".")
            } else {
                a
            }
        })
        .find(|a| a.exists())
        .unwrap_or(Path::new("."));
    let probe = if existing == target {
        plain_permissions(0o666).tempfile_in(existing).map(drop)
    } else {
        plain_permissions(0o777).tempdir_in(existing).map(drop)
    };
    probe.map_err(|e| {
        InputError::new(
            &origin,
            format!(
                "cannot write into {}: {}",
                existing.display(),
                probe_error(&e)
            ),
        )
    })?;
    refuse_foreign_files(target, names, &origin)
}

/// What stopped a probe file: its kind ("permission denied"), without the probe's own
/// random name that tempfile's message ends in.
fn probe_error(e: &io::Error) -> io::Error {
    io::Error::from(e.kind())
}

/// The names of `dir`'s entries (in no particular order).
pub fn entry_names(dir: &Path) -> io::Result<Vec<String>> {
    fs::read_dir(dir)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect()
}

/// The hidden file listing, one name per line, the files dealsim wrote into its directory.
pub const WRITTEN_LIST: &str = ".dealsim-files";

/// The names [`WRITTEN_LIST`] in `dir` holds (none when it is missing).
fn written_list(dir: &Path) -> io::Result<BTreeSet<String>> {
    match fs::read_to_string(dir.join(WRITTEN_LIST)) {
        Ok(text) => Ok(text
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(BTreeSet::new()),
        Err(e) => Err(e),
    }
}

/// Lists `dir` in its parent's [`WRITTEN_LIST`] when the parent is a directory dealsim wrote
/// (`flag`'s default `flags-DATE` beside a log, say): replacing the parent later (a new import
/// into it) then takes `dir` for dealsim's, not for a user's.
fn claim_in_parent(dir: &Path) -> io::Result<()> {
    let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
        return Ok(());
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    if written_list(parent)?.is_empty() {
        return Ok(());
    }
    record_written(parent, [name.to_string_lossy().into_owned()])
}

/// Adds `names` to `dir`'s [`WRITTEN_LIST`].
fn record_written(dir: &Path, names: impl IntoIterator<Item = String>) -> io::Result<()> {
    let mut list = written_list(dir)?;
    list.extend(names.into_iter().filter(|n| n != WRITTEN_LIST));
    let mut text = String::from(
        "# Files dealsim wrote here. It replaces this directory only if it holds nothing else.\n",
    );
    for name in list {
        text.push_str(&name);
        text.push('\n');
    }
    write_file_atomic(&dir.join(WRITTEN_LIST), text.as_bytes())
}

/// What `run` wrote before directories listed their files (`reports/` of earlier versions).
const OLDER_RUN_FILES: [&str; 18] = [
    "cohort_win_rate.csv",
    "cycle_lengths.csv",
    "deadlines.csv",
    "deals.csv",
    "events.csv",
    "funnel.csv",
    "index.html",
    "indicator_summary.csv",
    "inflow.csv",
    "manifest.json",
    "policy.md",
    "policy.toml",
    "review.csv",
    "scores.csv",
    "scores.json",
    "summary.md",
    "tradeoffs.csv",
    "truth.csv",
];

/// Whether `dir` is a run or simulation directory of a dealsim that did not list its files:
/// its `manifest.json` names the tool. Only [`OLDER_RUN_FILES`] count as written there.
fn is_older_run_directory(dir: &Path) -> bool {
    fs::read(dir.join("manifest.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .is_some_and(|m| m["tool"] == "dealsim")
}

/// The names of `dir`'s files that dealsim wrote: those its [`WRITTEN_LIST`] holds or, in a
/// run directory from before the list ([`is_older_run_directory`]), [`OLDER_RUN_FILES`]; and
/// whether `dir` has the list, for a message saying why a file does not count.
fn dealsim_files(dir: &Path) -> io::Result<(BTreeSet<String>, bool)> {
    let mut written = written_list(dir)?;
    let listed = !written.is_empty();
    if !listed && is_older_run_directory(dir) {
        written.extend(OLDER_RUN_FILES.iter().map(|n| n.to_string()));
    }
    Ok((written, listed))
}

/// Refuses an existing `--out` directory that holds what dealsim did not write, or that is
/// (or holds) the working directory, which cannot be renamed away.
fn refuse_to_replace(target: &Path, origin: &str) -> Result<(), InputError> {
    let cannot = |e: io::Error| InputError::new(origin, format!("cannot read the directory: {e}"));
    let here = std::env::current_dir().and_then(fs::canonicalize);
    let there = fs::canonicalize(target).map_err(cannot)?;
    if here.is_ok_and(|here| here.starts_with(&there)) {
        return Err(InputError::new(
            origin,
            "is the working directory (or holds it), which a run replaces as a whole: name a \
             directory to write into, e.g. --out results",
        ));
    }
    let (written, listed) = dealsim_files(target).map_err(cannot)?;
    let mut foreign = Vec::new();
    for entry in fs::read_dir(target).map_err(cannot)? {
        let name = entry
            .map_err(cannot)?
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name != WRITTEN_LIST && !written.contains(&name) {
            foreign.push(name);
        }
    }
    if foreign.is_empty() {
        return Ok(());
    }
    foreign.sort();
    let shown = foreign
        .iter()
        .take(5)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let more = match foreign.len() {
        n if n > 5 => format!(" and {} more", n - 5),
        _ => String::new(),
    };
    let unlisted = match listed {
        true => String::new(),
        false => format!(" (it has no {WRITTEN_LIST} list, as an older dealsim's output has none)"),
    };
    Err(InputError::new(
        origin,
        format!(
            "holds files dealsim did not write ({shown}{more}){unlisted}, and a run replaces its \
             output directory as a whole: choose another directory, or move them away"
        ),
    ))
}

/// Refuses to write the files `names` into `dir` (named `origin` in the message) when one of
/// them is there and dealsim did not write it ([`dealsim_files`]): a command that adds files
/// to a directory would replace a user's `index.html` and then list it as its own, so that
/// later commands replaced it without asking. Files the command does not write are none of its
/// business, and stay whatever they are.
fn refuse_foreign_files(dir: &Path, names: &[&str], origin: &str) -> Result<(), InputError> {
    let cannot = |e: io::Error| InputError::new(origin, format!("cannot read the directory: {e}"));
    let (written, _) = dealsim_files(dir).map_err(cannot)?;
    let foreign: Vec<&str> = (names.iter().copied())
        .filter(|&n| !written.contains(n) && fs::symlink_metadata(dir.join(n)).is_ok())
        .collect();
    let (them, they) = match foreign.len() {
        0 => return Ok(()),
        1 => ("it", "it is"),
        _ => ("them", "they are"),
    };
    Err(InputError::new(
        origin,
        format!(
            "holds {}, which this command writes, and dealsim did not write {them} ({they} not \
             in its {WRITTEN_LIST}): choose another directory, or move {them} away",
            foreign.join(", ")
        ),
    ))
}

/// Refuses an `--out` directory of `score` or `tune` that holds a log (its `events.csv`, or a
/// run's `manifest.json`) other than the one read from `events`. The report rendered there
/// describes the directory's run, from its manifest, above the results of the log given, and
/// the directory's other tables are that log's: two runs that no reader could tell apart.
/// Paths are compared canonicalized, so `x/../run/events.csv` is `run`'s own log.
pub fn check_no_other_log(out: &Path, events: &Path) -> Result<(), InputError> {
    use crate::simulate::{EVENTS_FILE, MANIFEST_FILE};
    let Some(log) = [EVENTS_FILE, MANIFEST_FILE]
        .iter()
        .map(|name| out.join(name))
        .find(|path| path.exists())
    else {
        return Ok(());
    };
    let real = |p: &Path| fs::canonicalize(p).ok();
    if real(&log).is_some_and(|log| real(events) == Some(log)) {
        return Ok(());
    }
    Err(InputError::new(
        format!("--out {}", out.display()),
        format!(
            "holds another log ({}) than the --events file {}, and its report would describe \
             that log's run beside these results: choose an --out without a log, or omit --out \
             to write beside the --events file",
            log.display(),
            events.display()
        ),
    ))
}

/// What a command writes at its `--out` path, for [`check_inputs_kept`].
#[derive(Debug, Clone, Copy)]
pub enum Writes<'a> {
    /// A directory it replaces as a whole ([`OutputDir`]): `run`, `simulate`, `cut`, `flag`,
    /// `import`, `sweep`.
    Directory,
    /// These files, added to a directory that keeps the rest ([`write_files`]): `score`,
    /// `tune`.
    FilesIn(&'a [&'a str]),
    /// One file ([`write_file_atomic`]): `export`, `calibrate`.
    File,
}

/// Refuses an output that would replace one of the command's `inputs` (what it is, as
/// `--events file`, and its path, if given), before
/// any work: `cut --out x` on `x/events.csv`, or `export --out x/deals.csv` on
/// `x/deals.csv`, would destroy the history being read, and renaming the new output into
/// place makes that silent. Paths are compared canonicalized, so `x/../x/deals.csv` and
/// symbolic links count too; an input that does not exist is left for its reader to report.
pub fn check_inputs_kept(
    out: &Path,
    writes: Writes<'_>,
    inputs: &[(&str, Option<&Path>)],
) -> Result<(), InputError> {
    let origin = format!("--out {}", out.display());
    let Ok(out_real) = fs::canonicalize(out) else {
        // Nothing there yet: nothing there to replace.
        return Ok(());
    };
    for &(what, path) in inputs {
        let Some(path) = path else { continue };
        let Ok(real) = fs::canonicalize(path) else {
            continue;
        };
        let input = format!("the {what} {}", path.display());
        let problem = match writes {
            Writes::Directory if real == out_real => Some(format!("is {input}")),
            Writes::Directory if real.starts_with(&out_real) => Some(format!(
                "holds {input}, and this command replaces its output directory as a whole"
            )),
            Writes::File if real == out_real => Some(format!("is {input}")),
            Writes::FilesIn(names) => names
                .iter()
                .find(|n| fs::canonicalize(out.join(n)).is_ok_and(|w| w == real))
                .map(|n| format!("its {n}, which this command writes, is {input}")),
            _ => None,
        };
        if let Some(problem) = problem {
            return Err(InputError::new(
                origin,
                format!("{problem}: choose an output that is not an input"),
            ));
        }
    }
    Ok(())
}

/// The files one command writes into a directory, held in memory until [`FileSet::write`]
/// puts them there together ([`write_files`]). A later step reads an earlier one's files
/// through the set ([`FileSet::read`]): the report that `dealsim score` renders reads the new
/// scores before they are written, so a failure anywhere, in the report as in the scoring,
/// leaves the directory's scores, tables and report as they were, of one run.
pub struct FileSet {
    dir: PathBuf,
    files: Vec<(&'static str, Vec<u8>)>,
}

impl FileSet {
    /// An empty set of files for `dir`.
    pub fn new(dir: &Path) -> FileSet {
        FileSet {
            dir: dir.to_path_buf(),
            files: Vec::new(),
        }
    }

    /// The directory the set is for.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Adds `name` with `bytes`, replacing what the set held under that name.
    pub fn add(&mut self, name: &'static str, bytes: Vec<u8>) {
        match self.files.iter_mut().find(|(n, _)| *n == name) {
            Some((_, b)) => *b = bytes,
            None => self.files.push((name, bytes)),
        }
    }

    /// What `name` will hold once the set is written: the set's bytes, else the directory's
    /// file; `None` when neither has it.
    pub fn read(&self, name: &str) -> io::Result<Option<Cow<'_, [u8]>>> {
        if let Some((_, bytes)) = self.files.iter().find(|(n, _)| *n == name) {
            return Ok(Some(Cow::Borrowed(bytes)));
        }
        match fs::read(self.dir.join(name)) {
            Ok(bytes) => Ok(Some(Cow::Owned(bytes))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes the set into its directory ([`write_files`]).
    pub fn write(self) -> Result<(), crate::error::Error> {
        write_files(&self.dir, self.files)
    }
}

/// Writes `files` (name, bytes) into `dir`, creating it: the tables a command adds to a run
/// directory that may already hold others.
///
/// All of them are written to temporary files in `dir` before any is renamed into place, so
/// a write that fails (a full disk, a file-size limit) leaves every file of the set as it
/// was, not the first few replaced and the rest old. Only the renames, which take no space,
/// come after the first replaced file.
///
/// A file of the set that is in `dir` and that dealsim did not write is refused whoever the
/// caller: `score` and `tune` check it before their work ([`check_output_dir`]), `report
/// --from DIR`, which has little work to lose, here.
pub fn write_files<'a>(
    dir: &Path,
    files: impl IntoIterator<Item = (&'a str, Vec<u8>)>,
) -> Result<(), crate::error::Error> {
    fs::create_dir_all(dir).map_err(|e| {
        InputError::new(
            format!("--out {}", dir.display()),
            format!("cannot create the output directory: {e}"),
        )
    })?;
    let files: Vec<(&str, Vec<u8>)> = files.into_iter().collect();
    let names: Vec<&str> = files.iter().map(|(name, _)| *name).collect();
    refuse_foreign_files(dir, &names, &dir.display().to_string())?;
    let mut staged = Vec::new();
    for (name, bytes) in files {
        let path = dir.join(name);
        let file = staged_file(dir, &bytes).map_err(|e| not_written(dir, &path, e))?;
        staged.push((path, file, name.to_string()));
    }
    // Listed before they land: a listed name not yet there is harmless, a file dealsim wrote
    // but did not list would make the next run refuse the directory.
    let names = staged.iter().map(|(_, _, name)| name.clone());
    record_written(dir, names).map_err(|e| not_written(dir, &dir.join(WRITTEN_LIST), e))?;
    for (path, file, _) in staged {
        file.persist(&path)
            .map_err(|e| not_written(dir, &path, e.error))?;
    }
    Ok(())
}

/// `bytes` in a new temporary file in `dir`, to be renamed to its name.
fn staged_file(dir: &Path, bytes: &[u8]) -> io::Result<tempfile::NamedTempFile> {
    let mut f = plain_permissions(0o666).tempfile_in(dir)?;
    io::Write::write_all(&mut f, bytes)?;
    Ok(f)
}

/// The error of a file `path` of `dir` that could not be written. A directory that refuses it
/// (no permission, a read-only file system) is the user's `--out` to change, an
/// [`InputError`] as [`check_output_dir`] and [`OutputDir::create`] give; anything else (a
/// full disk) is a runtime failure.
fn not_written(dir: &Path, path: &Path, e: io::Error) -> crate::error::Error {
    match e.kind() {
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => InputError::new(
            format!("--out {}", dir.display()),
            format!("cannot write {}: {e}", path.display()),
        )
        .into(),
        _ => crate::error::Error::Io {
            context: format!("writing {}", path.display()),
            source: e,
        },
    }
}

/// Checks that a single output file (`--out FILE` of `calibrate` and `export`) can be
/// written, before the work that produces it: a directory of that name, a missing or
/// non-directory parent, or one that cannot be written to is an [`InputError`] now rather
/// than a failure after minutes of calibration. The probe file is removed again.
pub fn check_output_file(target: &Path) -> Result<(), InputError> {
    let origin = format!("--out {}", target.display());
    if target.is_dir() {
        return Err(InputError::new(
            &origin,
            "is a directory: expected a file name",
        ));
    }
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        let what = if parent.exists() {
            "is not a directory"
        } else {
            "does not exist"
        };
        return Err(InputError::new(
            &origin,
            format!("cannot write the file: {} {what}", parent.display()),
        ));
    }
    plain_permissions(0o666)
        .tempfile_in(parent)
        .map(drop)
        .map_err(|e| {
            InputError::new(
                &origin,
                format!(
                    "cannot write the file into {}: {}",
                    parent.display(),
                    probe_error(&e)
                ),
            )
        })
}

/// Writes a single file atomically (temporary file in the same directory, then rename).
pub fn write_file_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    staged_file(dir, bytes)?
        .persist(path)
        .map_err(|e| e.error)?;
    Ok(())
}

/// A temporary-file builder whose file or directory gets `mode` less the umask, as
/// `File::create` (0o666) and `create_dir` (0o777) would, instead of owner-only.
fn plain_permissions(mode: u32) -> tempfile::Builder<'static, 'static> {
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    builder
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Outputs get what a plain file and directory get under the same umask.
    #[cfg(unix)]
    #[test]
    fn outputs_have_the_permissions_of_plain_files_and_directories() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        fs::create_dir(root.path().join("plain")).unwrap();
        fs::write(root.path().join("plain/file"), b"x").unwrap();

        let out = OutputDir::create(&root.path().join("run")).unwrap();
        fs::write(out.file("file"), b"x").unwrap();
        let run = out.commit().unwrap();
        assert_eq!(mode(&run), mode(&root.path().join("plain")));
        assert_eq!(
            mode(&run.join("file")),
            mode(&root.path().join("plain/file"))
        );

        let single = root.path().join("single.toml");
        check_output_file(&single).unwrap();
        write_file_atomic(&single, b"x").unwrap();
        assert_eq!(mode(&single), mode(&root.path().join("plain/file")));
        assert_eq!(fs::read(&single).unwrap(), b"x");
    }

    /// A failed command (`import csv bad.csv --out new/deep/imp`) left `new/deep/` behind: the
    /// parents it created go with it, those that were there stay.
    #[test]
    fn parents_created_for_an_uncommitted_directory_are_removed() {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir(root.path().join("had")).unwrap();
        let out = OutputDir::create(&root.path().join("had/new/deep/imp")).unwrap();
        fs::write(out.file("events.csv"), b"x").unwrap();
        assert!(root.path().join("had/new/deep").is_dir());
        drop(out);
        assert_eq!(entry_names(&root.path().join("had")).unwrap().len(), 0);
        // One that received something else meanwhile stays, with what it holds.
        let out = OutputDir::create(&root.path().join("had/new/deep/imp")).unwrap();
        fs::write(root.path().join("had/new/mine"), b"x").unwrap();
        drop(out);
        assert_eq!(entry_names(&root.path().join("had/new")).unwrap(), ["mine"]);
        // Committed, they hold the target.
        let out = OutputDir::create(&root.path().join("a/b/imp")).unwrap();
        out.commit().unwrap();
        assert!(root.path().join("a/b/imp").is_dir());
    }

    /// `score` and `tune` add files to their `--out` after all the work: it is checked first,
    /// creating nothing.
    #[test]
    fn an_output_directory_is_checked_before_the_work() {
        let root = tempfile::tempdir().unwrap();
        let e = |p: &Path| check_output_dir(p, &[]).unwrap_err().to_string();
        fs::write(root.path().join("file"), b"x").unwrap();
        assert!(e(&root.path().join("file")).ends_with("exists and is not a directory"));
        let under_file = e(&root.path().join("file/a/out"));
        assert!(
            under_file.ends_with("file is a file, expected a directory"),
            "{under_file}"
        );
        check_output_dir(&root.path().join("new/deep/out"), &[]).unwrap();
        check_output_dir(root.path(), &[]).unwrap();
        assert_eq!(entry_names(root.path()).unwrap(), ["file"], "nothing left");
    }

    /// A directory that refuses new files is refused up front. (Not where permissions do not
    /// bite, as for root: there the directory takes the file.)
    #[cfg(unix)]
    #[test]
    fn a_read_only_output_directory_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let locked = root.path().join("locked");
        fs::create_dir(&locked).unwrap();
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();
        if tempfile::tempfile_in(&locked).is_ok() {
            eprintln!("skipped: permissions do not apply to this user");
            return;
        }
        let e = check_output_dir(&locked, &[]).unwrap_err().to_string();
        let said = format!("cannot write into {}: permission denied", locked.display());
        assert!(e.ends_with(&said), "{e}");
        let e = check_output_dir(&locked.join("sub"), &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot write into"), "{e}");
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn an_output_file_is_checked_before_the_work() {
        let root = tempfile::tempdir().unwrap();
        let e = |p: &Path| check_output_file(p).unwrap_err().to_string();
        assert!(e(root.path()).ends_with("is a directory: expected a file name"));
        assert!(e(&root.path().join("no/such.toml")).ends_with("no does not exist"));
        fs::write(root.path().join("file"), b"x").unwrap();
        assert!(e(&root.path().join("file/x.toml")).ends_with("file is not a directory"));
        // The probe leaves nothing behind.
        check_output_file(&root.path().join("ok.toml")).unwrap();
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 1);
    }
}
