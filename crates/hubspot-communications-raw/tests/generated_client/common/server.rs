//! A tiny loopback HTTP/1.1 server that records each request-target exactly as it arrived
//! (wiremock parses targets into URLs, which would hide dot segments and backslashes) and
//! answers as told, including bodies too large to ever be read whole.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the server answers to every request.
#[derive(Debug, Clone)]
pub enum Answer {
    /// This status, no body.
    Empty(u16),
    /// This status and JSON body, with a Content-Length.
    Json(u16, String),
    /// This status and JSON body, chunked (no Content-Length), with this extra header.
    Chunked(u16, String, (&'static str, &'static str)),
    /// This status and a body that never ends: declared with this Content-Length, or chunked.
    Endless(u16, Option<u64>),
}

/// A running server.
pub struct Server {
    pub base_url: String,
    targets: Arc<Mutex<Vec<String>>>,
    written: Arc<AtomicU64>,
}

impl Server {
    /// Starts a server on an ephemeral loopback port.
    pub fn start(answer: Answer) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let targets = Arc::new(Mutex::new(Vec::new()));
        let written = Arc::new(AtomicU64::new(0));
        let (t, w) = (targets.clone(), written.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (t, w, answer) = (t.clone(), w.clone(), answer.clone());
                std::thread::spawn(move || serve(stream, &t, &w, &answer));
            }
        });
        Self {
            base_url,
            targets,
            written,
        }
    }

    /// The request-targets received since the last call (method, space, target).
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.targets.lock().unwrap())
    }

    /// Body bytes the server has managed to write so far.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::SeqCst)
    }
}

fn serve(stream: TcpStream, targets: &Mutex<Vec<String>>, written: &AtomicU64, answer: &Answer) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split(' ');
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    targets.lock().unwrap().push(format!("{method} {target}"));

    let mut stream = stream;
    let reason = |status: u16| format!("HTTP/1.1 {status} Whatever\r\nConnection: close\r\n");
    let result = match answer {
        Answer::Empty(status) => {
            write!(stream, "{}Content-Length: 0\r\n\r\n", reason(*status))
        }
        Answer::Json(status, json) => write!(
            stream,
            "{}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{json}",
            reason(*status),
            json.len()
        ),
        Answer::Chunked(status, json, (name, value)) => {
            let mut out = format!(
                "{}Content-Type: application/json\r\n{name}: {value}\r\nTransfer-Encoding: chunked\r\n\r\n",
                reason(*status)
            );
            for chunk in json.as_bytes().chunks(7) {
                out.push_str(&format!(
                    "{:x}\r\n{}\r\n",
                    chunk.len(),
                    std::str::from_utf8(chunk).unwrap()
                ));
            }
            out.push_str("0\r\n\r\n");
            stream.write_all(out.as_bytes())
        }
        Answer::Endless(status, declared) => {
            let framing = match declared {
                Some(length) => format!("Content-Length: {length}"),
                None => "Transfer-Encoding: chunked".to_owned(),
            };
            let head = format!(
                "{}Content-Type: application/json\r\n{framing}\r\n\r\n",
                reason(*status)
            );
            let block = vec![b' '; 64 * 1024];
            let mut chunk = format!("{:x}\r\n", block.len()).into_bytes();
            chunk.extend_from_slice(&block);
            chunk.extend_from_slice(b"\r\n");
            let data = if declared.is_some() { &block } else { &chunk };
            stream.write_all(head.as_bytes()).and_then(|()| {
                loop {
                    // Until the client hangs up: only a client that stops reading ends this.
                    stream.write_all(data)?;
                    written.fetch_add(block.len() as u64, Ordering::SeqCst);
                }
            })
        }
    };
    let _ = result.and_then(|()| stream.flush());
}
