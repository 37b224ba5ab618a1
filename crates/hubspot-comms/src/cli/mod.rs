//! The command line (clap's types, only the binary's): a command a variant, each with its
//! arguments in a file of its own, the flags they share flattened in from `shared`, and each
//! command's `--help` ending with its exit codes (from the library's `exit`, where they are
//! defined once). A new command is a variant here, its arguments' file, and its folder in the
//! library.

mod choices;
mod export;
mod follow;
mod import;
mod relay;
mod setup;
mod shared;

use std::sync::LazyLock;

use clap::{Parser, Subcommand};
use hubspot_comms::exit;
use hubspot_communications::PhoneNumber;

pub use export::ExportArgs;
pub use follow::FollowArgs;
pub use import::ImportArgs;
pub use relay::{RelayArgs, RelayCommand};
pub use setup::SetupArgs;

/// `hubspot-comms`: import conversation histories into HubSpot, export them, follow HubSpot's
/// changes, and relay messages from providers as they come.
///
/// Every command needs HUBSPOT_ACCESS_TOKEN (a private app token), or --demo to run against an
/// embedded fake HubSpot instead of your account.
#[derive(Debug, Parser)]
#[command(
    name = "hubspot-comms",
    version = VERSION.as_str(),
    about,
    after_help = exit::help(exit::ALL)
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// `--version`: the program's, and the numbering metadata its phone numbers are read with
/// (newer ranges are read all the same; the import's report warns of them).
static VERSION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{} (phone numbering metadata: libphonenumber {})",
        env!("CARGO_PKG_VERSION"),
        PhoneNumber::METADATA_VERSION
    )
});

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make sure your communications have the unique key property `import` keys messages by:
    /// created when missing (single-line text, unique values), left alone when it is there.
    /// Run it once per account; running it again changes nothing.
    #[command(
        after_help = exit::help(exit::SETUP),
        after_long_help = long_help(setup::HELP, exit::SETUP)
    )]
    Setup(SetupArgs),
    /// Log every message of a file (JSON Lines, or CSV such as Twilio's message-log export) on
    /// the HubSpot contact its phone number belongs to, exactly once.
    #[command(
        after_help = exit::help(exit::IMPORT),
        after_long_help = long_help(import::HELP, exit::IMPORT)
    )]
    Import(ImportArgs),
    /// Write communications to a file (JSON Lines or CSV) in the format `import` reads: a
    /// backup, an audit, or the way to another account.
    #[command(
        after_help = exit::help(exit::EXPORT),
        after_long_help = long_help(export::HELP, exit::EXPORT)
    )]
    Export(ExportArgs),
    /// Write HubSpot's webhooks journal (every change your app subscribed to) as JSON Lines on
    /// standard output, going on from a checkpoint after a stop or a crash.
    #[command(
        after_help = exit::help(exit::FOLLOW),
        after_long_help = long_help(follow::HELP, exit::FOLLOW)
    )]
    Follow(FollowArgs),
    /// Relay messages from providers (Twilio's webhook, signed JSON) to HubSpot through Redis
    /// Streams: nothing lost while HubSpot or the relay is down, nothing logged twice, one
    /// contact per new number. Needs --redis (or --demo).
    #[command(
        after_help = exit::help(exit::RELAY),
        after_long_help = long_help(relay::HELP, exit::RELAY)
    )]
    Relay(RelayArgs),
}

/// A command's long help: its text, then its exit codes.
fn long_help(text: &str, codes: &[exit::Meaning]) -> String {
    format!("{text}\n\n{}", exit::help(codes))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use hubspot_comms::connect::Target;

    use super::*;

    #[test]
    fn the_arguments_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn follow_reads_its_start_and_never_prints_the_secret() {
        let cli = Cli::try_parse_from([
            "hubspot-comms",
            "follow",
            "--from",
            "550e8400-e29b-41d4-a716-446655440000",
            "--client-id",
            "app",
            "--client-secret",
            "cs-very-secret",
        ])
        .unwrap();
        let printed = format!("{cli:?} {cli:#?}");
        assert!(!printed.contains("very-secret"), "{printed}");
        let Command::Follow(args) = cli.command else {
            panic!("{printed}")
        };
        let (_, _, options) = args.options();
        assert!(matches!(
            options.from,
            hubspot_communications::journal::JournalStart::After(_)
        ));
    }

    #[test]
    fn no_printout_of_the_arguments_shows_the_token() {
        let cli = Cli::try_parse_from([
            "hubspot-comms",
            "import",
            "messages.csv",
            "--access-token",
            "pat-na1-very-secret",
        ])
        .unwrap();
        let printed = format!("{cli:?} {cli:#?}");
        assert!(!printed.contains("very-secret"), "{printed}");
        assert!(printed.contains("access_token: Some("), "{printed}");
    }

    #[test]
    fn each_command_shares_the_connection_and_key_flags() {
        for command in ["setup", "import", "export"] {
            let mut args = vec!["hubspot-comms", command];
            if command != "setup" {
                args.push("file.jsonl");
            }
            args.extend([
                "--demo",
                "--key-property",
                "sid",
                "--api-version",
                "2026-03",
            ]);
            let cli = Cli::try_parse_from(&args).unwrap_or_else(|e| panic!("{command}: {e}"));
            let (connection, key) = match cli.command {
                Command::Setup(args) => (args.connection, args.key),
                Command::Import(args) => (args.connection, args.key),
                Command::Export(args) => (args.connection, args.key),
                Command::Follow(_) | Command::Relay(_) => {
                    unreachable!("not among the commands parsed")
                }
            };
            assert_eq!(key.key_property, "sid");
            let options = connection.options();
            assert!(matches!(options.target, Target::Demo));
            assert_eq!(options.api_version.to_string(), "2026-03");
        }
    }
}
