//! Ctrl-C, for every command that runs long: the first one asks the run to stop after what is
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
