//! Reading the journal: which entries come next (HubSpot's API, through the request path), and
//! each entry's file (its pre-signed URL, through a client of its own that sends no token).

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::stream::{self, BoxStream, StreamExt};
use hubspot_communications_raw::types;

use crate::client::Client;
use crate::error::{
    ApiError, Error, InvalidResponse, ResponseProblem, TransportError, TransportErrorKind,
};
use crate::journal::{
    JournalEntry, JournalOffset, JournalReader, JournalStart, JournalStream, parse_entry_file,
};
use crate::operation::Operation;

/// How many times an entry's URL is asked for again when it expired before its download.
const MAX_REFETCHES: u32 = 3;

/// An entry the journal named: its offset and where its file is, until when.
#[derive(Debug, Clone)]
struct Fetched {
    offset: JournalOffset,
    url: String,
    expires_at: DateTime<Utc>,
}

impl From<types::JournalFetchResponse> for Fetched {
    fn from(raw: types::JournalFetchResponse) -> Self {
        Self {
            offset: JournalOffset::new(raw.current_offset),
            url: raw.url,
            expires_at: raw.expires_at.into(),
        }
    }
}

/// Where the next request of the journal starts.
#[derive(Debug, Clone)]
enum Position {
    Start(JournalStart),
    After(JournalOffset),
}

/// What the stream of fetches carries between requests.
struct Reading {
    client: Client,
    account: Option<i32>,
    count: u32,
    poll_interval: Option<Duration>,
    position: Position,
    failed: bool,
}

impl JournalReader {
    /// The entries, in the journal's order, each with its offset and events.
    ///
    /// The stream ends after its first error: an offset the journal no longer holds
    /// ([`Error::JournalOffsetGone`]), or a failure the client's retries did not overcome. An
    /// entry is never skipped: read again from the last entry handled.
    pub fn stream(self) -> JournalStream {
        JournalStream {
            inner: journal_entries(self),
        }
    }
}

impl Client {
    /// A read of HubSpot's webhooks journal (see the [`journal`](crate::journal) module):
    /// configure it, then [`stream`](JournalReader::stream) its entries. The client
    /// authenticates as the app ([`Client::app`]).
    pub fn journal(&self) -> JournalReader {
        JournalReader::new(self.clone())
    }
}

/// The stream of a reader's entries: batches of fetches in order, each entry's file
/// downloaded (several at once, handed on in order), ended by the first error.
pub(crate) fn journal_entries(
    reader: JournalReader,
) -> BoxStream<'static, Result<JournalEntry, Error>> {
    let JournalReader {
        client,
        start,
        account,
        batch_size,
        poll_interval,
        downloads_at_once,
    } = reader;
    let account = match account.map(i32::try_from).transpose() {
        Ok(account) => account,
        Err(_) => {
            let error = Error::InvalidInput(format!(
                "the account id {} is larger than the journal's installPortalId takes",
                account.unwrap_or_default()
            ));
            return stream::once(async move { Err(error) }).boxed();
        }
    };
    let reading = Reading {
        client: client.clone(),
        account,
        count: batch_size,
        poll_interval,
        position: Position::Start(start),
        failed: false,
    };
    stream::unfold(reading, next_batch)
        .flat_map(|batch| {
            stream::iter(match batch {
                Ok(fetched) => fetched.into_iter().map(Ok).collect::<Vec<_>>(),
                Err(error) => vec![Err(error)],
            })
        })
        .map(move |fetched| {
            let client = client.clone();
            async move {
                match fetched {
                    Ok(fetched) => download(&client, account, fetched).await,
                    Err(error) => Err(error),
                }
            }
        })
        .buffered(downloads_at_once)
        // Nothing after an error: the entries that follow a missing one are not handed on.
        .scan(false, |failed, item| {
            let item = (!*failed).then(|| {
                *failed = item.is_err();
                item
            });
            futures::future::ready(item)
        })
        .boxed()
}

