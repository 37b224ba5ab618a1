//! `hubspot-comms export`, as the binary runs it: connect (refused without a token unless
//! `--demo`, which finds a few demo messages), stop on Ctrl-C, export, print the summary; the
//! exit code says how it ended.

use super::demo;
use super::options::ExportOptions;
use super::pipeline::export;
use crate::connect::{self, ConnectOptions};
use crate::{exit, shutdown};

/// Runs the export as `connect` and `options` say; answers the exit code ([`exit::EXPORT`]).
pub async fn run(connect: &ConnectOptions, mut options: ExportOptions) -> u8 {
    let Some(connection) = connect::or_say(connect, &options.key_property).await else {
        return exit::COULD_NOT_RUN;
    };
    if let Some(fake) = &connection.fake {
        demo::seed_messages(fake, &options.key_property);
    }
    eprintln!(
        "hubspot-comms: exporting from {} to {}",
        connection.description,
        options.file.display()
    );
    options.run.stop = shutdown::on_ctrl_c("pages");
    let (file, state) = (options.file.clone(), options.state_path());
    match export(&connection.client, options).await {
        Ok(summary) if summary.complete => {
            println!("hubspot-comms export done: {}\n{summary}", file.display());
            summary.exit_code()
        }
        Ok(summary) => {
            println!(
                "hubspot-comms export stopped before the end:\n{summary}{}",
                exit::kept_in(&state)
            );
            summary.exit_code()
        }
        Err(error) => exit::stopped_by(&error, &state),
    }
}
