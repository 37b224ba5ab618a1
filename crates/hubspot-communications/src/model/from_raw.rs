//! Reading HubSpot's answers (the raw crate's types) into the model.

/// A crate-private `From` for the raw crate's types: the model reads HubSpot's answers
/// through it, so that no raw type appears in the facade's public API (a `From` impl would
/// put it there, and tie the facade's semver to the generated code's).
pub(crate) trait FromRaw<T> {
    /// The model's value of HubSpot's answer `raw`.
    fn from_raw(raw: T) -> Self;
}
