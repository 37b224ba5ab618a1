//! `hubspot-comms relay`'s arguments: the relay itself, or one of its operator subcommands.

use std::convert::Infallible;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use hubspot_comms::relay::AccountName;
use hubspot_comms::relay::service::{DEFAULT_LISTEN, RelayOptions};
use hubspot_communications::{Region, Secret};

use super::shared::{ConnectionArgs, KeyPropertyArgs};

/// `hubspot-comms relay`.
#[derive(Debug, Clone, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct RelayArgs {
    /// An operator's look or action instead of running the relay.
    #[command(subcommand)]
    pub command: Option<RelayCommand>,

    #[command(flatten)]
    pub run: RunArgs,
}

/// The operator's subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum RelayCommand {
    /// Each account's backlog (not yet read by a worker), pending (held by a worker), dead
    /// letters, and the age of its oldest message not yet logged.
    Status(OperateArgs),
    /// The oldest dead letters of each account (100 each), with why each was not logged.
    DeadLetters(OperateArgs),
    /// Move every dead letter back into its account's inbox, to be logged again (once: a
    /// message HubSpot had after all is not logged twice). Fix their cause first.
    RetryDeadLetters(OperateArgs),
}

/// The relay's Redis: every command.
#[derive(Debug, Clone, Args)]
pub struct RedisArgs {
    /// The relay's Redis: `redis://[user:password@]host[:port][/db]`, `rediss://…` or
    /// `redis+unix:///path`. Required: messages are stored there before a provider is
    /// answered. Use AOF with `appendfsync always` (see the README).
    #[arg(
        long,
        value_name = "URL",
        env = "RELAY_REDIS_URL",
        hide_env_values = true
    )]
    pub redis: Option<String>,
}

/// `relay status`, `relay dead-letters`, `relay retry-dead-letters`.
#[derive(Debug, Clone, Args)]
pub struct OperateArgs {
    #[command(flatten)]
    pub redis: RedisArgs,

    /// Only these accounts (the relay's names; `default` for one account); by default the
    /// routing file's and every account found in Redis.
    #[arg(long = "account", value_name = "NAME", value_parser = parse_account)]
    pub accounts: Vec<AccountName>,

    /// The routing file, whose accounts are reported even when Redis holds nothing of theirs.
    #[arg(long, value_name = "FILE")]
    pub routing_file: Option<PathBuf>,
}

/// Running the relay.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub redis: RedisArgs,

    /// Where the receivers listen.
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_LISTEN)]
    pub listen: String,

    /// Run no receivers: a worker only.
    #[arg(long)]
    pub no_receive: bool,

    /// Run no worker: receivers only (they need no HubSpot token).
    #[arg(long)]
    pub no_work: bool,

    /// Several HubSpot accounts: which provider accounts and numbers go to which, and each
    /// one's credentials (see the README). Without it, one account: HUBSPOT_ACCESS_TOKEN's.
    #[arg(long, value_name = "FILE")]
    pub routing_file: Option<PathBuf>,

    /// Serve Prometheus metrics at http://ADDR/metrics.
    #[arg(long, value_name = "ADDR")]
    pub metrics_listen: Option<String>,

    /// Twilio's auth token: Twilio's webhook is served (POST /twilio/messages), its
    /// X-Twilio-Signature checked with it.
    #[arg(long, value_name = "TOKEN", env = "TWILIO_AUTH_TOKEN", hide_env_values = true, value_parser = parse_secret)]
    pub twilio_auth_token: Option<Secret>,

    /// The relay's URL as Twilio calls it, up to the path (https://hooks.example.com): Twilio
    /// signs that URL. By default http://<the listening address>.
    #[arg(long, value_name = "URL", env = "RELAY_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// The JSON endpoint's secret: POST /messages is served, each request signed with it
    /// (X-Relay-Signature: sha256=<hex HMAC-SHA256 of the body>).
    #[arg(long, value_name = "SECRET", env = "RELAY_JSON_SECRET", hide_env_values = true, value_parser = parse_secret)]
    pub json_secret: Option<Secret>,

    /// The region of JSON rows' numbers written without a country code (`US`, `GB`).
    #[arg(long, value_name = "REGION", value_parser = parse_region)]
    pub default_region: Option<Region>,

    /// How long a worker's messages may sit unsettled before other workers take them over (a
    /// crashed worker's): longer than any HubSpot call takes.
    #[arg(long, value_name = "SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub claim_after: u64,

    #[command(flatten)]
    pub key: KeyPropertyArgs,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

impl RunArgs {
    /// The library's options.
    pub fn options(self) -> RelayOptions {
        let connect = self.connection.options();
        let mut options = RelayOptions::new(connect.target);
        options.api_version = connect.api_version;
        options.redis_url = self.redis.redis;
        options.listen = self.listen;
        options.receive = !self.no_receive;
        options.work = !self.no_work;
        options.key_property = self.key.key_property;
        options.routing_file = self.routing_file;
        options.metrics_listen = self.metrics_listen;
        options.twilio_auth_token = self.twilio_auth_token.filter(not_blank);
        options.public_url = self.public_url;
        options.json_secret = self.json_secret.filter(not_blank);
        options.default_region = self.default_region;
        options.claim_after = Duration::from_secs(self.claim_after);
        options
    }
}

fn not_blank(secret: &Secret) -> bool {
    !secret.expose().trim().is_empty()
}

/// Any text: a blank one is dropped afterwards (an exported but empty variable is none).
fn parse_secret(text: &str) -> Result<Secret, Infallible> {
    Ok(Secret::new(text.trim()))
}

fn parse_account(text: &str) -> Result<AccountName, String> {
    AccountName::new(text).map_err(|error| error.to_string())
}

fn parse_region(text: &str) -> Result<Region, String> {
    Region::parse(text).map_err(|error| error.to_string())
}

/// `relay --help`'s long text, before the exit codes.
pub const HELP: &str = "\
A relay from messaging providers to HubSpot: nothing lost, nothing logged twice.
  receivers   Twilio's \"a message comes in\" webhook (POST /twilio/messages, signed) and a
              signed JSON endpoint (POST /messages: the rows `import` reads). A request is
              answered 2xx only once its message is stored in a Redis Stream; a delivery
              repeated by the provider is stored once.
  workers     any number, on any number of machines, one Redis consumer group: messages
              upserted 100 a request by the key property and associated 1,000 a request,
              contacts from a directory in Redis or found many numbers per search, a new
              number's contact created once, HubSpot's limit shared per account in Redis.
              A message is acknowledged only when HubSpot's answer is final; one HubSpot refuses
              for good is a dead letter (see `relay dead-letters`).
One machine:   hubspot-comms relay --redis redis://127.0.0.1:6379/
Several:       hubspot-comms relay --redis URL --no-work     (behind the load balancer)
               hubspot-comms relay --redis URL --no-receive  (as many as the limit needs)
SIGTERM or Ctrl-C: stop taking requests, finish and acknowledge what is in flight, exit 0.";
