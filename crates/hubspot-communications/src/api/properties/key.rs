//! Making sure communications have a unique key property: what exactly-once logging
//! ([`Client::log_all_keyed`], upserts by a provider's message id) needs, created when it is
//! missing, never changed when it is there.

use crate::client::Client;
use crate::error::{Error, ErrorCategory};
use crate::model::{NewProperty, ObjectType, PropertyDefinition, PropertyGroup, check_name};
use crate::operation::Operation;

/// The property group a key property goes in when communications have it: HubSpot's
/// information group of the object type. Otherwise the first group HubSpot lists.
pub const COMMUNICATION_INFORMATION_GROUP: &str = "communicationinformation";

/// A unique key property of communications, as [`Client::ensure_key_property`] found or
/// made it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyProperty {
    /// Its definition, as HubSpot answered it.
    pub definition: PropertyDefinition,
    /// Whether this call created it (else it was there already).
    pub created: bool,
}

impl KeyProperty {
    /// The key property `definition`, created by the call or not.
    pub fn new(definition: PropertyDefinition, created: bool) -> Self {
        Self {
            definition,
            created,
        }
    }
}

/// Why communications cannot have the key property asked for. Nothing was changed.
///
/// It stands apart from [`Error`] on purpose: most of its cases are answers about the
/// account's setup, not failures of a call (HubSpot answered every request; the property it
/// found cannot key messages), and each names what the user must do in HubSpot. A call that
/// failed is [`KeyPropertyError::Request`], holding the [`Error`] as it is.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyPropertyError {
    /// Communications have a property of that name whose values are not unique: it cannot
    /// identify messages, and HubSpot cannot make an existing property unique. Choose another
    /// name.
    #[error(
        "communications have a property {} that does not require unique values, and HubSpot cannot make an existing property unique: choose another name",
        .0.name
    )]
    NotUnique(Box<PropertyDefinition>),
    /// Communications have a property of that name that does not hold text. Choose another
    /// name.
    #[error(
        "communications have a property {} of type {}, not text (string): choose another name",
        .0.name, .0.property_type
    )]
    NotText(Box<PropertyDefinition>),
    /// The name belongs to an archived property of communications, which keeps its name:
    /// restore it in HubSpot (Settings → Properties → Archived properties) or choose another
    /// name.
    #[error(
        "communications have an archived property {}: restore it in HubSpot's settings (Properties, archived properties) or choose another name",
        .0.name
    )]
    Archived(Box<PropertyDefinition>),
    /// Communications have no property group to put the property in.
    #[error("communications have no property group to create the key property in")]
    NoPropertyGroup,
    /// The token lacks a scope the call needs: HubSpot's 403 `MISSING_SCOPES`, with the
    /// scopes it named, any one of which would do (a private app's token needs one added in
    /// its settings).
    #[error(
        "the access token lacks a scope HubSpot asked for ({}) to {operation}",
        if scopes.is_empty() { "it named none".to_owned() } else { scopes.join(" or ") }
    )]
    MissingScopes {
        /// The call HubSpot refused.
        operation: Operation,
        /// The scopes HubSpot said it needs.
        scopes: Vec<String>,
        /// HubSpot's answer.
        #[source]
        error: Box<Error>,
    },
    /// A call failed otherwise (see [`Error`]).
    #[error(transparent)]
    Request(Error),
}

impl From<Error> for KeyPropertyError {
    fn from(error: Error) -> Self {
        let scopes = error.missing_scopes();
        let missing = error
            .api()
            .is_some_and(|api| api.category == Some(ErrorCategory::MissingScopes));
        match error.operation() {
            Some(operation) if missing || !scopes.is_empty() => Self::MissingScopes {
                operation,
                scopes,
                error: Box::new(error),
            },
            _ => Self::Request(error),
        }
    }
}

