//! `hubspot-comms relay`: the pieces put together as one process. It receives (the receivers
//! on `--listen`), works (a worker for every account), or both; serves its metrics on
//! `--metrics-listen`; and on SIGTERM or Ctrl-C stops taking requests, lets the requests in
//! flight finish and the workers carry what they hold through and settle it, and exits 0.
//!
//! Without Redis it refuses to start: a relay that answered 200 with nothing durable behind it
//! would lose messages on its first crash. `--demo` runs everything on the embedded fake
//! HubSpot and a `redis-server` it starts itself, and sends itself demo webhooks.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use hubspot_communications::{ApiVersion, Client, ClientBuilder, DEFAULT_BASE_URL, Region, Secret};
use hubspot_communications_mock::{MockServer, ObjectType};
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::accounts::{AccountName, Routes, worker_client};
use super::demo::{self, DEMO_AUTH_TOKEN, LocalRedis};
use super::error::RelayError;
use super::inbox::Inbox;
use super::metrics::{install_prometheus, metrics_router};
use super::receive::{Receivers, TWILIO_PATH, Twilio};
use super::routing::RoutingFile;
use super::status::status;
use super::streams::Streams;
use super::work::{Worker, WorkerOptions};
use crate::connect::{AccessToken, Target};
use crate::{DEFAULT_KEY_PROPERTY, exit};

/// The address the receivers listen on unless told another.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:3000";

/// How often each process reads its accounts' status into the metrics' gauges.
const GAUGES_EVERY: Duration = Duration::from_secs(5);

/// What `hubspot-comms relay` runs, as its command line and environment say.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RelayOptions {
    /// The relay's Redis (`--redis`, `RELAY_REDIS_URL`): required, unless `--demo` starts one.
    pub redis_url: Option<String>,
    /// Where the receivers listen (`--listen`, [`DEFAULT_LISTEN`]).
    pub listen: String,
    /// Serve the receivers (not with `--no-receive`).
    pub receive: bool,
    /// Run a worker (not with `--no-work`).
    pub work: bool,
    /// HubSpot, or the embedded fake (`--demo`); its token is the one account's unless a
    /// routing file names the accounts.
    pub target: Target,
    /// HubSpot's API version.
    pub api_version: ApiVersion,
    /// The unique property messages are keyed by ([`DEFAULT_KEY_PROPERTY`]).
    pub key_property: String,
    /// Several accounts (`--routing-file`).
    pub routing_file: Option<PathBuf>,
    /// Where `/metrics` is served (`--metrics-listen`), if anywhere.
    pub metrics_listen: Option<String>,
    /// Twilio's auth token (`TWILIO_AUTH_TOKEN`): serves Twilio's webhook.
    pub twilio_auth_token: Option<Secret>,
    /// The URL Twilio calls, up to the paths (`RELAY_PUBLIC_URL`); by default the listening
    /// address's.
    pub public_url: Option<String>,
    /// The JSON endpoint's secret (`RELAY_JSON_SECRET`): serves the JSON endpoint.
    pub json_secret: Option<Secret>,
    /// The region of numbers without a country code.
    pub default_region: Option<Region>,
    /// How long a worker's entries may sit unsettled before others claim them.
    pub claim_after: Duration,
}

impl RelayOptions {
    /// Receivers and a worker for the account of `target`, with the defaults.
    pub fn new(target: Target) -> Self {
        Self {
            redis_url: None,
            listen: DEFAULT_LISTEN.to_owned(),
            receive: true,
            work: true,
            target,
            api_version: ApiVersion::default(),
            key_property: DEFAULT_KEY_PROPERTY.to_owned(),
            routing_file: None,
            metrics_listen: None,
            twilio_auth_token: None,
            public_url: None,
            json_secret: None,
            default_region: None,
            claim_after: WorkerOptions::default().claim_after,
        }
    }
}

/// Runs the relay until SIGTERM or Ctrl-C; answers the exit code (what went wrong is said on
/// standard error).
pub async fn run(options: RelayOptions) -> u8 {
    let stop = crate::shutdown::on_terminate("requests and batches");
    match serve(options, stop).await {
        Ok(()) => exit::OK,
        Err(error) => {
            eprintln!("hubspot-comms relay: could not run: {error}");
            exit::COULD_NOT_RUN
        }
    }
}

