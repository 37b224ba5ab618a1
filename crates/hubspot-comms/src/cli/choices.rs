//! The command line's words for the library's choices (clap's value enums stay out of the
//! library): each converts to the library's type.

use clap::ValueEnum;
use hubspot_comms::export::ReadBy;
use hubspot_comms::input::Format;
use hubspot_comms::progress::ShowProgress;
use hubspot_communications::Channel;

/// A file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header line (Twilio's message-log export, say).
    Csv,
}

impl From<FormatArg> for Format {
    fn from(format: FormatArg) -> Self {
        match format {
            FormatArg::Jsonl => Format::Jsonl,
            FormatArg::Csv => Format::Csv,
        }
    }
}

/// A channel.
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
pub enum ReadByArg {
    /// The list when the filters keep at least half of all messages (two searches count
    /// them), else the search.
    Auto,
    /// List pages of every message, filtered here (the general rate limit).
    List,
    /// HubSpot's search, in id windows (the search rate limit).
    Search,
}

impl From<ReadByArg> for ReadBy {
    fn from(read_by: ReadByArg) -> Self {
        match read_by {
            ReadByArg::Auto => ReadBy::Auto,
            ReadByArg::List => ReadBy::List,
            ReadByArg::Search => ReadBy::Search,
        }
    }
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

impl From<ProgressArg> for ShowProgress {
    fn from(progress: ProgressArg) -> Self {
        match progress {
            ProgressArg::Auto => ShowProgress::Auto,
            ProgressArg::Bar => ShowProgress::Bar,
            ProgressArg::Plain => ShowProgress::Plain,
            ProgressArg::None => ShowProgress::None,
        }
    }
}
