//! `hubspot-communications-mock`: the fake HubSpot as a program.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use hubspot_communications_mock::{
    Config, DEFAULT_SEARCH_LAG, FaultKind, Faults, MockServer, ObjectSubscription, RateLimit,
    RetryOn, Subscription, Webhooks, WebhooksJournal,
};

/// A fake HubSpot CRM Communications API: on loopback by default, or on any address (beside
/// your service in a container, say). Stops on Ctrl-C or SIGTERM.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// The address to listen on, e.g. 0.0.0.0:8080 to serve other hosts (as a container beside
    /// your service); loopback on --port by default. It prints the address it bound.
    #[arg(long, env = "HUBSPOT_MOCK_LISTEN", conflicts_with = "port")]
    listen: Option<SocketAddr>,
    /// The loopback port to listen on (0 picks a free one): --listen 127.0.0.1:PORT.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Accept only this bearer token (repeat for more); any token if none is given.
    #[arg(long = "token")]
    tokens: Vec<String>,
    /// Requests allowed per rate-limit window.
    #[arg(long, default_value_t = 100)]
    rate_limit: u32,
    /// The rate-limit window, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    window_ms: u64,
    /// Search requests allowed per second.
    #[arg(long, alias = "search-limit", default_value_t = 5)]
    search_rate_limit: u32,
    /// How long a write takes to show in search results, in milliseconds: HubSpot's search is
    /// eventually consistent, and the default is at the slow end of its usual few seconds. 0
    /// makes search instant (kinder than HubSpot).
    #[arg(long, default_value_t = DEFAULT_SEARCH_LAG.as_millis() as u64)]
    search_lag_ms: u64,
    /// Refuse every request after this many with the DAILY policy.
    #[arg(long)]
    daily_limit: Option<u64>,
    /// Inject a fault: KIND=SHARE, e.g. 503=0.05 or drop-after-store=0.01. Kinds: 429, 500, 502,
    /// 503, slow, drop-before-store, drop-after-store, truncated.
    #[arg(long = "fault", value_parser = parse_fault)]
    faults: Vec<(FaultKind, f64)>,
    /// Only inject faults on paths ending with this (repeatable), e.g. batch/create.
    #[arg(long = "fault-on")]
    fault_on: Vec<String>,
    /// The fault generator's seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Contacts to create at start.
    #[arg(long, default_value_t = 0)]
    contacts: usize,
    /// Companies to create at start.
    #[arg(long, default_value_t = 0)]
    companies: usize,
    /// Deals to create at start.
    #[arg(long, default_value_t = 0)]
    deals: usize,
    /// Tickets to create at start.
    #[arg(long, default_value_t = 0)]
    tickets: usize,
    /// Messages to create at start.
    #[arg(long, default_value_t = 0)]
    messages: usize,
    /// Write one line per request on stderr: method, path and query, status.
    #[arg(long)]
    log: bool,
    /// Deliver HubSpot's webhooks (signed batches of events) to this http:// URL when messages
    /// and records change.
    #[arg(long, requires = "webhook_secret")]
    webhook_url: Option<String>,
    /// The app's client secret that signs webhook deliveries.
    #[arg(long, requires = "webhook_url")]
    webhook_secret: Option<String>,
    /// A webhook subscription (repeatable): OBJECT.ACTION or OBJECT.propertyChange:PROPERTY,
    /// e.g. communication.creation, contact.propertyChange:email. Objects: communication,
    /// contact, company, deal, ticket; actions: creation, deletion, associationChange,
    /// propertyChange. Without any: communications and contacts created, archived and
    /// associated, a communication's channel and a contact's email and phone changed.
    #[arg(long = "webhook-subscribe", value_parser = Subscription::parse)]
    webhook_subscriptions: Vec<Subscription>,
    /// Retries of a webhook delivery that fails (a timeout, no connection, a 4xx or 5xx).
    #[arg(long, default_value_t = 10)]
    webhook_retries: u32,
    /// The wait before the first retry, in milliseconds; each next one waits twice as long.
    #[arg(long, default_value_t = 60_000)]
    webhook_retry_ms: u64,
    /// Which answers of the receiver are retried: error-status (any 4xx or 5xx, HubSpot's
    /// documentation today) or legacy (all but 2xx and 400, 401, 403, 404, 405; a 429's
    /// Retry-After waited for: HubSpot's older rule).
    #[arg(long, value_parser = parse_retry_on, default_value = "error-status")]
    webhook_retry_on: RetryOn,
    /// Deliver each acknowledged webhook request once only (by default it is delivered once
    /// more, same events and eventIds, as HubSpot may).
    #[arg(long)]
    webhook_no_duplicates: bool,
    /// Deliver each request's events in the order they happened (by default newest first, as
    /// HubSpot does not promise their order).
    #[arg(long)]
    webhook_in_order: bool,
    /// An OAuth app the fake knows, as CLIENT_ID:CLIENT_SECRET (repeatable): its
    /// client-credentials token reads the webhooks journal.
    #[arg(long = "oauth-app", value_parser = parse_app)]
    oauth_apps: Vec<(String, String)>,
    /// A webhooks journal subscription (repeatable): OBJECT:ACTIONS[:PROPERTIES], e.g.
    /// communications:CREATE,UPDATE,DELETE:hs_communication_body. Actions: CREATE, UPDATE,
    /// DELETE, ASSOCIATION_ADDED, ASSOCIATION_REMOVED. Without any and without
    /// --no-journal-subscriptions: messages and contacts, every action, their usual properties.
    #[arg(long = "journal-subscribe", value_parser = ObjectSubscription::parse)]
    journal_subscriptions: Vec<ObjectSubscription>,
    /// Start the journal with no subscription (make them through the subscriptions API).
    #[arg(long, conflicts_with = "journal_subscriptions")]
    no_journal_subscriptions: bool,
    /// How long the journal keeps an entry, in seconds (HubSpot: 3 days).
    #[arg(long, default_value_t = 3 * 24 * 3600)]
    journal_retention_secs: u64,
    /// How long an entry's pre-signed URL works, in seconds.
    #[arg(long, default_value_t = 300)]
    journal_url_secs: u64,
    /// At most this many events a journal entry.
    #[arg(long, default_value_t = 100)]
    journal_entry_events: usize,
}