/// The relay until `stop` turns true.
pub async fn serve(options: RelayOptions, stop: watch::Receiver<bool>) -> Result<(), RelayError> {
    if !options.receive && !options.work {
        return Err(RelayError::Setting(
            "--no-receive and --no-work together leave nothing to run".into(),
        ));
    }
    let demo = matches!(options.target, Target::Demo);
    let redis_url = options
        .redis_url
        .as_deref()
        .map(str::trim)
        .filter(|url| !url.is_empty());
    if redis_url.is_none() && !demo {
        return Err(RelayError::Setting(
            "no Redis: the relay stores every message in Redis before it answers the \
             provider, and works from there. Give --redis URL (or RELAY_REDIS_URL), with AOF \
             (appendonly yes, appendfsync always) on that server; or run with --demo to try \
             it on an embedded fake HubSpot and a redis-server of its own"
                .into(),
        ));
    }
    // The accounts before Redis: a missing token is said before any connection is tried.
    let (accounts, fake) = Accounts::read(&options).await?;
    let twilio_tokens = accounts.twilio_tokens(&options, demo)?;
    if options.receive && twilio_tokens.is_none() && options.json_secret.is_none() {
        return Err(RelayError::Setting(
            "nothing to receive: set TWILIO_AUTH_TOKEN (Twilio's webhook) or RELAY_JSON_SECRET \
             (the signed JSON endpoint), or both; or run a worker only (--no-receive)"
                .into(),
        ));
    }
    let (redis_url, _own_redis) = match redis_url {
        Some(url) => (url.to_owned(), None),
        None => {
            let redis = LocalRedis::start()?;
            eprintln!(
                "hubspot-comms relay: --demo: a redis-server of its own at {} (AOF, appendfsync always)",
                redis.url()
            );
            (redis.url().to_owned(), Some(redis))
        }
    };
    let streams = Streams::connect(&redis_url).await?;

    let metrics = match &options.metrics_listen {
        Some(address) => {
            Some(serve_metrics(address, &streams, &accounts.names, stop.clone()).await?)
        }
        None => None,
    };
    let receiving = if options.receive {
        Some(receive(&options, &streams, &accounts, twilio_tokens, stop.clone()).await?)
    } else {
        None
    };
    let working = if options.work {
        let worker = accounts.worker(&options, &streams)?;
        eprintln!(
            "hubspot-comms relay: working for {} (consumer {})",
            names(&accounts.names),
            worker.consumer()
        );
        let mut stopped = stop.clone();
        Some(tokio::spawn(worker.run(async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        })))
    } else {
        None
    };
    if let (Some(fake), Some((_, address, public_url))) = (&fake, &receiving) {
        run_demo(fake, &format!("http://{address}"), public_url).await;
    }

    if let Some((served, _, _)) = receiving {
        served
            .await
            .map_err(|error| RelayError::Unexpected(format!("the receivers' task: {error}")))?
            .map_err(|error| RelayError::Setting(format!("the receivers: {error}")))?;
    }
    if let Some(working) = working {
        working
            .await
            .map_err(|error| RelayError::Unexpected(format!("the worker's task: {error}")))??;
    }
    if let Some(metrics) = metrics {
        metrics.abort();
    }
    eprintln!("hubspot-comms relay: stopped; every message taken is in Redis or logged");
    Ok(())
}

/// The accounts this relay serves: their names, and how each one's client is made.
struct Accounts {
    names: Vec<AccountName>,
    routes: Routes,
    /// The routing file, or the one account's builder.
    source: Source,
}

enum Source {
    File(RoutingFile),
    One(Option<Box<ClientBuilder>>),
}

