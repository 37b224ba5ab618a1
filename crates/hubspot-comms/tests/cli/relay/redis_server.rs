//! A real `redis-server` for the relay's tests, as the workspace's `tests` package starts one
//! (`tests/src/redis_server.rs`): on a Unix socket in a temporary directory of its own (no port
//! another test could take between a crash and a restart), stopped on drop. With AOF
//! (`appendonly yes`, `appendfsync always`: the persistence the relay's docs recommend), a
//! [`crash`](RedisServer::crash) (SIGKILL) and a [`start_again`](RedisServer::start_again)
//! keep what Redis acknowledged.
//!
//! Whether `redis-server` is installed is known when the suite is built (the package's
//! `build.rs` sets `cfg(redis_server)`); the tests that need one are marked
//! `#[cfg_attr(all(not(redis_server), not(relay_ci)), ignore = "...")]`.

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
    /// One that saves nothing.
    pub fn start() -> Self {
        Self::started(false)
    }

    /// One with AOF, `appendfsync always`.
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
        server.start_again();
        server
    }

    /// `redis+unix:///<its socket>`.
    pub fn url(&self) -> String {
        format!("redis+unix://{}", self.socket().display())
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("redis.sock")
    }

    /// Kills the server with SIGKILL, as a crash would: no shutdown, no last save.
    pub fn crash(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_file(self.socket());
    }

    /// Starts the server (again) on its socket and directory, and waits until it accepts
    /// connections: with AOF, it has loaded what it had.
    pub fn start_again(&mut self) {
        self.crash();
        let persistence: &[&str] = if self.aof {
            &[
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ]
        } else {
            &["--save", "", "--appendonly", "no"]
        };
        let child = Command::new("redis-server")
            // No TCP at all: the socket in this server's own directory is its only address.
            .args(["--port", "0"])
            .arg("--unixsocket")
            .arg(self.socket())
            .args(["--unixsocketperm", "700"])
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
                    "cannot start redis-server ({error}): the relay's tests need it installed \
                     (Debian: apt-get install redis-server)"
                )
            });
        self.child = Some(child);
        let started = Instant::now();
        // Accepting connections is not enough: while it loads its AOF it answers LOADING.
        loop {
            if let Ok(mut stream) = UnixStream::connect(self.socket()) {
                use std::io::{Read, Write};
                let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
                let mut answer = [0u8; 64];
                if stream.write_all(b"PING\r\n").is_ok()
                    && let Ok(read) = stream.read(&mut answer)
                    && answer[..read].starts_with(b"+PONG")
                {
                    return;
                }
            }
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

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.crash();
    }
}