impl Client {
    /// Makes sure communications have a unique key property named `name` (such as
    /// `external_message_id`), as exactly-once logging by a provider's message id needs:
    ///
    /// - a unique text property of that name is accepted as it is (`created: false`);
    /// - without one, it is created: single-line text (`string`, `text`), unique values, in
    ///   communications' information group (else the first group the account lists);
    /// - a property of that name that is not unique or not text is refused with
    ///   [`KeyPropertyError::NotUnique`] or [`KeyPropertyError::NotText`], and an archived one
    ///   with [`KeyPropertyError::Archived`]: a user's property is never changed.
    ///
    /// Safe to call at every start (one read when the property is there), and from several
    /// processes at once: one creates it, the others find it. Creating it needs a scope
    /// HubSpot's Properties spec lists for its writes; the spec names none for communications,
    /// whose objects HubSpot's communications spec puts under the contacts scopes, so grant
    /// `crm.schemas.contacts.write` (an inference; `hubspot-communications-mock` asks for it).
    /// A token without the scope to create properties gets
    /// [`KeyPropertyError::MissingScopes`], naming the scope HubSpot
    /// asked for.
    ///
    /// ```no_run
    /// # async fn run(client: hubspot_communications::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let key = client.ensure_key_property("external_message_id").await?;
    /// if key.created {
    ///     println!("created {} in {}", key.definition.name, key.definition.group_name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn ensure_key_property(&self, name: &str) -> Result<KeyProperty, KeyPropertyError> {
        check_name(name)?;
        let communications = ObjectType::Communication;
        if let Some(found) = self.property(communications.clone(), name).await? {
            return accept(found);
        }
        let groups = self.property_groups(communications.clone()).await?;
        let group = choose_group(&groups).ok_or(KeyPropertyError::NoPropertyGroup)?;
        let property = NewProperty::text(name, label(name), group)
            .unique()
            .description("The key of each message logged exactly once (hubspot-communications)");
        match self
            .create_property(communications.clone(), &property)
            .await
        {
            Ok(created) => {
                let found = accept(created)?;
                Ok(KeyProperty {
                    created: true,
                    ..found
                })
            }
            // Created meanwhile (another process), archived under that name, or a create
            // whose answer was lost: what HubSpot holds now decides.
            Err(error) if error.status() == Some(409) || error.is_fate_unknown() => {
                match self.property(communications.clone(), name).await? {
                    Some(found) => accept(found),
                    None => match self.read_property(communications, name, true).await? {
                        Some(archived) => Err(KeyPropertyError::Archived(Box::new(archived))),
                        None => Err(error.into()),
                    },
                }
            }
            Err(error) => Err(error.into()),
        }
    }
}

/// An existing property as the key, or why it cannot be.
fn accept(definition: PropertyDefinition) -> Result<KeyProperty, KeyPropertyError> {
    if definition.archived {
        return Err(KeyPropertyError::Archived(Box::new(definition)));
    }
    if !definition.is_text() {
        return Err(KeyPropertyError::NotText(Box::new(definition)));
    }
    if !definition.has_unique_value {
        return Err(KeyPropertyError::NotUnique(Box::new(definition)));
    }
    Ok(KeyProperty {
        definition,
        created: false,
    })
}

/// Communications' information group if the account has it, else the first live group.
fn choose_group(groups: &[PropertyGroup]) -> Option<&str> {
    let live = || groups.iter().filter(|group| !group.archived);
    live()
        .find(|group| group.name == COMMUNICATION_INFORMATION_GROUP)
        .or_else(|| live().next())
        .map(|group| group.name.as_str())
}

/// A label from an internal name: `external_message_id` → `External message id`.
fn label(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let mut chars = spaced.trim().chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(name: &str, archived: bool) -> PropertyGroup {
        PropertyGroup {
            name: name.into(),
            label: name.into(),
            display_order: None,
            archived,
        }
    }

    #[test]
    fn the_information_group_comes_first_then_the_first_live_one() {
        let groups = [
            group("a", true),
            group("b", false),
            group("communicationinformation", false),
        ];
        assert_eq!(choose_group(&groups), Some("communicationinformation"));
        assert_eq!(choose_group(&groups[..2]), Some("b"));
        assert_eq!(choose_group(&groups[..1]), None);
    }

    #[test]
    fn labels_read_like_hubspots() {
        assert_eq!(label("external_message_id"), "External message id");
        assert_eq!(label("x"), "X");
    }
}
