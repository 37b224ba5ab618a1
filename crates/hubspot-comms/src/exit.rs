//! The exit codes, each number defined once, and what each means for each command: the tables
//! its `--help` prints. A new command adds its table here (and a line to [`ALL`] if it needs a
//! new code).

use std::fmt::{Display, Write};
use std::path::Path;

/// Done, everything as asked.
pub const OK: u8 = 0;
/// Could not run, or stopped before the end (bad arguments, no `HUBSPOT_ACCESS_TOKEN` and no
/// `--demo`, no connection, an unreadable file, a fatal HubSpot answer, interrupted, a limit
/// such as `--max-rows`): running the same command again goes on.
pub const COULD_NOT_RUN: u8 = 1;
/// Ran to the end, but some of it was left out: rows an import did not log (they are in its
/// report), messages an export wrote without what an import needs.
pub const SOME_LEFT_OUT: u8 = 2;
/// An import ran to the end, but HubSpot may or may not have stored some rows: running it again
/// logs them once.
pub const FATE_UNKNOWN: u8 = 3;
/// `follow`: the journal no longer holds the offset to go on from (HubSpot keeps 3 days).
pub const OFFSET_GONE: u8 = 4;

/// A code, and what it means for one command.
pub type Meaning = (u8, &'static str);

/// The codes in general, for `hubspot-comms --help`.
pub const ALL: &[Meaning] = &[
    (OK, "done"),
    (
        COULD_NOT_RUN,
        "could not run (no HUBSPOT_ACCESS_TOKEN and no --demo, bad arguments, no connection, ...), \
         or stopped early: run it again to go on",
    ),
    (
        SOME_LEFT_OUT,
        "done, but some rows or messages were left out: see the report or the summary",
    ),
    (
        FATE_UNKNOWN,
        "import: some rows' fate is unknown: run it again",
    ),
    (
        OFFSET_GONE,
        "follow: the journal no longer holds the checkpoint's offset",
    ),
];

/// `hubspot-comms follow`.
pub const FOLLOW: &[Meaning] = &[
    (
        OK,
        "stopped by Ctrl-C after the entry in flight, or caught up (--until-caught-up): the \
         checkpoint holds the last entry written",
    ),
    (
        COULD_NOT_RUN,
        "could not run, or stopped early (no HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET and no \
         --demo, bad arguments, no connection, an unreadable checkpoint, standard output closed): \
         run it again to go on from the checkpoint",
    ),
    (
        OFFSET_GONE,
        "the journal no longer holds the checkpoint's offset (HubSpot keeps 3 days): changes were \
         lost to it; read your objects again, then follow with a new checkpoint",
    ),
];

/// `hubspot-comms setup`.
pub const SETUP: &[Meaning] = &[
    (OK, "the key property is there (created, or found)"),
    (
        COULD_NOT_RUN,
        "it is not (see the message: no HUBSPOT_ACCESS_TOKEN and no --demo, no connection, a \
         missing scope, a property of that name that cannot key messages)",
    ),
];

/// `hubspot-comms import`.
pub const IMPORT: &[Meaning] = &[
    (OK, "every row was logged (or found logged already)"),
    (
        COULD_NOT_RUN,
        "could not run, or stopped early (no HUBSPOT_ACCESS_TOKEN and no --demo, bad arguments, \
         unreadable file, no connection, key property missing, interrupted, --max-rows): run it \
         again to resume",
    ),
    (
        SOME_LEFT_OUT,
        "some rows were not logged (bad rows, refused by HubSpot, contact not found or \
         ambiguous): see the report",
    ),
    (
        FATE_UNKNOWN,
        "some rows' fate is unknown: run it again (nothing is logged twice)",
    ),
];

/// `hubspot-comms export`.
pub const EXPORT: &[Meaning] = &[
    (OK, "every message was exported with what an import needs"),
    (
        COULD_NOT_RUN,
        "could not run, or stopped early (no HUBSPOT_ACCESS_TOKEN and no --demo, bad arguments, \
         no connection, interrupted, --max-messages): run it again to go on",
    ),
    (
        SOME_LEFT_OUT,
        "exported, but some messages lack what an import needs (a contact, its number, a body, \
         a date), or numbers of --numbers have no contact: see the summary",
    ),
];

/// `hubspot-comms relay`, and its subcommands.
pub const RELAY: &[Meaning] = &[
    (
        OK,
        "stopped by SIGTERM or Ctrl-C after the requests and batches in flight (every message \
         taken is in Redis or logged); a subcommand: done",
    ),
    (
        COULD_NOT_RUN,
        "could not run (no --redis, no HUBSPOT_ACCESS_TOKEN for a worker and no --demo, nothing \
         to receive, bad arguments, Redis unreachable at the start, the address taken)",
    ),
];

/// How wide `--help`'s table is.
const WIDTH: usize = 96;

/// A command's table, as `--help` prints it: `Exit codes:`, then a code a line, its meaning
/// wrapped under it.
pub fn help(meanings: &[Meaning]) -> String {
    let mut text = String::from("Exit codes:");
    for (code, meaning) in meanings {
        let _ = write!(text, "\n  {code} ");
        let mut column = 4;
        for word in meaning.split_whitespace() {
            if column + 1 + word.len() > WIDTH {
                text.push_str("\n    ");
                column = 4;
            }
            text.push(' ');
            text.push_str(word);
            column += 1 + word.len();
        }
    }
    text
}

/// The exit code of a run that stopped before its end or not, with `left_out` items left out
/// and `unknown` of unknown fate: the worst of them, in this order: [`COULD_NOT_RUN`],
/// [`FATE_UNKNOWN`], [`SOME_LEFT_OUT`], [`OK`].
pub(crate) fn of_run(complete: bool, left_out: u64, unknown: u64) -> u8 {
    if !complete {
        COULD_NOT_RUN
    } else if unknown > 0 {
        FATE_UNKNOWN
    } else if left_out > 0 {
        SOME_LEFT_OUT
    } else {
        OK
    }
}

/// What a run that stopped early says when it kept its progress ([`COULD_NOT_RUN`]).
pub(crate) fn kept_in(state: &Path) -> String {
    format!(
        "Progress is kept in {}: run the same command again to go on.",
        state.display()
    )
}

/// Says on stderr why a run stopped, and where its progress is kept if it kept any; answers
/// [`COULD_NOT_RUN`].
pub(crate) fn stopped_by(error: &dyn Display, state: &Path) -> u8 {
    eprintln!("hubspot-comms: {error}");
    if state.exists() {
        eprintln!("{}", kept_in(state));
    }
    COULD_NOT_RUN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_table_names_its_codes_once_in_order_within_the_width() {
        for table in [ALL, SETUP, IMPORT, EXPORT] {
            let codes: Vec<u8> = table.iter().map(|(code, _)| *code).collect();
            assert!(codes.windows(2).all(|w| w[0] < w[1]), "{codes:?}");
            let text = help(table);
            assert!(text.lines().all(|line| line.len() <= WIDTH), "{text}");
            for (code, meaning) in table {
                assert!(text.contains(&format!("\n  {code}  ")), "{text}");
                let last = meaning.split_whitespace().last().unwrap();
                assert!(text.contains(last), "{text}");
            }
        }
        assert!(help(IMPORT).starts_with("Exit codes:\n  0  every row"));
    }
}
