//! The generated client's suites, against a scripted server.
//!
//! One test binary for the package (each file a module): linked once, not once a file.

mod associations;
mod batch;
mod common;
mod communications;
mod errors;
mod oauth;
mod oauth_token_types;
mod objects;
mod path_segments;
mod properties;
mod response_limit;
