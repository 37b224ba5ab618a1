//! Ctrl-C (and SIGTERM, for the relay), for every command that runs long: the first one asks the run to stop after what is
//! in flight (it then saves its state, so that running it again goes on); a second one ends the
//! process at once (the state saved last still lets the next run go on).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::exit;

/// A flag that the first Ctrl-C sets; `in_flight` names what the run finishes first (`rows`,
/// `pages`). Call it inside the runtime.
pub(crate) fn on_ctrl_c(in_flight: &'static str) -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!(
                "hubspot-comms: stopping after the {in_flight} in flight (Ctrl-C again to quit now)"
            );
            flag.store(true, Ordering::Relaxed);
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(exit::COULD_NOT_RUN.into());
            }
        }
    });
    stop
}

/// For a service: the first SIGTERM or Ctrl-C turns the answered flag true (stop taking work,
/// finish the `in_flight`); a second one ends the process at once. Call it inside the runtime.
pub(crate) fn on_terminate(in_flight: &'static str) -> tokio::sync::watch::Receiver<bool> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        let mut terminate = terminate_signal();
        let mut signals = 0;
        loop {
            tokio::select! {
                Ok(()) = tokio::signal::ctrl_c() => {}
                Some(()) = next(&mut terminate) => {}
                else => return,
            }
            signals += 1;
            if signals == 1 {
                eprintln!(
                    "hubspot-comms: stopping after the {in_flight} in flight (signal again to quit now)"
                );
                let _ = stop.send(true);
            } else {
                std::process::exit(exit::COULD_NOT_RUN.into());
            }
        }
    });
    stopped
}

/// SIGTERM's stream, where there is one.
#[cfg(unix)]
type Terminate = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Terminate = Option<()>;

#[cfg(unix)]
fn terminate_signal() -> Terminate {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(terminate) => Some(terminate),
        Err(error) => {
            eprintln!("hubspot-comms: SIGTERM cannot be caught ({error}); Ctrl-C can");
            None
        }
    }
}

/// No SIGTERM here: Ctrl-C only.
#[cfg(not(unix))]
fn terminate_signal() -> Terminate {
    None
}

/// The next SIGTERM; never, where there is none.
async fn next(terminate: &mut Terminate) -> Option<()> {
    #[cfg(unix)]
    return terminate.as_mut()?.recv().await;
    #[cfg(not(unix))]
    {
        let _ = terminate;
        None
    }
}
