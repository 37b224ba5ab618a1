//! `hubspot-comms import`, as the binary runs it: connect (refused without a token unless
//! `--demo`), stop on Ctrl-C, import, print the summary; the exit code says how it ended.

use super::options::ImportOptions;
use super::pipeline::import;
use crate::connect::{self, ConnectOptions};
use crate::{exit, shutdown};

/// Runs the import as `connect` and `options` say; answers the exit code ([`exit::IMPORT`]).
pub async fn run(connect: &ConnectOptions, mut options: ImportOptions) -> u8 {
    let Some(connection) = connect::or_say(connect, &options.key_property).await else {
        return exit::COULD_NOT_RUN;
    };
    eprintln!(
        "hubspot-comms: importing {} into {}",
        options.file.display(),
        connection.description
    );
    options.run.stop = shutdown::on_ctrl_c("rows");
    let report = options.report_path();
    let state = options.state_path();
    let what = if options.dry_run { "dry run" } else { "import" };
    match import(&connection.client, options).await {
        Ok(summary) => {
            let end = if summary.complete {
                "done"
            } else {
                "stopped before the end of the file"
            };
            println!("hubspot-comms {what} {end}:\n{summary}");
            let reported = summary.counts.reported();
            if reported > 0 {
                println!("{reported} rows not logged are in {}", report.display());
            }
            if !summary.complete {
                println!("{}", exit::kept_in(&state));
            }
            summary.exit_code()
        }
        Err(error) => exit::stopped_by(&error, &state),
    }
}
