//! `hubspot-comms`: see `hubspot-comms --help`.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;
use hubspot_comms::args::{Cli, Command};
use hubspot_comms::summary::EXIT_COULD_NOT_RUN;
use hubspot_comms::{ImportOptions, connect, import};

/// `hubspot-comms setup`: makes sure of the key property, says what it did.
async fn setup(key_property: &str) -> u8 {
    let connection = match connect::connect(key_property).await {
        Ok(connection) => connection,
        Err(error) => {
            eprintln!("hubspot-comms: could not connect: {error}");
            return EXIT_COULD_NOT_RUN;
        }
    };
    match hubspot_comms::setup::setup(&connection.client, key_property).await {
        Ok(key) => {
            println!(
                "hubspot-comms: {} ({})",
                hubspot_comms::setup::describe(&key),
                connection.description
            );
            0
        }
        Err(error) => {
            eprintln!("hubspot-comms setup: {error}");
            EXIT_COULD_NOT_RUN
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // --help and --version are not failures; a wrong command line is one that could
            // not run.
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(EXIT_COULD_NOT_RUN)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("hubspot-comms: could not start: {error}");
            return ExitCode::from(EXIT_COULD_NOT_RUN);
        }
    };
    ExitCode::from(runtime.block_on(run(cli)))
}

async fn run(cli: Cli) -> u8 {
    let args = match cli.command {
        Command::Import(args) => args,
        Command::Setup(args) => return setup(&args.key_property).await,
        Command::Export(args) => return hubspot_comms::export::run(args).await,
    };
    let mut options = ImportOptions::from(args);
    let connection = match connect::connect(&options.key_property).await {
        Ok(connection) => connection,
        Err(error) => {
            eprintln!("hubspot-comms: could not connect: {error}");
            return EXIT_COULD_NOT_RUN;
        }
    };
    eprintln!(
        "hubspot-comms: importing {} into {}",
        options.file.display(),
        connection.description
    );

    // Ctrl-C stops reading; what was read settles and the state is saved. A second one ends
    // the process at once (the state saved last lets the next run resume).
    let stop = Arc::new(AtomicBool::new(false));
    options.stop = Arc::clone(&stop);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!(
                "hubspot-comms: stopping after the rows in flight (Ctrl-C again to quit now)"
            );
            stop.store(true, Ordering::Relaxed);
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(EXIT_COULD_NOT_RUN.into());
            }
        }
    });

    let report = options.report_path();
    let state = options.state_path();
    let dry_run = options.dry_run;
    match import(&connection.client, options).await {
        Ok(summary) => {
            let what = if dry_run { "dry run" } else { "import" };
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
                println!(
                    "Progress is kept in {}: run the same command again to go on.",
                    state.display()
                );
            }
            summary.exit_code()
        }
        Err(error) => {
            eprintln!("hubspot-comms: {error}");
            if state.exists() {
                eprintln!(
                    "Progress is kept in {}: run the same command again to resume.",
                    state.display()
                );
            }
            EXIT_COULD_NOT_RUN
        }
    }
}
