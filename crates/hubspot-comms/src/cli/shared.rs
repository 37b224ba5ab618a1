//! The flags several commands take, declared once and flattened into each command's arguments.

use std::path::PathBuf;

use clap::Args;
use hubspot_comms::DEFAULT_KEY_PROPERTY;
use hubspot_comms::connect::{AccessToken, ConnectOptions, Target};
use hubspot_comms::input::Format;
use hubspot_comms::resume::RunOptions;
use hubspot_communications::{ApiVersion, Region};

use super::choices::{FormatArg, ProgressArg};

/// Where the requests go: every command.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Connection")]
pub struct ConnectionArgs {
    /// Run against an embedded fake HubSpot with a few demo contacts, not your account: to try
    /// the command without a token. Nothing reaches HubSpot.
    #[arg(long)]
    pub demo: bool,

    /// A private app token of your HubSpot account (scopes crm.objects.contacts.read and
    /// crm.objects.contacts.write, which cover communications; setup also needs
    /// crm.schemas.contacts.write).
    /// Without it (and without --demo) nothing runs. Better set in the environment: a command
    /// line is visible to other users of the machine.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "HUBSPOT_ACCESS_TOKEN",
        hide_env_values = true
    )]
    pub access_token: Option<AccessToken>,

    /// Another server than HubSpot's (the fake's binary, say).
    #[arg(long, value_name = "URL", env = "HUBSPOT_BASE_URL")]
    pub base_url: Option<String>,

    /// HubSpot's API version: v3, 2026-03 or 2026-09.
    #[arg(
        long,
        value_name = "VERSION",
        env = "HUBSPOT_API_VERSION",
        value_parser = parse_api_version,
        default_value_t = ApiVersion::default()
    )]
    pub api_version: ApiVersion,
}

impl ConnectionArgs {
    /// The library's options.
    pub fn options(self) -> ConnectOptions {
        let target = if self.demo {
            Target::Demo
        } else {
            Target::HubSpot {
                token: self.access_token,
                base_url: self.base_url,
            }
        };
        let mut options = ConnectOptions::new(target);
        options.api_version = self.api_version;
        options
    }
}

/// A blank `HUBSPOT_API_VERSION` is the default version, as it was before clap read it.
fn parse_api_version(text: &str) -> Result<ApiVersion, String> {
    match text.trim() {
        "" => Ok(ApiVersion::default()),
        name => name.parse::<ApiVersion>().map_err(|e| e.to_string()),
    }
}

/// The key property: every command.
#[derive(Debug, Clone, Args)]
pub struct KeyPropertyArgs {
    /// The unique property of your communications that holds each message's key: `setup`
    /// creates it, `import` upserts by it, `export` writes it as `id`.
    #[arg(long, value_name = "NAME", default_value = DEFAULT_KEY_PROPERTY)]
    pub key_property: String,
}

/// The file's format, and how its numbers read: `import` and `export`.
#[derive(Debug, Clone, Args)]
pub struct FileArgs {
    /// The file's format; by default from its extension.
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,

    /// The region of numbers written without a country code (`+` or `00`), e.g. `US`, `GB`:
    /// the file's (without it, import reports such rows as bad ones), and export's --numbers
    /// and contacts' numbers.
    #[arg(long, value_name = "REGION", value_parser = parse_region)]
    pub default_region: Option<Region>,
}

fn parse_region(text: &str) -> Result<Region, String> {
    Region::parse(text).map_err(|e| e.to_string())
}

/// A run that can stop and go on: `import` and `export`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Where the run keeps its progress, to go on after it was stopped. Default: beside the
    /// file (see below).
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,

    /// Start from the top even if a state file says an earlier run got further.
    #[arg(long)]
    pub restart: bool,

    /// How to show progress: a bar on a terminal, plain lines on stderr otherwise.
    #[arg(long, value_enum, default_value_t = ProgressArg::Auto)]
    pub progress: ProgressArg,
}

impl RunArgs {
    /// The library's options (the stop flag is the command's: Ctrl-C).
    pub fn options(self) -> RunOptions {
        let mut options = RunOptions::default();
        options.state = self.state;
        options.restart = self.restart;
        options.progress = self.progress.into();
        options
    }
}

impl FileArgs {
    /// The format, and the region of numbers without a country code.
    pub fn options(self) -> (Option<Format>, Option<Region>) {
        (self.format.map(Format::from), self.default_region)
    }
}
