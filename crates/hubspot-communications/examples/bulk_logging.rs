//! Logs every message of a JSON Lines file through the batch endpoints, at the rate limit, with
//! bounded memory, and reports each line's fate.
//!
//! ```sh
//! cargo run --example bulk_logging                  # a generated demo file, the embedded fake
//! cargo run --example bulk_logging -- messages.jsonl
//! ```
//!
//! Each line: `{"channel": "SMS", "body": "…", "contact": "1234"}` (`contact` optional).

#[path = "common/mod.rs"]
mod common;

use futures::{StreamExt, stream};
use hubspot_communications::{Association, Channel, LogOutcome, NewMessage};
use tokio::io::AsyncBufReadExt;

#[derive(serde::Deserialize)]
struct Line {
    channel: String,
    body: String,
    contact: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _fake) = common::connect().await?;
    let path = match std::env::args().nth(1) {
        Some(path) => std::path::PathBuf::from(path),
        None => demo_file()?,
    };
    let file = tokio::io::BufReader::new(tokio::fs::File::open(&path).await?);
    // Lines are read as batches go out: memory stays flat whatever the file's length.
    let lines = stream::unfold(file.lines(), |mut lines| async move {
        lines
            .next_line()
            .await
            .ok()
            .flatten()
            .map(|line| (line, lines))
    });
    let messages = lines.filter_map(|line| async move {
        match serde_json::from_str::<Line>(&line) {
            Ok(line) => {
                let message = NewMessage::new(line.channel.parse::<Channel>().ok()?, line.body);
                Some(match line.contact {
                    Some(contact) => message.associate(Association::contact(contact)),
                    None => message,
                })
            }
            Err(error) => {
                eprintln!("skipping a line that is not a message ({error}): {line}");
                None
            }
        }
    });

    let (mut logged, mut failed, mut unknown) = (0, 0, 0);
    let mut outcomes = std::pin::pin!(client.log_all(messages));
    while let Some(item) = outcomes.next().await {
        match item.outcome {
            LogOutcome::Logged(_) => logged += 1,
            LogOutcome::Failed(error) => {
                failed += 1;
                eprintln!("message {} refused: {error:?}", item.index);
            }
            LogOutcome::Unknown(error) => {
                unknown += 1;
                eprintln!("message {} may or may not be logged: {error}", item.index);
            }
        }
    }
    println!(
        "{}: {logged} logged, {failed} refused, {unknown} of unknown fate.",
        path.display()
    );
    Ok(())
}

/// 1,000 demo lines in a temporary file.
fn demo_file() -> std::io::Result<std::path::PathBuf> {
    use std::io::Write;
    let path = std::env::temp_dir().join(format!("hubspot-demo-{}.jsonl", std::process::id()));
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path)?);
    for i in 0..1_000 {
        let channel = ["SMS", "WHATS_APP", "LINKEDIN_MESSAGE"][i % 3];
        writeln!(
            file,
            r#"{{"channel": "{channel}", "body": "Demo message {i}"}}"#
        )?;
    }
    println!("Logging a demo file of 1,000 messages: {}", path.display());
    Ok(path)
}
