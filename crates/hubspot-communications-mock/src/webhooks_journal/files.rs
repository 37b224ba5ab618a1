//! The entry files' host: another port of the fake, as HubSpot's files live on another host
//! (S3). URLs are pre-signed (`?expires=…&signature=…`, an HMAC of the offset and the expiry
//! with the server's key) and refused once expired, as S3 refuses them: 403 with an XML body.
//! Every request is kept ([`JournalDownload`]) so that a test can see what reached the host
//! (no `Authorization` header, ever).

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::net::TcpListener;

use super::log::{Found, Log};
use super::{JournalDownload, MAX_KEPT_DOWNLOADS};
use crate::lock::lock;
use crate::open_connections::OpenConnections;

/// A running file host.
pub(crate) struct Files {
    pub(crate) base_url: String,
    pub(crate) downloads: Arc<Mutex<VecDeque<JournalDownload>>>,
    pub(crate) task: tokio::task::JoinHandle<()>,
}

#[derive(Clone)]
struct Host {
    log: Arc<Log>,
    downloads: Arc<Mutex<VecDeque<JournalDownload>>>,
}

/// Starts the file host on another port of `ip`, its connections among `connections` (closed
/// with the server).
pub(crate) async fn start_files(
    log: Arc<Log>,
    ip: std::net::IpAddr,
    header_read_timeout: Duration,
    connections: Arc<OpenConnections>,
) -> std::io::Result<Files> {
    let listener = TcpListener::bind((ip, 0)).await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let _ = log.files_base.set(base_url.clone());
    let downloads = Arc::new(Mutex::new(VecDeque::new()));
    let app = Router::new()
        .route("/journal-files/{offset}", get(file))
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                s3_error("NoSuchKey", "The specified key does not exist."),
            )
        })
        .with_state(Host {
            log,
            downloads: downloads.clone(),
        });
    let task = tokio::spawn(crate::connection::serve(
        listener,
        app,
        header_read_timeout,
        connections,
    ));
    Ok(Files {
        base_url,
        downloads,
        task,
    })
}

impl Log {
    /// The pre-signed URL of the entry at `offset` and when it expires.
    pub(crate) fn presign(&self, offset: &str) -> (String, DateTime<Utc>) {
        let expires = Utc::now()
            + chrono::Duration::from_std(self.url_lifetime()).unwrap_or(chrono::Duration::MAX);
        let expires_ms = expires.timestamp_millis();
        let epoch = self.url_epoch.load(Ordering::Relaxed);
        let base = self.files_base.get().map_or("", String::as_str);
        let url = format!(
            "{base}/journal-files/{offset}?expires={expires_ms}&epoch={epoch}&signature={}",
            self.signature(offset, expires_ms, epoch)
        );
        (url, expires)
    }

    fn signature(&self, offset: &str, expires_ms: i64, epoch: u64) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(offset.as_bytes());
        mac.update(b"\n");
        mac.update(expires_ms.to_string().as_bytes());
        mac.update(b"\n");
        mac.update(epoch.to_string().as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// S3's error body.
fn s3_error(code: &str, message: &str) -> Response {
    (
        [(header::CONTENT_TYPE, "application/xml")],
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
        ),
    )
        .into_response()
}

async fn file(
    State(host): State<Host>,
    Path(offset): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let response = answer(&host.log, &offset, query.as_deref(), &headers);
    let kept = JournalDownload {
        path: match &query {
            Some(query) => format!("/journal-files/{offset}?{query}"),
            None => format!("/journal-files/{offset}"),
        },
        headers: headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        status: response.status().as_u16(),
    };
    let mut downloads = lock(&host.downloads);
    if downloads.len() >= MAX_KEPT_DOWNLOADS {
        downloads.pop_front();
    }
    downloads.push_back(kept);
    response
}

fn answer(log: &Log, offset: &str, query: Option<&str>, headers: &HeaderMap) -> Response {
    let refuse = |status: StatusCode, code: &str, message: &str| {
        let mut response = s3_error(code, message);
        *response.status_mut() = status;
        response
    };
    // A pre-signed URL authenticates by its query alone: S3 refuses a second mechanism.
    if headers.contains_key(header::AUTHORIZATION) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
        );
    }
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let (Some(expires), Some(epoch), Some(signature)) = (
        field("expires").and_then(|e| e.parse::<i64>().ok()),
        field("epoch").and_then(|e| e.parse::<u64>().ok()),
        field("signature"),
    ) else {
        return refuse(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Query-string authentication requires the expires and signature parameters",
        );
    };
    if log.signature(offset, expires, epoch) != signature {
        return refuse(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        );
    }
    if Utc::now().timestamp_millis() >= expires || epoch < log.url_epoch.load(Ordering::Relaxed) {
        return refuse(StatusCode::FORBIDDEN, "AccessDenied", "Request has expired");
    }
    let body = log.read(|view| match view.find(offset) {
        Found::At(index) => view.entries().get(index).map(|entry| entry.body.clone()),
        Found::Unknown => None,
    });
    match body {
        Some(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        None => refuse(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
        ),
    }
}
