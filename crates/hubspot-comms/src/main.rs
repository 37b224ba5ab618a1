//! `hubspot-comms`: see `hubspot-comms --help`. Parses the command line and hands the command
//! to the library's `run` for it; the command's exit code is the process's.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use hubspot_comms::{exit, export, follow, import, setup};

use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // --help and --version are not failures; a wrong command line is one that could
            // not run.
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() {
                exit::COULD_NOT_RUN
            } else {
                exit::OK
            });
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("hubspot-comms: could not start: {error}");
            return ExitCode::from(exit::COULD_NOT_RUN);
        }
    };
    ExitCode::from(runtime.block_on(dispatch(cli.command)))
}

/// Runs the command; answers its exit code.
async fn dispatch(command: Command) -> u8 {
    match command {
        Command::Setup(args) => {
            setup::run(&args.connection.options(), &args.key.key_property).await
        }
        Command::Import(args) => {
            let (connect, options) = args.options();
            import::run(&connect, options).await
        }
        Command::Export(args) => {
            let (connect, options) = args.options();
            export::run(&connect, options).await
        }
        Command::Follow(args) => {
            let (target, version, options) = args.options();
            follow::run(&target, version, options).await
        }
    }
}
