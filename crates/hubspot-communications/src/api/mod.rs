//! Every call on [`Client`](crate::Client), a module per resource: each builds its request
//! from the `model`, sends it through the one request path (`Client::execute`) and reads the
//! answer back into the `model`.

mod associations;
mod journal;
#[cfg(feature = "lookup")]
mod lookup;
mod messages;
mod oauth;
mod objects;
mod properties;
mod records;
mod search;

pub use associations::MAX_ASSOCIATION_BATCH_SIZE;
#[cfg(feature = "lookup")]
pub use lookup::MAX_NUMBERS_PER_SEARCH;
pub(crate) use messages::ASSOCIATION_LINGER;
pub use messages::{LogOutcome, Logged};
pub use properties::{COMMUNICATION_INFORMATION_GROUP, KeyProperty, KeyPropertyError};
