//! `hubspot-comms`: see `hubspot-comms --help`. Parses the command line and hands the command
//! to the library's `run` for it; the command's exit code is the process's.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use hubspot_comms::relay::{operate, service};
use hubspot_comms::{exit, export, follow, import, setup};

use cli::{Cli, Command, RelayArgs, RelayCommand};

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
        Command::Relay(args) => relay(args).await,
    }
}

/// The relay, or one of its operator subcommands.
async fn relay(args: RelayArgs) -> u8 {
    let Some(command) = args.command else {
        // A service: its logs on standard error (`RUST_LOG` filters them; info by default).
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
        return service::run(args.run.options()).await;
    };
    let (RelayCommand::Status(operate)
    | RelayCommand::DeadLetters(operate)
    | RelayCommand::RetryDeadLetters(operate)) = &command;
    let Some(redis) = operate
        .redis
        .redis
        .clone()
        .filter(|url| !url.trim().is_empty())
    else {
        eprintln!(
            "hubspot-comms relay: could not run: no --redis URL (or RELAY_REDIS_URL): the relay's Redis"
        );
        return exit::COULD_NOT_RUN;
    };
    let (named, file) = (operate.accounts.clone(), operate.routing_file.clone());
    operate::run(&redis, |streams| async move {
        let accounts = operate::accounts(&streams, &named, file.as_deref()).await?;
        match command {
            RelayCommand::Status(_) => operate::status_table(&streams, &accounts).await,
            RelayCommand::DeadLetters(_) => operate::dead_letters_list(&streams, &accounts).await,
            RelayCommand::RetryDeadLetters(_) => {
                operate::retry_dead_letters(&streams, &accounts).await
            }
        }
    })
    .await
}
