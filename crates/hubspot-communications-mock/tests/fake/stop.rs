//! Stopping the fake is HubSpot going away on every connection: after `stop` nothing is
//! answered, not on a connection a client's pool kept alive, not a request already in progress.

use std::time::Duration;

use hubspot_communications_mock::{Config, FaultKind, Faults, MockServer};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const LIST: &[u8] = b"GET /crm/v3/objects/communications?limit=1 HTTP/1.1\r\nhost: fake\r\nauthorization: Bearer t\r\n\r\n";

/// Reads one HTTP/1.1 answer with a `content-length` (the fake's JSON answers have one); its
/// status line.
async fn read_answer(stream: &mut BufReader<TcpStream>) -> String {
    let mut status = String::new();
    stream.read_line(&mut status).await.unwrap();
    let mut length = 0;
    loop {
        let mut line = String::new();
        stream.read_line(&mut line).await.unwrap();
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.unwrap();
    status
}

#[tokio::test]
async fn a_kept_alive_connection_is_closed_unanswered() {
    let server = MockServer::start().await.unwrap();
    let address = server.base_url().trim_start_matches("http://").to_owned();
    let mut stream = BufReader::new(TcpStream::connect(&address).await.unwrap());
    stream.get_mut().write_all(LIST).await.unwrap();
    assert!(read_answer(&mut stream).await.starts_with("HTTP/1.1 200"));

    server.stop();
    // The same connection, kept alive by HTTP/1.1: the next request has no answer, and the
    // connection is closed (not left open, which the timeout would catch).
    let _ = stream.get_mut().write_all(LIST).await;
    let mut after = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut after))
        .await
        .expect("the connection is closed");
    assert!(
        read.is_err() || after.is_empty(),
        "answered after stop: {}",
        String::from_utf8_lossy(&after)
    );
}

#[tokio::test]
async fn a_pooled_client_gets_a_transport_error_not_an_answer() {
    let server = MockServer::start().await.unwrap();
    let url = format!("{}/crm/v3/objects/communications", server.base_url());
    // reqwest keeps the connection of the first answer in its pool for the next request.
    let http = reqwest::Client::new();
    for _ in 0..2 {
        let answer = http.get(&url).bearer_auth("t").send().await.unwrap();
        assert_eq!(answer.status(), 200);
    }

    server.stop();
    let error = http
        .get(&url)
        .bearer_auth("t")
        .send()
        .await
        .expect_err("no answer after stop");
    assert_eq!(error.status(), None, "{error:?}");
    // And a new connection finds nobody listening.
    let error = reqwest::Client::new()
        .get(&url)
        .bearer_auth("t")
        .send()
        .await
        .expect_err("nobody listens after stop");
    assert_eq!(error.status(), None, "{error:?}");
}

#[tokio::test]
async fn a_request_in_progress_is_cut_off_unanswered() {
    // Every answer waits a minute: the request is in the fake when it stops.
    let faults = Faults::seeded(1)
        .with(FaultKind::Slow, 1.0)
        .slow_delay(Duration::from_secs(60));
    let server = MockServer::start_with(Config::default().faults(faults))
        .await
        .unwrap();
    let url = format!("{}/crm/v3/objects/communications", server.base_url());
    let call = tokio::spawn(async move {
        reqwest::Client::new()
            .get(&url)
            .bearer_auth("t")
            .send()
            .await
    });
    while server.stats().requests == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    server.stop();
    let answer = tokio::time::timeout(Duration::from_secs(5), call)
        .await
        .expect("cut off at once, not after the slow answer's minute")
        .unwrap();
    let error = answer.expect_err("no answer after stop");
    assert_eq!(error.status(), None, "{error:?}");
}