impl Accounts {
    /// The accounts of the routing file, or the one account of the token (or of the demo's
    /// fake, returned to be kept alive). A worker needs credentials; receivers do not.
    async fn read(options: &RelayOptions) -> Result<(Self, Option<MockServer>), RelayError> {
        if let Some(path) = &options.routing_file {
            let file = RoutingFile::read(path)?;
            let accounts = Self {
                names: file.accounts(),
                routes: file.routes(),
                source: Source::File(file),
            };
            return Ok((accounts, None));
        }
        let one = AccountName::default();
        let routes = Routes::one(one.clone());
        let (builder, fake) = match &options.target {
            Target::Demo => {
                let fake = crate::connect::start_demo(&options.key_property)
                    .await
                    .map_err(|error| {
                        RelayError::Setting(format!("the embedded fake HubSpot: {error}"))
                    })?;
                let builder = Client::builder(crate::connect::DEMO_TOKEN).base_url(fake.base_url());
                (Some(Box::new(builder)), Some(fake))
            }
            Target::HubSpot { token, .. } => {
                let token = token.as_ref().map(AccessToken::expose);
                match token {
                    Some(token) => (Some(Box::new(Client::builder(token))), None),
                    None if options.work => {
                        return Err(RelayError::Setting(
                            "no access token: HUBSPOT_ACCESS_TOKEN is unset or blank, and a worker \
                             logs messages with it (a private app token with scopes \
                             crm.objects.contacts.read and .write). Export it, run receivers only \
                             (--no-work), or try it with --demo"
                                .into(),
                        ));
                    }
                    None => (None, None),
                }
            }
        };
        let accounts = Self {
            names: vec![one],
            routes,
            source: Source::One(builder),
        };
        Ok((accounts, fake))
    }

    /// The tokens Twilio's requests are signed with: `TWILIO_AUTH_TOKEN` (the demo's on
    /// `--demo`) for any Twilio account, and the routing file's for the accounts it names;
    /// `None` when there is none (Twilio's webhook is then not served).
    fn twilio_tokens(
        &self,
        options: &RelayOptions,
        demo: bool,
    ) -> Result<Option<TwilioTokens>, RelayError> {
        let default = if demo {
            Some(Secret::new(DEMO_AUTH_TOKEN))
        } else {
            options.twilio_auth_token.clone()
        };
        let by_account = match &self.source {
            Source::File(file) if options.receive => file.twilio_tokens()?,
            _ => Vec::new(),
        };
        Ok(
            (default.is_some() || !by_account.is_empty()).then_some(TwilioTokens {
                default,
                by_account,
            }),
        )
    }

    /// A worker for every account, each client sharing its account's limit in Redis.
    fn worker(&self, options: &RelayOptions, streams: &Streams) -> Result<Worker, RelayError> {
        let base_url = match &options.target {
            Target::HubSpot {
                base_url: Some(url),
                ..
            } if !url.trim().is_empty() => url.trim().to_owned(),
            _ => DEFAULT_BASE_URL.to_owned(),
        };
        let worker_options = WorkerOptions {
            key_property: options.key_property.clone(),
            default_region: options.default_region,
            claim_after: options.claim_after,
            ..WorkerOptions::default()
        };
        let mut worker = Worker::new(streams.clone(), worker_options);
        for name in &self.names {
            let builder = match &self.source {
                Source::File(file) => file.client_builder(name)?.base_url(&base_url),
                Source::One(Some(builder)) if matches!(options.target, Target::Demo) => {
                    builder.as_ref().clone()
                }
                Source::One(Some(builder)) => builder.as_ref().clone().base_url(&base_url),
                Source::One(None) => {
                    return Err(RelayError::Setting("no access token".into()));
                }
            };
            let client = worker_client(streams, name, builder.api_version(options.api_version))?;
            worker = worker.account(name.clone(), client);
        }
        Ok(worker)
    }
}

/// What Twilio's requests are signed with.
struct TwilioTokens {
    default: Option<Secret>,
    by_account: Vec<(String, Secret)>,
}

/// The served receivers' task, their address, and the public URL they check signatures for.
type Receiving = (
    tokio::task::JoinHandle<std::io::Result<()>>,
    SocketAddr,
    String,
);