/// The next batch of entries to download, waiting for them once caught up (or ending there).
async fn next_batch(mut reading: Reading) -> Option<(Result<Vec<Fetched>, Error>, Reading)> {
    if reading.failed {
        return None;
    }
    loop {
        let answered = match reading.position.clone() {
            Position::Start(JournalStart::After(offset)) => {
                reading.position = Position::After(offset);
                continue;
            }
            Position::Start(JournalStart::Latest) => {
                match latest(&reading.client, reading.account).await {
                    Ok(Some(newest)) => reading.position = Position::After(newest.offset),
                    // An empty journal: what comes from now on is all of it.
                    Ok(None) => reading.position = Position::Start(JournalStart::Earliest),
                    Err(error) => {
                        reading.failed = true;
                        return Some((Err(error), reading));
                    }
                }
                continue;
            }
            Position::Start(_) => earliest(&reading.client, reading.account, reading.count).await,
            Position::After(offset) => {
                after(&reading.client, reading.account, &offset, reading.count).await
            }
        };
        match answered {
            Ok(fetched) if fetched.is_empty() => match reading.poll_interval {
                Some(interval) => tokio::time::sleep(interval).await,
                None => return None,
            },
            Ok(fetched) => {
                if let Some(last) = fetched.last() {
                    reading.position = Position::After(last.offset.clone());
                }
                return Some((Ok(fetched), reading));
            }
            Err(error) => {
                reading.failed = true;
                return Some((Err(error), reading));
            }
        }
    }
}

fn results(answer: types::BatchResponseJournalFetchResponse) -> Vec<Fetched> {
    answer.results.into_iter().map(Fetched::from).collect()
}

/// The first `count` entries.
async fn earliest(
    client: &Client,
    account: Option<i32>,
    count: u32,
) -> Result<Vec<Fetched>, Error> {
    let answer = client
        .execute(Operation::ReadJournal, |raw| {
            let journal = &raw.webhooks_journal;
            async move {
                match account {
                    Some(account) => {
                        journal
                            .get_local_journal_earliest_batch()
                            .count(count)
                            .install_portal_id(account)
                            .send()
                            .await
                    }
                    None => {
                        journal
                            .get_journal_earliest_batch()
                            .count(count)
                            .send()
                            .await
                    }
                }
            }
        })
        .await?;
    Ok(results(answer))
}

/// The newest entry, if the journal holds any (HubSpot answers 404 when it holds none).
async fn latest(client: &Client, account: Option<i32>) -> Result<Option<Fetched>, Error> {
    let answer = client
        .execute(Operation::ReadJournal, |raw| {
            let journal = &raw.webhooks_journal;
            async move {
                match account {
                    Some(account) => {
                        journal
                            .get_local_journal_latest()
                            .install_portal_id(account)
                            .send()
                            .await
                    }
                    None => journal.get_journal_latest().send().await,
                }
            }
        })
        .await;
    match answer {
        Ok(newest) => Ok(Some(newest.into())),
        Err(error) if error.status() == Some(404) => Ok(None),
        Err(error) => Err(error),
    }
}

/// Up to `count` entries after `offset`; none once caught up. 404: the journal no longer holds
/// the offset (or never did).
async fn after(
    client: &Client,
    account: Option<i32>,
    offset: &JournalOffset,
    count: u32,
) -> Result<Vec<Fetched>, Error> {
    let answer = client
        .execute(Operation::ReadJournal, |raw| {
            let journal = &raw.webhooks_journal;
            let offset = offset.as_str();
            async move {
                match account {
                    Some(account) => {
                        journal
                            .get_local_journal_next_batch()
                            .offset(offset)
                            .count(count)
                            .install_portal_id(account)
                            .send()
                            .await
                    }
                    None => {
                        journal
                            .get_journal_next_batch()
                            .offset(offset)
                            .count(count)
                            .send()
                            .await
                    }
                }
            }
        })
        .await;
    match answer {
        Ok(answer) => Ok(results(answer)),
        Err(error) if error.status() == Some(404) => Err(Error::JournalOffsetGone {
            offset: offset.clone(),
        }),
        Err(error) => Err(error),
    }
}

/// The entry at `offset` again, with a new URL (its old one expired).
async fn refetch(
    client: &Client,
    account: Option<i32>,
    offset: &JournalOffset,
) -> Result<Fetched, Error> {
    let body = types::BatchInputString {
        inputs: vec![offset.as_str().to_owned()],
    };
    let answer = client
        .execute(Operation::ReadJournal, |raw| {
            let journal = &raw.webhooks_journal;
            let body = body.clone();
            async move {
                match account {
                    Some(account) => {
                        journal
                            .batch_read_local_journal()
                            .install_portal_id(account)
                            .body(body)
                            .send()
                            .await
                    }
                    None => journal.batch_read_journal().body(body).send().await,
                }
            }
        })
        .await;
    let gone = || Error::JournalOffsetGone {
        offset: offset.clone(),
    };
    match answer {
        Ok(answer) => answer
            .results
            .into_iter()
            .map(Fetched::from)
            .find(|fetched| fetched.offset == *offset)
            .ok_or_else(gone),
        Err(error) if error.status() == Some(404) => Err(gone()),
        Err(error) => Err(error),
    }
}

