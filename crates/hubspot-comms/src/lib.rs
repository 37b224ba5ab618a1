//! `hubspot-comms`: import conversation histories into HubSpot.