/// Binds `--listen` and serves the receivers until `stop`.
async fn receive(
    options: &RelayOptions,
    streams: &Streams,
    accounts: &Accounts,
    twilio_tokens: Option<TwilioTokens>,
    stop: watch::Receiver<bool>,
) -> Result<Receiving, RelayError> {
    let listener = TcpListener::bind(&options.listen).await.map_err(|error| {
        RelayError::Setting(format!("listening on {}: {error}", options.listen))
    })?;
    let address = listener
        .local_addr()
        .map_err(|error| RelayError::Setting(format!("the listening address: {error}")))?;
    let public_url = options
        .public_url
        .as_deref()
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .map_or_else(|| format!("http://{address}"), str::to_owned);
    let mut receivers = Receivers::new(Inbox::new(streams.clone()), accounts.routes.clone());
    if let Some(tokens) = twilio_tokens {
        let mut twilio = match tokens.default {
            Some(token) => Twilio::new(public_url.clone(), token),
            None => Twilio::accounts_only(public_url.clone()),
        };
        for (sid, token) in tokens.by_account {
            twilio = twilio.account(sid, token);
        }
        receivers = receivers.twilio(twilio);
        eprintln!(
            "hubspot-comms relay: Twilio's webhook at {public_url}{TWILIO_PATH} (set RELAY_PUBLIC_URL to the URL Twilio calls)"
        );
    }
    if let Some(secret) = &options.json_secret {
        receivers = receivers.json(secret.clone());
    }
    if let Some(region) = options.default_region {
        receivers = receivers.default_region(region);
    }
    let router = receivers.router();
    // The line scripts and the benchmark wait for: the port is bound.
    eprintln!("hubspot-comms relay: receiving at http://{address}");
    let mut stopped = stop;
    let served = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            })
            .await
    });
    Ok((served, address, public_url))
}

/// Serves `/metrics` on `address`, and keeps the accounts' gauges fresh, until `stop`.
async fn serve_metrics(
    address: &str,
    streams: &Streams,
    accounts: &[AccountName],
    stop: watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<()>, RelayError> {
    let handle = install_prometheus()?;
    let listener = TcpListener::bind(address)
        .await
        .map_err(|error| RelayError::Setting(format!("listening on {address}: {error}")))?;
    let bound = listener
        .local_addr()
        .map_err(|error| RelayError::Setting(format!("the metrics' address: {error}")))?;
    eprintln!("hubspot-comms relay: metrics at http://{bound}/metrics");
    let (streams, accounts) = (streams.clone(), accounts.to_vec());
    Ok(tokio::spawn(async move {
        let gauges = async {
            loop {
                match status(&streams, &accounts).await {
                    Ok(statuses) => statuses.iter().for_each(|s| s.record_gauges()),
                    Err(error) => tracing::debug!(%error, "the status for the gauges"),
                }
                tokio::time::sleep(GAUGES_EVERY).await;
            }
        };
        let mut stopped = stop;
        let served =
            axum::serve(listener, metrics_router(handle)).with_graceful_shutdown(async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            });
        tokio::select! {
            _ = served => {}
            () = gauges => {}
        }
    }))
}

/// `--demo`: sends the demo webhooks to the receivers at `base`, waits for the worker to log
/// them, and says what the fake holds.
async fn run_demo(fake: &MockServer, base: &str, public_url: &str) {
    let answers = match demo::send_demo_webhooks(base, public_url).await {
        Ok(answers) => answers,
        Err(error) => {
            eprintln!("hubspot-comms relay: --demo: {error}");
            return;
        }
    };
    println!(
        "Sent {} demo webhooks (answered {:?}), the first again (answered {}: stored once), and a forged one (answered {}).",
        answers.messages.len(),
        answers.messages,
        answers.repeated,
        answers.forged
    );
    let expected = demo::DEMO_MESSAGES.len();
    let waited = Instant::now();
    while fake.message_count() < expected && waited.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let contacts = fake.records(ObjectType::Contact);
    let phones: Vec<&str> = contacts
        .iter()
        .filter_map(|(_, contact)| contact.get("phone").map(String::as_str))
        .collect();
    println!(
        "The fake HubSpot now holds {} message(s) and {} contact(s) ({}). SIGTERM or Ctrl-C stops.",
        fake.message_count(),
        contacts.len(),
        phones.join(", ")
    );
}

fn names(accounts: &[AccountName]) -> String {
    accounts
        .iter()
        .map(AccountName::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}
