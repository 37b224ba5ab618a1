//! `hubspot-comms setup`'s arguments.

use clap::Args;

use super::shared::{ConnectionArgs, KeyPropertyArgs};

/// `hubspot-comms setup`.
#[derive(Debug, Clone, Args)]
pub struct SetupArgs {
    #[command(flatten)]
    pub key: KeyPropertyArgs,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `setup --help`'s long text, before the exit codes.
pub const HELP: &str = "\
It reads the property's definition through HubSpot's Properties API:
  missing                 it is created: internal name NAME, single-line text, unique values,
                          in communications' information group (else the first group)
  unique text property    nothing to do
  anything else           nothing is changed, and it says why (not unique, not text,
                          archived): name another with --key-property
Creating a property needs a scope HubSpot's Properties API lists for writes: grant
crm.schemas.contacts.write (HubSpot names no communications scope; communications come under
the contacts scopes). HubSpot's answer names the scope a token lacks.";
