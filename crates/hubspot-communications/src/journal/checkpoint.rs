//! Where a journal reader keeps its position.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use futures::future::BoxFuture;

use super::entry::{JournalOffset, JournalStart};
use crate::error::Error;

/// A journal reader's position: the offset of the last entry it handled. Save an entry's
/// offset once the entry is handled (written, applied); after a crash, read on after the
/// saved one ([`Checkpoint::start_or`]): at most the entries handled since the last save
/// are read again, each with its own offset, and none is missed.
///
/// [`FileCheckpoint`] keeps it in a file, [`RedisCheckpoint`](super::RedisCheckpoint) (the
/// `redis` feature) in Redis; implement it for another store. A failure is
/// [`Error::CheckpointUnavailable`].
pub trait Checkpoint: Send + Sync + fmt::Debug {
    /// The offset saved last, if any.
    fn load(&self) -> BoxFuture<'_, Result<Option<JournalOffset>, Error>>;

    /// Saves `offset` as the position, durably, in one step: a crash leaves the old offset or
    /// the new one.
    fn save<'a>(&'a self, offset: &'a JournalOffset) -> BoxFuture<'a, Result<(), Error>>;

    /// Where to read from: after the saved offset if there is one, else `otherwise`.
    fn start_or(&self, otherwise: JournalStart) -> BoxFuture<'_, Result<JournalStart, Error>> {
        Box::pin(async move { Ok(self.load().await?.map_or(otherwise, JournalStart::After)) })
    }
}

/// A position kept in a file: a small JSON document (`{"offset":"…"}`), replaced atomically
/// on each save (written to a temporary file beside it, flushed to disk, renamed over it, the
/// folder flushed), so that a crash at any moment leaves the previous position or the new
/// one, never a torn file.
///
/// ```no_run
/// use hubspot_communications::journal::{Checkpoint, FileCheckpoint, JournalOffset};
///
/// # async fn run() -> Result<(), hubspot_communications::Error> {
/// let checkpoint = FileCheckpoint::new("state/journal.offset");
/// checkpoint.save(&JournalOffset::new("550e8400-e29b-41d4-a716-446655440000")).await?;
/// assert!(checkpoint.load().await?.is_some());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct FileCheckpoint {
    path: PathBuf,
}

impl FileCheckpoint {
    /// A checkpoint in the file at `path` (its folder must exist; the file is created on the
    /// first save).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn unavailable(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Error {
    Error::CheckpointUnavailable(error.into())
}

/// Runs blocking file work off the runtime's threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(unavailable)?
        .map_err(unavailable)
}

impl Checkpoint for FileCheckpoint {
    fn load(&self) -> BoxFuture<'_, Result<Option<JournalOffset>, Error>> {
        let path = self.path.clone();
        Box::pin(async move {
            let text = blocking(move || match std::fs::read(&path) {
                Ok(bytes) => Ok(Some((path, bytes))),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(error) => Err(error),
            })
            .await?;
            let Some((path, bytes)) = text else {
                return Ok(None);
            };
            let saved: Option<serde_json::Value> = serde_json::from_slice(&bytes).ok();
            let offset = saved
                .as_ref()
                .and_then(|saved| saved.get("offset"))
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| {
                    unavailable(format!(
                        "{} is not a journal checkpoint (`{{\"offset\":\"…\"}}`)",
                        path.display()
                    ))
                })?;
            Ok(Some(JournalOffset::new(offset)))
        })
    }

    fn save<'a>(&'a self, offset: &'a JournalOffset) -> BoxFuture<'a, Result<(), Error>> {
        let path = self.path.clone();
        let mut body = serde_json::json!({ "offset": offset.as_str() }).to_string();
        body.push('\n');
        Box::pin(async move { blocking(move || replace_atomically(&path, body.as_bytes())).await })
    }
}

/// Writes `bytes` to `path` so that a crash leaves the old file or the new one.
fn replace_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("a checkpoint path names a file"))?;
    let mut temporary = name.to_owned();
    temporary.push(format!(".{}.tmp", std::process::id()));
    let temporary = folder.join(temporary);
    let written = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
        return written;
    }
    // The rename itself, made durable (where the platform can open a folder).
    if let Ok(folder) = std::fs::File::open(&folder) {
        let _ = folder.sync_all();
    }
    Ok(())
}
