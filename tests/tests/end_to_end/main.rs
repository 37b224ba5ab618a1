//! The facade's end-to-end suites: against the embedded fake HubSpot (spec-checked), a scripted server, and redis-server.
//!
//! One test binary for the package (each file a module): linked once, not once a file.

mod batch;
mod batch_traces;
mod bulk;
mod bulk_logging;
mod contact_claims;
mod decisions;
mod errors;
mod export_reads;
mod faults;
mod guide;
mod hostile_answers;
mod hubspot_webhooks;
mod keyed_associations;
mod lookup;
mod oauth;
mod paging;
mod path_escape;
mod phone_numbers;
mod properties;
mod record_batches;
mod requests;
mod serde;
mod shared_rate_limit;
mod stand_in;
mod tracing;
mod webhook_properties;
mod webhooks_journal;
