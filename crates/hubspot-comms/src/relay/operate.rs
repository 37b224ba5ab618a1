//! The operator's subcommands: `hubspot-comms relay status`, `relay dead-letters` and
//! `relay retry-dead-letters`. Each connects to the relay's Redis, does one thing, prints it
//! and exits; none needs HubSpot.

use std::fmt::Write as _;
use std::path::Path;

use super::accounts::AccountName;
use super::dead_letters::{self, PAGE};
use super::error::RelayError;
use super::routing::RoutingFile;
use super::status::{known_accounts, status};
use super::streams::Streams;
use crate::exit;

/// Runs one of them: `job` with the streams of `redis_url`; its text on standard output, or
/// what went wrong on standard error.
pub async fn run<F, Fut>(redis_url: &str, job: F) -> u8
where
    F: FnOnce(Streams) -> Fut,
    Fut: Future<Output = Result<String, RelayError>>,
{
    let done = async { job(Streams::connect(redis_url).await?).await }.await;
    match done {
        Ok(text) => {
            print!("{text}");
            exit::OK
        }
        Err(error) => {
            eprintln!("hubspot-comms relay: could not run: {error}");
            exit::COULD_NOT_RUN
        }
    }
}

/// The accounts to report on: those `named`, else the routing file's and every account found
/// in Redis, else the default one.
pub async fn accounts(
    streams: &Streams,
    named: &[AccountName],
    routing_file: Option<&Path>,
) -> Result<Vec<AccountName>, RelayError> {
    if !named.is_empty() {
        return Ok(named.to_vec());
    }
    let mut accounts = match routing_file {
        Some(path) => RoutingFile::read(path)?.accounts(),
        None => Vec::new(),
    };
    for found in known_accounts(streams).await? {
        if !accounts.contains(&found) {
            accounts.push(found);
        }
    }
    if accounts.is_empty() {
        accounts.push(AccountName::default());
    }
    Ok(accounts)
}

/// `relay status`: a line per account.
pub async fn status_table(
    streams: &Streams,
    accounts: &[AccountName],
) -> Result<String, RelayError> {
    let mut text = format!(
        "{:<24} {:>10} {:>10} {:>12} {:>12}\n",
        "account", "backlog", "pending", "dead letters", "oldest (s)"
    );
    for account in status(streams, accounts).await? {
        let oldest = account
            .oldest
            .map_or_else(|| "-".to_owned(), |age| format!("{:.1}", age.as_secs_f64()));
        let _ = writeln!(
            text,
            "{:<24} {:>10} {:>10} {:>12} {:>12}",
            account.account.as_str(),
            account.backlog,
            account.pending,
            account.dead_letters,
            oldest
        );
    }
    Ok(text)
}

/// `relay dead-letters`: the oldest dead letters of each account (a page each), with why.
pub async fn dead_letters_list(
    streams: &Streams,
    accounts: &[AccountName],
) -> Result<String, RelayError> {
    let mut text = String::new();
    for account in accounts {
        let letters = dead_letters::list(streams, account, None, PAGE).await?;
        let _ = writeln!(text, "{account}: {} shown", letters.len());
        for letter in letters {
            let what = match &letter.entry {
                Ok(entry) => format!("key {} from {}", entry.key, entry.contact),
                Err(unreadable) => format!("unreadable: {}", unreadable.reason),
            };
            let _ = writeln!(text, "  {}  {what}: {}", letter.id, letter.reason);
        }
    }
    Ok(text)
}

/// `relay retry-dead-letters`: every dead letter of each account back into its inbox.
pub async fn retry_dead_letters(
    streams: &Streams,
    accounts: &[AccountName],
) -> Result<String, RelayError> {
    let mut text = String::new();
    for account in accounts {
        let moved = dead_letters::retry_all(streams, account).await?;
        let _ = writeln!(
            text,
            "{account}: {moved} dead letter(s) moved back into the inbox"
        );
    }
    Ok(text)
}
