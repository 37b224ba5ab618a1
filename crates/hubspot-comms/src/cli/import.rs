//! `hubspot-comms import`'s arguments, and the library's options they make.

use std::path::PathBuf;

use clap::Args;
use hubspot_comms::ImportOptions;
use hubspot_comms::connect::ConnectOptions;

use super::choices::ChannelArg;
use super::shared::{ConnectionArgs, FileArgs, KeyPropertyArgs, RunArgs};

/// `hubspot-comms import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The file to import: JSON Lines (`.jsonl`, `.ndjson`) or CSV (`.csv`), or a report of an
    /// earlier run (its lines carry their rows).
    pub file: PathBuf,

    #[command(flatten)]
    pub input: FileArgs,

    /// The channel of rows that name none (a `whatsapp:` number is WhatsApp).
    #[arg(long, value_enum, default_value_t = ChannelArg::Sms)]
    pub channel: ChannelArg,

    /// The report of the rows not logged (JSON Lines). Default: FILE with `.report.jsonl`
    /// added.
    #[arg(long, value_name = "PATH")]
    pub report: Option<PathBuf>,

    /// Read, validate and find the contacts, and write the report; log nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Create a contact (with the number as its `phone`) for numbers no contact holds.
    #[arg(long)]
    pub create_missing_contacts: bool,

    /// Stop after this many rows (the state file lets the next run go on from there).
    #[arg(long, value_name = "ROWS")]
    pub max_rows: Option<u64>,

    #[command(flatten)]
    pub key: KeyPropertyArgs,

    #[command(flatten)]
    pub run: RunArgs,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

impl ImportArgs {
    /// Where to connect, and what to import.
    pub fn options(self) -> (ConnectOptions, ImportOptions) {
        let mut options = ImportOptions::new(self.file);
        (options.format, options.default_region) = self.input.options();
        options.run = self.run.options();
        options.channel = self.channel.into();
        options.report = self.report;
        options.dry_run = self.dry_run;
        options.create_missing_contacts = self.create_missing_contacts;
        options.max_rows = self.max_rows;
        options.key_property = self.key.key_property;
        (self.connection.options(), options)
    }
}

/// `import --help`'s long text, before the exit codes.
pub const HELP: &str = "\
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

The state file: the report's path with `.state.json` added, unless --state names another.";
