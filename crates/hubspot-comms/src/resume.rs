//! What every run that can stop and go on shares (`import`, `export`): the options (where it
//! keeps its state, whether to ignore the state an earlier run left, how it shows its progress,
//! the flag that stops it), and how its state file is loaded, saved and removed.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::durable;
use crate::progress::ShowProgress;

/// How a run keeps its state, shows its progress and is stopped.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RunOptions {
    /// The state file (by default beside the command's file: each command says where).
    pub state: Option<PathBuf>,
    /// Ignore the state of an earlier run: start from the top.
    pub restart: bool,
    /// How progress is shown (by default not at all).
    pub progress: ShowProgress,
    /// Set it to stop (Ctrl-C): what is in flight is finished, and the state is saved.
    pub stop: Arc<AtomicBool>,
}

/// A run's state file: JSON written whole (a reader sees the old state or the new one, never
/// half of one), of the one version of its format this build reads.
pub trait StateFile: Serialize + DeserializeOwned {
    /// What it is, in the error about a file that is not one: `an export's state file`.
    const WHAT: &'static str;
    /// The version of the format this build writes, and the only one it reads.
    const VERSION: u32;

    /// The version a loaded state says it has.
    fn version(&self) -> u32;

    /// The state at `path`, if there is one.
    fn load(path: &Path) -> io::Result<Option<Self>> {
        durable::load_json(path, Self::WHAT, Self::VERSION, Self::version)
    }

    /// Writes the state to `path` atomically (a temporary file beside it, flushed, renamed).
    fn save(&self, path: &Path) -> io::Result<()> {
        durable::save_json(self, path)
    }

    /// Removes the state file (after a complete run), if it is there.
    fn remove(path: &Path) -> io::Result<()> {
        durable::remove(path)
    }
}

/// Saves `state`, loads it back, and checks what every state file refuses: a file that is not
/// one, or of another version. For each command's state tests.
#[cfg(test)]
pub(crate) fn check_round_trip<T: StateFile + PartialEq + std::fmt::Debug>(state: &T) {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("run.state.json");
    assert!(T::load(&path).unwrap().is_none(), "no file is no state");
    state.save(&path).unwrap();
    assert_eq!(T::load(&path).unwrap().as_ref(), Some(state));
    assert!(!durable::temporary_path(&path).exists());
    let mut newer = serde_json::to_value(state).unwrap();
    newer["version"] = (T::VERSION + 1).into();
    std::fs::write(&path, newer.to_string()).unwrap();
    let refused = T::load(&path).unwrap_err();
    assert!(refused.to_string().contains("version"), "{refused}");
    std::fs::write(&path, b"[]").unwrap();
    assert_eq!(
        T::load(&path).unwrap_err().kind(),
        io::ErrorKind::InvalidData
    );
    T::remove(&path).unwrap();
    T::remove(&path).unwrap();
    assert!(!path.exists());
}
