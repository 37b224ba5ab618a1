//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use hubspot_communications::{Channel, Region};

use crate::input::Format;
use crate::summary::EXIT_CODES;

/// `hubspot-comms`: import conversation histories into HubSpot, and export them.
#[derive(Debug, Parser)]
#[command(name = "hubspot-comms", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log every message of a file (JSON Lines, or CSV such as Twilio's message-log export) on
    /// the HubSpot contact its phone number belongs to, exactly once.
    #[command(after_long_help = IMPORT_HELP, after_help = EXIT_CODES)]
    Import(ImportArgs),
    /// Make sure your communications have the unique key property `import` keys messages by:
    /// created when missing (single-line text, unique values), left alone when it is there.
    /// Run it once per account; running it again changes nothing.
    #[command(after_long_help = SETUP_HELP)]
    Setup(SetupArgs),
    /// Write communications to a file (JSON Lines or CSV) in the format `import` reads: a
    /// backup, an audit, or the way to another account.
    #[command(after_long_help = crate::export::HELP, after_help = crate::export::EXIT_CODES)]
    Export(ExportArgs),
}

/// `hubspot-comms setup`.
#[derive(Debug, Clone, Args)]
pub struct SetupArgs {
    /// The unique property of your communications that holds each message's key, as
    /// `import --key-property` names it.
    #[arg(long, value_name = "NAME", default_value = crate::DEFAULT_KEY_PROPERTY)]
    pub key_property: String,
}

/// `hubspot-comms export`.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// The file to write: JSON Lines (`.jsonl`, `.ndjson`) or CSV (`.csv`). Written beside
    /// it as FILE.partial and renamed when complete.
    pub file: PathBuf,

    /// The file's format; by default from its extension.
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Only messages sent at or after this time (`hs_timestamp`): RFC 3339, `YYYY-MM-DD`
    /// (midnight UTC), `YYYY-MM-DD HH:MM:SS` (UTC), or Unix seconds or milliseconds.
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub since: Option<chrono::DateTime<chrono::Utc>>,

    /// Only messages sent before this time (`hs_timestamp`), in the forms of --since.
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub until: Option<chrono::DateTime<chrono::Utc>>,

    /// Only messages of this channel (repeatable).
    #[arg(long = "channel", value_name = "CHANNEL", value_enum)]
    pub channels: Vec<ChannelArg>,

    /// Only the messages of this contact, by its HubSpot id (repeatable).
    #[arg(long = "contact", value_name = "ID")]
    pub contacts: Vec<String>,

    /// Only the messages of the contacts holding the numbers of this file (one number a
    /// line; blank lines and lines starting with `#` are skipped).
    #[arg(long, value_name = "FILE")]
    pub numbers: Option<PathBuf>,

    /// The region of numbers written without a country code (in --numbers, and contacts'
    /// numbers, which are written in E.164 when they can be read), e.g. `US`, `GB`.
    #[arg(long, value_name = "REGION", value_parser = parse_region)]
    pub default_region: Option<Region>,

    /// The unique communication property whose value is each message's key (the message id
    /// when it has none).
    #[arg(long, value_name = "NAME", default_value = crate::DEFAULT_KEY_PROPERTY)]
    pub key_property: String,

    /// Where the run keeps its progress, to resume after it was stopped. Default: FILE with
    /// `.export-state.json` added.
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,

    /// Start from the first message even if a state file says an earlier run got further.
    #[arg(long)]
    pub restart: bool,

    /// How messages selected by --since, --until or --channel are read: by HubSpot's search
    /// (its own, smaller rate limit), by list pages filtered here, or `auto`: the list when
    /// the filters keep at least half of all messages, else the search.
    #[arg(long, value_enum, default_value_t = ReadBy::Auto)]
    pub read_by: ReadBy,

    /// Stop after the page that brings the messages written to this many (the state file lets
    /// the next run go on from there).
    #[arg(long, value_name = "MESSAGES")]
    pub max_messages: Option<u64>,

    /// How to show progress: a bar on a terminal, plain lines on stderr otherwise.
    #[arg(long, value_enum, default_value_t = ProgressArg::Auto)]
    pub progress: ProgressArg,
}

fn parse_instant(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    crate::export::parse_instant(text).ok_or_else(|| {
        format!(
            "{text:?} is not a time (RFC 3339, YYYY-MM-DD, YYYY-MM-DD HH:MM:SS, Unix seconds or \
             milliseconds)"
        )
    })
}

