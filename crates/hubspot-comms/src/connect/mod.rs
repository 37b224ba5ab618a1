//! Where a command's requests go: the HubSpot account of `HUBSPOT_ACCESS_TOKEN` (at
//! `HUBSPOT_BASE_URL` when it names another server, such as the fake's binary), or, only when
//! `--demo` asks, an embedded fake HubSpot with a few demo contacts. Without a token and without
//! `--demo` nothing runs: someone who forgot to export the token must not believe their
//! history went to HubSpot.

mod app;
mod demo;
mod token;

use hubspot_communications::{ApiVersion, Client, DEFAULT_BASE_URL};
use hubspot_communications_mock::MockServer;

pub use app::{AppTarget, DEMO_ACCOUNT, connect_app};
pub use demo::DEMO_CONTACTS;
pub(crate) use demo::{DEMO_TOKEN, start as start_demo};
pub use token::AccessToken;

/// Where to connect, as the command line (or its environment) says.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ConnectOptions {
    /// HubSpot, or the embedded fake.
    pub target: Target,
    /// The API version (`HUBSPOT_API_VERSION`).
    pub api_version: ApiVersion,
}

/// HubSpot, or the embedded fake.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Target {
    /// The account of a private app token (`HUBSPOT_ACCESS_TOKEN`; none, or a blank one, is
    /// refused), at HubSpot or at `base_url` (`HUBSPOT_BASE_URL`; a blank one is HubSpot's).
    HubSpot {
        /// The token.
        token: Option<AccessToken>,
        /// Another server than HubSpot's.
        base_url: Option<String>,
    },
    /// The embedded fake with a few demo contacts (`--demo`); no token is sent anywhere.
    Demo,
}

/// HubSpot, with no token yet: refused until one is given.
impl Default for Target {
    fn default() -> Self {
        Self::HubSpot {
            token: None,
            base_url: None,
        }
    }
}

impl ConnectOptions {
    /// `target`, at the default API version.
    pub fn new(target: Target) -> Self {
        Self {
            target,
            api_version: ApiVersion::default(),
        }
    }
}

/// A client, and the fake it talks to on `--demo` (keep it alive).
#[derive(Debug)]
pub struct Connection {
    /// The client.
    pub client: Client,
    /// The embedded fake, on `--demo`.
    pub fake: Option<MockServer>,
    /// Where it talks to, in words.
    pub description: String,
}

/// Why there is no connection.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// No token, and no `--demo`.
    #[error(
        "no access token: HUBSPOT_ACCESS_TOKEN is unset or blank. Export it with a private app \
         token of your HubSpot account (scopes crm.objects.contacts.read and .write, which \
         cover communications), or run with \
         --demo to try hubspot-comms on an embedded fake HubSpot (nothing reaches your account)"
    )]
    NoToken,
    /// `follow`: no app credentials, and no `--demo`.
    #[error(
        "no app credentials: HUBSPOT_CLIENT_ID or HUBSPOT_CLIENT_SECRET is unset or blank. The \
         webhooks journal takes a public app's own token: export its client id and secret, or \
         run with --demo to try it on an embedded fake HubSpot"
    )]
    NoAppCredentials,
    /// The client could not be built (a base URL that is not one, say).
    #[error("{0}")]
    Client(#[from] hubspot_communications::Error),
    /// The embedded fake could not start.
    #[error("the embedded fake HubSpot could not start: {0}")]
    Fake(#[from] std::io::Error),
}

/// Connects as `options` say; on `--demo`, `key_property` is made a unique property of the
/// embedded fake's communications (a real account has it created once, by `setup`).
pub async fn connect(
    options: &ConnectOptions,
    key_property: &str,
) -> Result<Connection, ConnectError> {
    let version = options.api_version;
    let (token, base_url) = match &options.target {
        Target::Demo => {
            let fake = demo::start(key_property).await?;
            let client = Client::builder(demo::DEMO_TOKEN)
                .base_url(fake.base_url())
                .api_version(version)
                .build()?;
            return Ok(Connection {
                client,
                description: demo::describe(&fake, version),
                fake: Some(fake),
            });
        }
        Target::HubSpot { token, base_url } => (token, base_url),
    };
    let token = token
        .as_ref()
        .filter(|token| !token.expose().is_empty())
        .ok_or(ConnectError::NoToken)?;
    let base_url = base_url
        .as_deref()
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .unwrap_or(DEFAULT_BASE_URL);
    let client = Client::builder(token.expose())
        .base_url(base_url)
        .api_version(version)
        .build()?;
    Ok(Connection {
        client,
        fake: None,
        description: format!("HubSpot at {base_url} (API version {version})"),
    })
}

/// [`connect`], or why not on stderr (the command then exits with
/// [`COULD_NOT_RUN`](crate::exit::COULD_NOT_RUN)), before anything else is done.
pub(crate) async fn or_say(options: &ConnectOptions, key_property: &str) -> Option<Connection> {
    match connect(options, key_property).await {
        Ok(connection) => Some(connection),
        Err(error) => {
            eprintln!("hubspot-comms: could not run: {error}");
            None
        }
    }
}
