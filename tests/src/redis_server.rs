//! A real `redis-server` for the tests of the shared rate limit and of the relay
//! (`hubspot-comms`'s suite uses this one too): on a Unix socket in a temporary directory of
//! its own (no port another test could take between a stop and a restart), stopped on drop;
//! saving nothing, or with AOF (`appendonly yes`, `appendfsync always`: the persistence the
//! relay's docs recommend), where a [`stop`](RedisServer::stop) (SIGKILL) and a
//! [`restart`](RedisServer::restart) keep what Redis acknowledged.
//!
//! Whether `redis-server` is installed is known when the suites are built (`build.rs` sets
//! `cfg(redis_server)`): tests that need one are marked
//! `#[cfg_attr(not(redis_server), ignore = "needs redis-server ...")]`, so that a machine
//! without it reports them as ignored with the reason; with `CI` set, a missing one fails the
//! build instead.

use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `redis-server` process of a test's own.
#[derive(Debug)]
pub struct RedisServer {
    dir: tempfile::TempDir,
    aof: bool,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts one that saves nothing. Panics with what to install if `redis-server` cannot be
    /// started.
    pub fn start() -> Self {
        Self::started(false)
    }

    /// Starts one with AOF, `appendfsync always`.
    pub fn start_aof() -> Self {
        Self::started(true)
    }

    fn started(aof: bool) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory for redis-server");
        let mut server = Self {
            dir,
            aof,
            child: None,
        };
        server.restart();
        server
    }

    /// `redis+unix:///<its socket>`.
    pub fn url(&self) -> String {
        format!("redis+unix://{}", self.socket().display())
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("redis.sock")
    }

    /// Kills the server with SIGKILL, as a crash would: no shutdown, no last save (the socket's
    /// path stays this server's: [`restart`](Self::restart) uses it).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_file(self.socket());
    }

    /// Starts the server again on its socket and directory (empty, or with AOF what it had)
    /// and waits until it answers.
    pub fn restart(&mut self) {
        self.stop();
        let persistence: &[&str] = if self.aof {
            &["--appendonly", "yes", "--appendfsync", "always"]
        } else {
            &["--appendonly", "no"]
        };
        let child = Command::new("redis-server")
            // No TCP at all: the socket in this server's own directory is its only address.
            .args(["--port", "0"])
            .arg("--unixsocket")
            .arg(self.socket())
            .args(["--unixsocketperm", "700"])
            .args(["--save", ""])
            .args(persistence)
            .arg("--dir")
            .arg(self.dir.path())
            .args(["--loglevel", "warning"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "cannot start redis-server ({error}): the shared rate limit's and the \
                     relay's tests need it installed (Debian: apt-get install redis-server; \
                     .ci/run installs it)"
                )
            });
        self.child = Some(child);
        let started = Instant::now();
        // Accepting connections is not enough: while it loads its AOF it answers LOADING.
        while !self.answers() {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!(
                    "redis-server exited at start ({status}) on {}",
                    self.socket().display()
                );
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not answer within 10 s"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl RedisServer {
    /// Whether it answers `PING` with `PONG`.
    fn answers(&self) -> bool {
        use std::io::{Read, Write};
        let Ok(mut stream) = UnixStream::connect(self.socket()) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
        let mut answer = [0u8; 64];
        stream.write_all(b"PING\r\n").is_ok()
            && stream
                .read(&mut answer)
                .is_ok_and(|read| answer[..read].starts_with(b"+PONG"))
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A Redis URL nothing listens on, nor ever will: a socket in a directory that is gone.
pub fn nowhere() -> String {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("redis+unix://{}", dir.path().join("redis.sock").display());
    drop(dir);
    url
}
