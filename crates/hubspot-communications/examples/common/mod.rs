//! Not an example: what the examples share (a client of HubSpot, or of the embedded fake).

#![allow(dead_code)]

use hubspot_communications::Client;
use hubspot_communications_mock::MockServer;

/// A client of HubSpot when `HUBSPOT_ACCESS_TOKEN` is set (`HUBSPOT_BASE_URL` overrides the
/// URL), else of an embedded fake, which the caller keeps alive.
pub async fn connect() -> Result<(Client, Option<MockServer>), Box<dyn std::error::Error>> {
    match std::env::var("HUBSPOT_ACCESS_TOKEN") {
        Ok(token) if !token.trim().is_empty() => {
            let base_url = std::env::var("HUBSPOT_BASE_URL")
                .unwrap_or_else(|_| hubspot_communications::DEFAULT_BASE_URL.to_owned());
            println!("Talking to HubSpot at {base_url}.");
            Ok((Client::builder(token).base_url(base_url).build()?, None))
        }
        _ => {
            let fake = MockServer::start().await?;
            println!(
                "No HUBSPOT_ACCESS_TOKEN: using the embedded fake HubSpot at {}.",
                fake.base_url()
            );
            let client = Client::builder("demo-token")
                .base_url(fake.base_url())
                .build()?;
            Ok((client, Some(fake)))
        }
    }
}
