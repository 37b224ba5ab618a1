//! HTTPS downloads for `fetch` and `pin`, through the facade's own HTTP stack (reqwest on
//! rustls), so that the workspace builds one TLS stack and one crypto provider.

use std::time::Duration;

use anyhow::{Context, Result, bail};

/// What was at a URL.
pub enum Answer {
    /// Its body (at most the limit asked for).
    Found(Vec<u8>),
    /// 404.
    NotFound,
}

/// GETs `url`, reading at most `limit` bytes of the body; any status but 200 and 404 is an error.
pub fn get(url: &str, limit: usize) -> Result<Answer> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start an async runtime for the download")?;
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .user_agent("hubspot-communications-xtask")
            .build()?;
        let mut response = client.get(url).send().await?;
        match response.status() {
            reqwest::StatusCode::NOT_FOUND => return Ok(Answer::NotFound),
            status if !status.is_success() => bail!("{url} answered {status}"),
            _ => {}
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            if body.len() + chunk.len() > limit {
                bail!("{url} sent more than {limit} bytes");
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer::Found(body))
    })
}
