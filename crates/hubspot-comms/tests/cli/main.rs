//! hubspot-comms end to end: the binary against a fake each test starts.
//!
//! One test binary for the package (each file a module): linked once, not once a file.

mod common;
mod export;
mod follow;
mod import;
mod killed;
mod outsider;
mod relay;
mod resume;
mod round_trip;
mod setup;
mod token;
