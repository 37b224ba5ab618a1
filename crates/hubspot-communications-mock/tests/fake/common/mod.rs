//! What the fake's suites share: one request to the fake and its answer, and the fake's
//! binary started.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Lines};
use std::process::{Child, ChildStdout, Command, Stdio};

use hubspot_communications_mock::MockServer;
use serde_json::Value;

/// Sends `method path` (with a JSON `body`, if any) to `server` with a bearer token; the
/// answer's status, headers and JSON body (`null` if it has none).
pub async fn call(
    server: &MockServer,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", server.base_url()))
        .bearer_auth("token");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("an HTTP answer");
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    (
        status,
        headers,
        response.json().await.unwrap_or(Value::Null),
    )
}

/// [`call`] without the headers.
pub async fn send(
    server: &MockServer,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let (status, _, body) = call(server, method, path, body).await;
    (status, body)
}

/// The variable the binary reads its listen address from, when `--listen` is not given.
pub const LISTEN_VARIABLE: &str = "HUBSPOT_MOCK_LISTEN";

/// The binary, with its stdin and stdout piped, and none of the environment's listen address.
pub fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hubspot-communications-mock"));
    command
        .env_remove(LISTEN_VARIABLE)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    command
}

/// Reads the binary's stdout up to `listening on URL`: the lines before it, and the URL.
pub fn until_listening(lines: &mut Lines<BufReader<ChildStdout>>) -> (Vec<String>, String) {
    let mut before = Vec::new();
    loop {
        let line = lines.next().expect("a line on stdout").unwrap();
        match line.strip_prefix("listening on ") {
            Some(url) => return (before, url.to_owned()),
            None => before.push(line),
        }
    }
}

/// Starts `command` and reads where it listens.
pub fn listening(command: &mut Command) -> (Child, String) {
    let mut child = command.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (_, base_url) = until_listening(&mut lines);
    (child, base_url)
}
