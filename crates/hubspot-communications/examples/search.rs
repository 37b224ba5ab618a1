//! Searches messages with filters, sorts and paging, and reads past HubSpot's 10,000-result cap.

#[path = "common/mod.rs"]
mod common;

use futures::TryStreamExt;
use hubspot_communications::search::{Filter, Search, Sort};
use hubspot_communications::{Channel, NewMessage};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _fake) = common::connect().await?;
    if client
        .search_page(&Search::new().page_size(1), None)
        .await?
        .total
        == 0
    {
        let demo: Vec<NewMessage> = (0..60)
            .map(|i| {
                let channel = if i % 4 == 0 {
                    Channel::WhatsApp
                } else {
                    Channel::Sms
                };
                NewMessage::new(channel, format!("Demo message {i} about the contract"))
            })
            .collect();
        client.create_batch(&demo).await;
    }

    let whatsapp = Search::new()
        .filter(Filter::eq("hs_communication_channel_type", "WHATS_APP"))
        .sort(Sort::descending("hs_createdate"))
        .properties(["hs_communication_body"])
        .page_size(10);
    let found: Vec<_> = client.search(whatsapp).try_collect().await?;
    println!(
        "{} WhatsApp message(s); newest: {:?}",
        found.len(),
        found.first().and_then(|m| m.body.clone())
    );

    let everything =
        Search::new().filter(Filter::contains_token("hs_communication_body", "contract"));
    let count = client
        .search_past_cap(everything)
        .try_fold(0usize, |n, _| async move { Ok(n + 1) })
        .await?;
    println!("{count} message(s) mention a contract (read in id windows, past any 10,000 cap).");
    Ok(())
}