/// Downloads an entry's file from its pre-signed URL, with no token (the client of downloads
/// has no default header and no hook), asking for a new URL when the old one expired, and
/// retrying what the client's retry policy retries.
async fn download(
    client: &Client,
    account: Option<i32>,
    mut fetched: Fetched,
) -> Result<JournalEntry, Error> {
    const OPERATION: Operation = Operation::DownloadJournalEntry;
    let inner = &client.inner;
    let mut refetched = 0;
    let mut attempt = 1;
    loop {
        if fetched.expires_at <= Utc::now() && refetched < MAX_REFETCHES {
            tracing::debug!(offset = %fetched.offset, "the entry's URL expired: asking for it again");
            fetched = refetch(client, account, &fetched.offset).await?;
            refetched += 1;
            continue;
        }
        let url = reqwest::Url::parse(&fetched.url)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https"))
            .ok_or_else(|| {
                InvalidResponse::error(
                    Operation::ReadJournal,
                    Some(200),
                    ResponseProblem::Undecodable(format!(
                        "the URL of entry {} is not an http(s) URL",
                        fetched.offset
                    )),
                )
            })?;
        let error = match inner.downloads.get(url).send().await {
            Ok(response) if response.status().is_success() => {
                let status = response.status().as_u16();
                let bytes = read_capped(response, inner.max_response_bytes).await?;
                let events = parse_entry_file(&bytes).ok_or_else(|| {
                    InvalidResponse::error(
                        OPERATION,
                        Some(status),
                        ResponseProblem::Undecodable(format!(
                            "entry {} is not a JSON array of events",
                            fetched.offset
                        )),
                    )
                })?;
                return Ok(JournalEntry::new(fetched.offset, events));
            }
            // S3 answers an expired pre-signed URL 403 ("Request has expired"), some stores 400
            // or 410: ask HubSpot for the entry's URL again.
            Ok(response)
                if matches!(response.status().as_u16(), 400 | 403 | 410)
                    && refetched < MAX_REFETCHES =>
            {
                tracing::debug!(
                    offset = %fetched.offset,
                    status = response.status().as_u16(),
                    "the entry's URL was refused: asking for it again"
                );
                fetched = refetch(client, account, &fetched.offset).await?;
                refetched += 1;
                continue;
            }
            Ok(response) => {
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                Error::Api(Box::new(ApiError::from_answer(
                    OPERATION, status, &headers, None,
                )))
            }
            Err(source) => {
                let kind = if source.is_connect() {
                    TransportErrorKind::Connect
                } else if source.is_timeout() {
                    TransportErrorKind::Timeout
                } else {
                    TransportErrorKind::Interrupted
                };
                Error::Transport(TransportError::new(kind, OPERATION, source))
            }
        };
        let delay = (error.is_retryable() && inner.retry.allows(attempt))
            .then(|| {
                inner
                    .retry
                    .wait(attempt, error.api().and_then(|api| api.retry_after))
            })
            .flatten();
        match delay {
            Some(delay) => {
                tracing::warn!(%error, delay_ms = delay.as_millis() as u64, "retrying the entry's download");
                tokio::time::sleep(delay).await;
                attempt += 1;
            }
            None => return Err(error),
        }
    }
}

/// The body, at most `limit` bytes.
async fn read_capped(mut response: reqwest::Response, limit: u64) -> Result<Vec<u8>, Error> {
    let status = response.status().as_u16();
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() as u64 + chunk.len() as u64 > limit {
                    return Err(InvalidResponse::error(
                        Operation::DownloadJournalEntry,
                        Some(status),
                        ResponseProblem::TooLarge { limit },
                    ));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(source) => {
                return Err(Error::Transport(TransportError::new(
                    TransportErrorKind::Interrupted,
                    Operation::DownloadJournalEntry,
                    source,
                )));
            }
        }
    }
}
