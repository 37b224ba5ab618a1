//! The fake HubSpot's suites: its HTTP behaviour, its rules, its binary, and the raw client against it.
//!
//! One test binary for the package (each file a module): linked once, not once a file.

mod binary;
mod common;
mod contacts;
mod hostile;
mod http;
mod hubspot_facts;
mod hubspot_parity;
mod oauth;
mod properties;
mod property_definitions;
mod raw_client;
mod record_writes;
mod scripts;
mod search_lag;
mod seeding;
mod spec_answers;
mod stop;
mod unique_values;
mod versions;
mod webhooks;