fn parse_retry_on(text: &str) -> Result<RetryOn, String> {
    match text {
        "error-status" => Ok(RetryOn::ErrorStatus),
        "legacy" => Ok(RetryOn::Legacy),
        other => Err(format!("{other:?}: error-status or legacy")),
    }
}

fn parse_app(text: &str) -> Result<(String, String), String> {
    let (id, secret) = text
        .split_once(':')
        .ok_or("expected CLIENT_ID:CLIENT_SECRET")?;
    Ok((id.to_owned(), secret.to_owned()))
}

fn parse_fault(text: &str) -> Result<(FaultKind, f64), String> {
    let (kind, share) = text.split_once('=').ok_or("expected KIND=SHARE")?;
    let kind = FaultKind::parse(kind).ok_or_else(|| format!("unknown fault kind {kind}"))?;
    let share: f64 = share
        .parse()
        .map_err(|_| format!("{share} is not a number"))?;
    if (0.0..=1.0).contains(&share) {
        Ok((kind, share))
    } else {
        Err(format!("a share is between 0 and 1, not {share}"))
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let stop_requested = stop_signals()?;
    let faults = args
        .faults
        .iter()
        .fold(Faults::seeded(args.seed), |faults, (kind, share)| {
            faults.with(*kind, *share)
        });
    let faults = args
        .fault_on
        .iter()
        .fold(faults, |faults, suffix| faults.on(suffix));
    let mut config = Config::default()
        .rate_limit(RateLimit::new(
            args.rate_limit,
            Duration::from_millis(args.window_ms),
        ))
        .search_rate_limit(RateLimit::new(
            args.search_rate_limit,
            Duration::from_secs(1),
        ))
        .search_lag(Duration::from_millis(args.search_lag_ms))
        .faults(faults)
        .log(args.log);
    for token in &args.tokens {
        config = config.token(token);
    }
    if let Some(requests) = args.daily_limit {
        config = config.daily_limit(requests);
    }
    if let (Some(url), Some(secret)) = (&args.webhook_url, &args.webhook_secret) {
        let subscriptions = if args.webhook_subscriptions.is_empty() {
            Subscription::defaults()
        } else {
            args.webhook_subscriptions.clone()
        };
        config = config.webhooks(
            Webhooks::new(url, secret)
                .subscribe_all(subscriptions)
                .retry_schedule(
                    Duration::from_millis(args.webhook_retry_ms),
                    args.webhook_retries,
                )
                .retry_on(args.webhook_retry_on)
                .duplicates(!args.webhook_no_duplicates)
                .out_of_order(!args.webhook_in_order),
        );
    }
    let subscriptions = match (
        args.no_journal_subscriptions,
        args.journal_subscriptions.is_empty(),
    ) {
        (true, _) => Vec::new(),
        (false, true) => ObjectSubscription::defaults(),
        (false, false) => args.journal_subscriptions.clone(),
    };
    let journal = subscriptions.into_iter().fold(
        WebhooksJournal::default()
            .retention(Duration::from_secs(args.journal_retention_secs))
            .url_lifetime(Duration::from_secs(args.journal_url_secs))
            .max_events_per_entry(args.journal_entry_events),
        |journal, subscription| journal.subscribe(subscription),
    );
    config = config.webhooks_journal(journal);
    for (id, secret) in &args.oauth_apps {
        config = config.oauth_app(id, secret);
    }
    let address = args
        .listen
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], args.port)));
    let server = MockServer::bind(config, address).await?;
    for i in 0..args.contacts {
        println!(
            "contact {}",
            server.seed_contact(&format!("contact{i}@example.com"))
        );
    }
    for i in 0..args.companies {
        println!("company {}", server.seed_company(&format!("Company {i}")));
    }
    for i in 0..args.deals {
        println!("deal {}", server.seed_deal(&format!("Deal {i}")));
    }
    for i in 0..args.tickets {
        println!("ticket {}", server.seed_ticket(&format!("Ticket {i}")));
    }
    server.seed_messages(args.messages);
    if let Some(url) = &args.webhook_url {
        println!("delivering webhooks to {url}");
    }
    println!("journal files on {}", server.journal_files_url());
    println!("listening on {}", server.base_url());
    stop_requested.await;
    server.stop();
    Ok(())
}

/// Listens for Ctrl-C, and SIGTERM: what `docker stop` sends, and a container's first process
/// gets no default handler for (it would be killed after the grace period instead). Listened
/// for from the call on, so that a signal sent as soon as the address is printed is not lost
/// to the default action (which would kill the process uncleanly).
fn stop_signals() -> std::io::Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
