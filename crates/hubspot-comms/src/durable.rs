//! Files that a crash leaves whole: written beside their final name, flushed to the disk and
//! renamed over it, so that a reader sees the old content or the new, never half of one. One
//! piece of code for the import's state, the export's state and the export's file; and the
//! names of the files kept beside another.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Writes `value` as pretty JSON to `path` atomically.
pub(crate) fn save_json(value: &impl Serialize, path: &Path) -> io::Result<()> {
    let bytes = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
    let temporary = temporary_path(path);
    {
        let mut file = File::create(&temporary)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
    }
    rename(&temporary, path)
}

/// Where [`save_json`] writes `path` before renaming it: `path` with `.tmp` added.
pub(crate) fn temporary_path(path: &Path) -> PathBuf {
    beside(path, ".tmp")
}

/// `path` with `suffix` added to its file name: the files a run keeps beside its input or
/// output (report, state, journal, partial file).
pub(crate) fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(suffix);
    path.with_file_name(name)
}

/// Renames `from` (already flushed) to `to`, and makes the rename itself durable.
pub(crate) fn rename(from: &Path, to: &Path) -> io::Result<()> {
    fs::rename(from, to)?;
    // The rename is durable once the directory is; not every platform can say so.
    if let Some(directory) = to.parent().filter(|p| !p.as_os_str().is_empty())
        && let Ok(directory) = File::open(directory)
    {
        let _ = directory.sync_all();
    }
    Ok(())
}

/// The JSON file at `path` (`None` if there is none), refused when it does not read as `what`
/// or when `version` says it was written by another version of the format than `expected`.
pub(crate) fn load_json<T: DeserializeOwned>(
    path: &Path,
    what: &str,
    expected: u32,
    version: impl Fn(&T) -> u32,
) -> io::Result<Option<T>> {
    let text = match fs::read(path) {
        Ok(text) => text,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error),
    };
    let value: T = serde_json::from_slice(&text).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is not {what}: {e}", path.display()),
        )
    })?;
    let found = version(&value);
    if found != expected {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} is a state file of version {found}, not {expected}",
                path.display()
            ),
        ));
    }
    Ok(Some(value))
}

/// The file an earlier run was writing, cut back to its first `bytes` (what that run's state
/// accounts for), open to go on writing after them.
pub(crate) fn cut_back(path: &Path, bytes: u64) -> io::Result<File> {
    let mut file = OpenOptions::new().write(true).open(path)?;
    let length = file.metadata()?.len();
    if length < bytes {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "it holds {length} bytes, fewer than the {bytes} the state file accounts for: \
                 start again with --restart"
            ),
        ));
    }
    file.set_len(bytes)?;
    file.seek(SeekFrom::Start(bytes))?;
    Ok(file)
}

/// Removes `path` if it is there.
pub(crate) fn remove(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}
