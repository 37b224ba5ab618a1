//! A real `redis-server` for the tests of the shared rate limit: on a Unix socket in a
//! temporary directory of its own (no port another test could take between a stop and a
//! restart), saving nothing, stopped on drop.
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
    child: Option<Child>,
}

impl RedisServer {
    /// Starts one. Panics with what to install if `redis-server` cannot be started.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory for redis-server");
        let mut server = Self { dir, child: None };
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

    /// Stops the server (the socket's path stays this server's: [`restart`](Self::restart)
    /// uses it).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_file(self.socket());
    }

    /// Starts the server again on its socket, empty, and waits until it accepts connections.
    pub fn restart(&mut self) {
        self.stop();
        let child = Command::new("redis-server")
            // No TCP at all: the socket in this server's own directory is its only address.
            .args(["--port", "0"])
            .arg("--unixsocket")
            .arg(self.socket())
            .args(["--unixsocketperm", "700"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(self.dir.path())
            .args(["--loglevel", "warning"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "cannot start redis-server ({error}): the shared rate limit's tests need it \
                     installed (Debian: apt-get install redis-server; .ci/run installs it)"
                )
            });
        self.child = Some(child);
        let started = Instant::now();
        while UnixStream::connect(self.socket()).is_err() {
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
                "redis-server did not accept connections within 10 s"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
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
