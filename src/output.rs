//! Output directories that appear whole or not at all.
//!
//! A run writes into a hidden temporary directory beside the target and renames it into
//! place at the end, so an interrupted or failed run never leaves half-written files where
//! a user (or a later `dealsim report`) would read them. The results get the permissions a
//! plain `create` would give them (the user's umask), not the owner-only ones of temporary
//! files: a report directory is meant to be shared.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::InputError;

pub struct OutputDir {
    target: PathBuf,
    tmp: tempfile::TempDir,
}

impl OutputDir {
    /// Prepares a temporary directory next to `target` (creating parents). Failing to do so
    /// is the user's problem to fix (a path that cannot be written), hence an [`InputError`].
    pub fn create(target: &Path) -> Result<OutputDir, InputError> {
        let origin = format!("--out {}", target.display());
        let cannot = |e: io::Error| {
            InputError::new(&origin, format!("cannot write the output directory: {e}"))
        };
        if target.exists() && !target.is_dir() {
            return Err(InputError::new(&origin, "exists and is not a directory"));
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // create_dir_all would only say "File exists": name the file in the way instead.
        if let Some(file) = parent.ancestors().find(|a| a.exists() && !a.is_dir()) {
            return Err(InputError::new(
                &origin,
                format!(
                    "cannot write the output directory: {} is a file, expected a directory",
                    file.display()
                ),
            ));
        }
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
            tmp,
        })
    }

    /// Where to write a file now; it appears under the target on [`OutputDir::commit`].
    pub fn file(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// Moves the finished directory into place, replacing an earlier run's directory.
    pub fn commit(self) -> io::Result<PathBuf> {
        let tmp = self.tmp.keep();
        if self.target.exists() {
            let parent = tmp.parent().unwrap_or(Path::new("."));
            let old = tempfile::Builder::new()
                .prefix(".dealsim-old-")
                .tempdir_in(parent)?
                .keep();
            fs::rename(&self.target, old.join("previous"))?;
            fs::rename(&tmp, &self.target)?;
            fs::remove_dir_all(old)?;
        } else {
            fs::rename(&tmp, &self.target)?;
        }
        Ok(self.target)
    }
}

/// Writes `files` (name, bytes) into `dir`, creating it, each file atomically: the tables a
/// command adds to a run directory that may already hold others.
pub fn write_files<'a>(
    dir: &Path,
    files: impl IntoIterator<Item = (&'a str, Vec<u8>)>,
) -> Result<(), crate::error::Error> {
    use crate::error::IoContext;
    fs::create_dir_all(dir).map_err(|e| {
        InputError::new(
            format!("--out {}", dir.display()),
            format!("cannot create the output directory: {e}"),
        )
    })?;
    for (name, bytes) in files {
        let path = dir.join(name);
        write_file_atomic(&path, &bytes).context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
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
                format!("cannot write the file into {}: {e}", parent.display()),
            )
        })
}

/// Writes a single file atomically (temporary file in the same directory, then rename).
pub fn write_file_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut f = plain_permissions(0o666).tempfile_in(dir)?;
    io::Write::write_all(&mut f, bytes)?;
    f.persist(path).map_err(|e| e.error)?;
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
