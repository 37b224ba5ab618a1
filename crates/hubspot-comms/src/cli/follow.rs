//! `hubspot-comms follow`'s arguments.

use std::convert::Infallible;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use hubspot_comms::connect::{AccessToken, AppTarget};
use hubspot_comms::follow::FollowOptions;
use hubspot_communications::ApiVersion;
use hubspot_communications::journal::{JournalOffset, JournalStart};

/// `hubspot-comms follow`.
#[derive(Debug, Clone, Args)]
pub struct FollowArgs {
    /// Where to start when the checkpoint holds no offset: `earliest` (the oldest entry HubSpot
    /// keeps, up to 3 days), `latest` (what comes from now on), or an entry's offset (the
    /// entries after it).
    #[arg(long, value_name = "earliest|latest|OFFSET", default_value = "earliest", value_parser = parse_start)]
    pub from: JournalStart,

    /// Keep the offset of the last entry written in this file (replaced atomically after each
    /// entry), and go on after it when run again.
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,

    /// Only this account's journal (its HubSpot id), not every account the app is installed in.
    #[arg(long, value_name = "ACCOUNT_ID")]
    pub account: Option<u64>,

    /// Stop once caught up instead of waiting for more.
    #[arg(long)]
    pub until_caught_up: bool,

    /// How long to wait, once caught up, before asking again.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    pub poll_interval_ms: u64,

    #[command(flatten)]
    pub app: AppArgs,
}

/// Who asks: the app itself.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Connection")]
pub struct AppArgs {
    /// Run against an embedded fake HubSpot whose journal holds a few demo changes, not your
    /// app: to try the command without credentials. Nothing reaches HubSpot.
    #[arg(long)]
    pub demo: bool,

    /// Your public app's client id: the journal takes the app's own token (the OAuth
    /// client-credentials grant). Without it (and without --demo) nothing runs.
    #[arg(long, value_name = "ID", env = "HUBSPOT_CLIENT_ID")]
    pub client_id: Option<String>,

    /// Your public app's client secret. Better set in the environment: a command line is
    /// visible to other users of the machine.
    #[arg(
        long,
        value_name = "SECRET",
        env = "HUBSPOT_CLIENT_SECRET",
        hide_env_values = true
    )]
    pub client_secret: Option<AccessToken>,

    /// Another server than HubSpot's (the fake's binary, say).
    #[arg(long, value_name = "URL", env = "HUBSPOT_BASE_URL")]
    pub base_url: Option<String>,
}

fn parse_start(text: &str) -> Result<JournalStart, Infallible> {
    Ok(match text.trim() {
        "earliest" => JournalStart::Earliest,
        "latest" => JournalStart::Latest,
        offset => JournalStart::After(JournalOffset::new(offset)),
    })
}

impl FollowArgs {
    /// Where to connect, the API version, and the library's options.
    pub fn options(self) -> (AppTarget, ApiVersion, FollowOptions) {
        let target = if self.app.demo {
            AppTarget::Demo
        } else {
            AppTarget::HubSpot {
                client_id: self.app.client_id,
                client_secret: self.app.client_secret,
                base_url: self.app.base_url,
            }
        };
        let mut options = FollowOptions::default();
        options.from = self.from;
        options.checkpoint = self.checkpoint;
        options.account = self.account;
        options.until_caught_up = self.until_caught_up;
        options.poll_interval = Duration::from_millis(self.poll_interval_ms);
        (target, ApiVersion::default(), options)
    }
}

/// `follow --help`'s long text, before the exit codes.
pub const HELP: &str = "\
Each line on standard output is one event of the journal:
  {\"offset\":\"<the entry's offset>\",\"index\":<the event's place in the entry>,\"event\":{...}}
Each entry is written whole, then its offset saved in the --checkpoint file: killed at any
moment, a run has written at most one entry past the checkpoint, which the next run writes
again with the same offset and indexes (drop lines whose offset and index you have seen).
The journal takes an app's own token: set HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET to your
public app's (its scopes: developer.webhooks_journal.read, and those of the objects watched).";