/// `hubspot-comms import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The file to import: JSON Lines (`.jsonl`, `.ndjson`) or CSV (`.csv`), or a report of an
    /// earlier run (its lines carry their rows).
    pub file: PathBuf,

    /// The file's format; by default from its extension.
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// The region of numbers written without a country code (`+` or `00`), e.g. `US`, `GB`.
    /// Without it such numbers are bad rows.
    #[arg(long, value_name = "REGION", value_parser = parse_region)]
    pub default_region: Option<Region>,

    /// The channel of rows that name none (a `whatsapp:` number is WhatsApp).
    #[arg(long, value_enum, default_value_t = ChannelArg::Sms)]
    pub channel: ChannelArg,

    /// The report of the rows not logged (JSON Lines). Default: FILE with `.report.jsonl`
    /// added.
    #[arg(long, value_name = "PATH")]
    pub report: Option<PathBuf>,

    /// Where the run keeps its progress, to resume after it was stopped. Default: the report's
    /// path with `.state.json` added.
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,

    /// Start from the first row even if a state file says an earlier run got further.
    #[arg(long)]
    pub restart: bool,

    /// Read, validate and find the contacts, and write the report; log nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Create a contact (with the number as its `phone`) for numbers no contact holds.
    #[arg(long)]
    pub create_missing_contacts: bool,

    /// The unique property of your communications that holds each message's key (see
    /// below).
    #[arg(long, value_name = "NAME", default_value = crate::DEFAULT_KEY_PROPERTY)]
    pub key_property: String,

    /// Stop after this many rows (the state file lets the next run go on from there).
    #[arg(long, value_name = "ROWS")]
    pub max_rows: Option<u64>,

    /// How to show progress: a bar on a terminal, plain lines on stderr otherwise.
    #[arg(long, value_enum, default_value_t = ProgressArg::Auto)]
    pub progress: ProgressArg,
}

/// A channel, as typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChannelArg {
    /// SMS.
    Sms,
    /// WhatsApp.
    Whatsapp,
    /// LinkedIn messages.
    Linkedin,
}

impl From<ChannelArg> for Channel {
    fn from(channel: ChannelArg) -> Self {
        match channel {
            ChannelArg::Sms => Channel::Sms,
            ChannelArg::Whatsapp => Channel::WhatsApp,
            ChannelArg::Linkedin => Channel::LinkedIn,
        }
    }
}

/// How an export with filters reads its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReadBy {
    /// The list when the filters keep at least half of all messages (two searches count
    /// them), else the search.
    Auto,
    /// List pages of every message, filtered here (the general rate limit).
    List,
    /// HubSpot's search, in id windows (the search rate limit).
    Search,
}

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressArg {
    /// A bar on a terminal, plain lines otherwise.
    Auto,
    /// A bar with rate and ETA.
    Bar,
    /// A line on stderr every few seconds.
    Plain,
    /// Nothing but the summary.
    None,
}

const SETUP_HELP: &str = "\
It reads the property's definition through HubSpot's Properties API:
  missing                 it is created: internal name NAME, single-line text, unique values,
                          in communications' information group (else the first group)
  unique text property    nothing to do
  anything else           nothing is changed, and it says why (not unique, not text,
                          archived): name another with --key-property
Creating a property needs the scope to write communication properties: HubSpot's answer names
the scope a token lacks.

Environment: HUBSPOT_ACCESS_TOKEN, HUBSPOT_BASE_URL, HUBSPOT_API_VERSION, as for import.

Exit codes: 0 the property is there (created or found), 1 it is not (see the message).
";

fn parse_region(text: &str) -> Result<Region, String> {
    Region::parse(text).map_err(|e| e.to_string())
}

const IMPORT_HELP: &str = concat!(
    "\
Input (field names are matched without regard to case; CSV headers or JSON keys):
  id, sid, messagesid    the provider's message id: the message's key (else a hash of the row)
  phone                  the contact's number; or
  from, to, direction    Twilio's columns: the contact is From for `inbound` rows, To for
                         `outbound-*` ones
  body (text)            the message (required)
  timestamp, sentdate, date_sent
                         when it was sent (required): RFC 3339, `YYYY-MM-DD HH:MM:SS` (UTC),
                         RFC 2822, or Unix seconds or milliseconds
  channel                sms, whatsapp, linkedin; else `whatsapp:` numbers are WhatsApp and
                         others --channel
  owner                  a HubSpot owner id (hubspot_owner_id)
Other fields (Twilio's Status, Price, ...) are kept in the report, not logged.

Exactly once: each message is upserted by its key into --key-property (`external_message_id`
by default), a unique text property of your account's communications: create it once with
`hubspot-comms setup` (or `hubspot-comms setup --key-property NAME`). A rerun or a resumed run
updates what is there; it never logs a message twice. A message body longer than HubSpot's
65,536 characters is a bad row, reported with its line.

Environment: HUBSPOT_ACCESS_TOKEN (a private app token with the contacts and communications
scopes; without it, an embedded fake HubSpot with a few demo contacts is used),
HUBSPOT_BASE_URL, HUBSPOT_API_VERSION (v3, 2026-03, 2026-09).

",
    crate::summary::exit_codes!()
);
