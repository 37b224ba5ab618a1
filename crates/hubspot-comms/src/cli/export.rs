//! `hubspot-comms export`'s arguments, and the library's options they make.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::Args;
use hubspot_comms::connect::ConnectOptions;
use hubspot_comms::export::ExportOptions;
use hubspot_comms::input::time;
use hubspot_communications::Channel;

use super::choices::{ChannelArg, ReadByArg};
use super::shared::{ConnectionArgs, FileArgs, KeyPropertyArgs, RunArgs};

/// `hubspot-comms export`.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// The file to write: JSON Lines (`.jsonl`, `.ndjson`) or CSV (`.csv`). Written beside
    /// it as FILE.partial and renamed when complete.
    pub file: PathBuf,

    #[command(flatten)]
    pub output: FileArgs,

    /// Only messages sent at or after this time (`hs_timestamp`): RFC 3339, `YYYY-MM-DD`
    /// (midnight UTC), `YYYY-MM-DD HH:MM:SS` (UTC), or Unix seconds or milliseconds.
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub since: Option<DateTime<Utc>>,

    /// Only messages sent before this time (`hs_timestamp`), in the forms of --since.
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub until: Option<DateTime<Utc>>,

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

    /// How messages selected by --since, --until or --channel are read: by HubSpot's search
    /// (its own, smaller rate limit), by list pages filtered here, or `auto`: the list when
    /// the filters keep at least half of all messages, else the search.
    #[arg(long, value_enum, default_value_t = ReadByArg::Auto)]
    pub read_by: ReadByArg,

    /// Stop after the page that brings the messages written to this many (the state file lets
    /// the next run go on from there).
    #[arg(long, value_name = "MESSAGES")]
    pub max_messages: Option<u64>,

    #[command(flatten)]
    pub key: KeyPropertyArgs,

    #[command(flatten)]
    pub run: RunArgs,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

impl ExportArgs {
    /// Where to connect, and what to export.
    pub fn options(self) -> (ConnectOptions, ExportOptions) {
        let mut options = ExportOptions::new(self.file);
        (options.format, options.default_region) = self.output.options();
        options.run = self.run.options();
        options.since = self.since;
        options.until = self.until;
        options.channels = self.channels.into_iter().map(Channel::from).collect();
        options.contacts = self.contacts;
        options.numbers = self.numbers;
        options.read_by = self.read_by.into();
        options.max_messages = self.max_messages;
        options.key_property = self.key.key_property;
        (self.connection.options(), options)
    }
}

fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    time::parse_instant(text).ok_or_else(|| {
        format!(
            "{text:?} is not a time (RFC 3339, YYYY-MM-DD, YYYY-MM-DD HH:MM:SS, Unix seconds or \
             milliseconds)"
        )
    })
}

/// `export --help`'s long text, before the exit codes.
pub const HELP: &str = "\
What is written (the format `import` reads; its other fields are ignored by it):
  id            the key: the --key-property value, else the message's HubSpot id
  phone         the number of the message's contact (its first; on --contact/--numbers its
                first selected one): E.164, `whatsapp:+...` on WhatsApp messages; as the
                contact holds it when it cannot be read as a number
  channel       sms, whatsapp, linkedin
  timestamp     hs_timestamp, RFC 3339 (UTC, milliseconds)
  body, owner   the text, hubspot_owner_id
  hubspot_id    the message's id
  contact_ids, company_ids, deal_ids, ticket_ids
                the records it is associated with (`;` between ids in CSV, arrays in JSON)
Messages with no contact, or whose contact has no number, are written with what they have and
counted in the summary.

Which messages: all of them (list pages), or --since/--until/--channel (searched in id
windows, past HubSpot's 10,000-result cap; or listed and filtered here when they keep at
least half of all messages: --read-by), or the messages of --contact/--numbers (and of the
filters). Written to FILE.partial and renamed to FILE when complete; a stopped export
(Ctrl-C, a kill, --max-messages, an error) goes on where it stopped when run again.

Round trip: `hubspot-comms import FILE` into another account where the same contacts exist
(found by their numbers) logs every message once, on the same contacts, with the same
channel, body, timestamp and key; importing it again logs nothing.

The state file: FILE with `.export-state.json` added, unless --state names another.";
