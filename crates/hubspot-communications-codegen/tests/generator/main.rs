//! The generator's suites: fixtures with HubSpot's defects, versions, and the inventory of the client.
//!
//! One test binary for the package (each file a module): linked once, not once a file.

mod generate;
mod inventory;
mod versions;
