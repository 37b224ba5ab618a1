//! The account's property definitions and property groups, and what they decide: which
//! writes are accepted and how they are stored, which reads are answered, and how search
//! compares and sorts. Definitions change while the fake runs (the Properties API): a server
//! holds its schema behind one lock and hands each request a snapshot
//! ([`crate::state::Shared::schema`]), so a created property takes effect for every request
//! after it.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::object::timestamp;
use crate::object_type::ObjectType;
use crate::property::{PropertyDefinition, PropertyOwner, PropertyType};

/// How many unique properties of its own an account may give one object type: HubSpot's
/// documented maximum ("the contact object type can only have a maximum of 10 unique
/// properties", like the other object types; HubSpot's developer changelog, "Unique
/// Properties support for newly created Contact properties").
pub const MAX_UNIQUE_PROPERTIES: usize = 10;

/// The longest value a text property takes, in characters: HubSpot's documented limit for
/// single- and multi-line text added through the CRM ("Property field types in HubSpot":
/// 65,536 characters). Counted in Unicode scalar values.
pub const MAX_TEXT_PROPERTY_CHARS: usize = 65_536;

/// One property of an object type as the account holds it: its definition, and when it was
/// created, changed and archived.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) definition: PropertyDefinition,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
    /// Archived properties take no values and are not listed, but keep their name.
    pub(crate) archived_at: Option<DateTime<Utc>>,
}

/// A property group of an object type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Group {
    pub(crate) name: String,
    pub(crate) label: String,
    pub(crate) display_order: i32,
}

/// Every object type's properties and property groups.
#[derive(Debug, Clone)]
pub(crate) struct Schema {
    owners: BTreeMap<PropertyOwner, BTreeMap<String, Entry>>,
    groups: BTreeMap<PropertyOwner, Vec<Group>>,
}

/// Why a change of the definitions was refused: HubSpot's status, category and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SchemaRefusal {
    pub(crate) status: u16,
    pub(crate) category: &'static str,
    pub(crate) message: String,
}

impl SchemaRefusal {
    fn invalid(message: impl Into<String>) -> Self {
        Self {
            status: 400,
            category: "VALIDATION_ERROR",
            message: message.into(),
        }
    }
}

/// Whether a write makes a new object (unknown properties refused) or changes one (ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Write {
    Create,
    Update,
}

/// Why one property of a write was refused, in HubSpot's terms.
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    pub(crate) name: String,
    /// HubSpot's error code: `PROPERTY_DOESNT_EXIST`, `INVALID_OPTION`, ...
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

fn not_found(owner: PropertyOwner, name: &str) -> SchemaRefusal {
    SchemaRefusal {
        status: 404,
        category: "OBJECT_NOT_FOUND",
        message: format!(
            "Unable to find property with name '{name}' for object type {}",
            owner.singular()
        ),
    }
}

/// A value as search compares it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Key {
    Number(f64),
    Text(String),
}

impl Key {
    /// Total order: numbers before text (a value of the wrong type sorts apart, not mixed in).
    pub(crate) fn order(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Number(a), Self::Number(b)) => a.total_cmp(b),
            (Self::Text(a), Self::Text(b)) => a.cmp(b),
            (Self::Number(_), Self::Text(_)) => Ordering::Less,
            (Self::Text(_), Self::Number(_)) => Ordering::Greater,
        }
    }
}

impl Schema {
    /// HubSpot's default properties and groups, then the account's own properties (which
    /// replace a default of the same name; in the object type's information group unless they
    /// name a group).
    pub(crate) fn new(custom: &[(PropertyOwner, PropertyDefinition)]) -> Self {
        let now = Utc::now();
        let mut owners: BTreeMap<PropertyOwner, BTreeMap<String, Entry>> = BTreeMap::new();
        let mut groups = BTreeMap::new();
        for owner in PropertyOwner::all() {
            groups.insert(owner, default_groups(owner));
        }
        let defaults = PropertyOwner::all().flat_map(|owner| {
            defaults(owner)
                .into_iter()
                .map(move |d| (owner, d.hubspot_defined()))
        });
        for (owner, mut definition) in defaults.chain(custom.iter().cloned()) {
            if definition.group_name.is_empty() {
                definition.group_name = owner.information_group();
            }
            owners.entry(owner).or_default().insert(
                definition.name.clone(),
                Entry {
                    definition,
                    created_at: now,
                    updated_at: now,
                    archived_at: None,
                },
            );
        }
        Self { owners, groups }
    }

    /// A live (not archived) property.
    pub(crate) fn get(&self, owner: PropertyOwner, name: &str) -> Option<&PropertyDefinition> {
        self.entry(owner, name)
            .filter(|entry| entry.archived_at.is_none())
            .map(|entry| &entry.definition)
    }

    /// A property, archived or not.
    pub(crate) fn entry(&self, owner: PropertyOwner, name: &str) -> Option<&Entry> {
        self.owners.get(&owner)?.get(name)
    }

    /// The object type's live properties, or its archived ones, by name.
    pub(crate) fn entries(
        &self,
        owner: PropertyOwner,
        archived: bool,
    ) -> impl Iterator<Item = &Entry> {
        self.owners
            .get(&owner)
            .into_iter()
            .flat_map(BTreeMap::values)
            .filter(move |entry| entry.archived_at.is_some() == archived)
    }

    /// The object type's property groups.
    pub(crate) fn groups(&self, owner: PropertyOwner) -> &[Group] {
        self.groups.get(&owner).map_or(&[], Vec::as_slice)
    }

    /// Adds a property of the account, as HubSpot's properties API does: the name must be
    /// free (an archived property keeps its name), the group must exist, and an object type
    /// takes at most [`MAX_UNIQUE_PROPERTIES`] unique properties of the account's own.
    pub(crate) fn create(
        &mut self,
        owner: PropertyOwner,
        definition: PropertyDefinition,
    ) -> Result<&Entry, SchemaRefusal> {
        let name = definition.name.clone();
        if let Some(existing) = self.entry(owner, &name) {
            let archived = if existing.archived_at.is_some() {
                " (archived: restore it, or choose another name)"
            } else {
                ""
            };
            return Err(SchemaRefusal {
                status: 409,
                category: "OBJECT_ALREADY_EXISTS",
                message: format!(
                    "A {} property named '{name}' already exists{archived}",
                    owner.singular()
                ),
            });
        }
        self.check_group(owner, &definition.group_name)?;
        if definition.unique {
            let used = self
                .entries(owner, false)
                .filter(|e| e.definition.unique && !e.definition.hubspot_defined)
                .count();
            if used >= MAX_UNIQUE_PROPERTIES {
                return Err(SchemaRefusal::invalid(format!(
                    "The {} object type already has {used} unique properties, the most it can have ({MAX_UNIQUE_PROPERTIES})",
                    owner.singular()
                )));
            }
        }
        let now = Utc::now();
        let entries = self.owners.entry(owner).or_default();
        entries.insert(
            name.clone(),
            Entry {
                definition,
                created_at: now,
                updated_at: now,
                archived_at: None,
            },
        );
        Ok(&entries[&name])
    }

    /// Changes a live property of the account with `change`, which must keep its name and
    /// uniqueness; HubSpot's own properties keep their definitions.
    pub(crate) fn update(
        &mut self,
        owner: PropertyOwner,
        name: &str,
        change: impl FnOnce(&mut PropertyDefinition) -> Result<(), SchemaRefusal>,
    ) -> Result<&Entry, SchemaRefusal> {
        let mut definition = self.live(owner, name)?.definition.clone();
        if definition.hubspot_defined {
            return Err(SchemaRefusal::invalid(format!(
                "{name} is a HubSpot-defined property: its definition cannot be changed"
            )));
        }
        change(&mut definition)?;
        self.check_group(owner, &definition.group_name)?;
        let entry = self
            .owners
            .get_mut(&owner)
            .and_then(|entries| entries.get_mut(name))
            .ok_or_else(|| not_found(owner, name))?;
        entry.definition = definition;
        entry.updated_at = Utc::now();
        Ok(entry)
    }

    /// Archives a live property of the account (HubSpot's own are not archivable): it takes
    /// no values from now on, and its name stays taken.
    pub(crate) fn archive(
        &mut self,
        owner: PropertyOwner,
        name: &str,
    ) -> Result<(), SchemaRefusal> {
        if self.live(owner, name)?.definition.hubspot_defined {
            return Err(SchemaRefusal::invalid(format!(
                "{name} is a HubSpot-defined property and cannot be archived"
            )));
        }
        if let Some(entry) = self
            .owners
            .get_mut(&owner)
            .and_then(|entries| entries.get_mut(name))
        {
            let now = Utc::now();
            entry.archived_at = Some(now);
            entry.updated_at = now;
        }
        Ok(())
    }

    fn live(&self, owner: PropertyOwner, name: &str) -> Result<&Entry, SchemaRefusal> {
        self.entry(owner, name)
            .filter(|entry| entry.archived_at.is_none())
            .ok_or_else(|| not_found(owner, name))
    }

    fn check_group(&self, owner: PropertyOwner, group: &str) -> Result<(), SchemaRefusal> {
        if self.groups(owner).iter().any(|g| g.name == group) {
            return Ok(());
        }
        Err(SchemaRefusal::invalid(format!(
            "No property group named '{group}' exists for {}: read the groups (GET …/{{objectType}}/groups)",
            owner.singular()
        )))
    }

    /// Whether `name` can identify an object (`idProperty`, upserts).
    pub(crate) fn is_unique(&self, owner: PropertyOwner, name: &str) -> bool {
        self.get(owner, name).is_some_and(|d| d.unique)
    }

    /// The asked-for names the object type has; HubSpot leaves the others out of answers.
    pub(crate) fn known(&self, owner: PropertyOwner, names: &[String]) -> Vec<String> {
        names
            .iter()
            .filter(|name| self.get(owner, name).is_some())
            .cloned()
            .collect()
    }

    /// The properties of a write as stored: values in their type's form (`""` still clears),
    /// read-only ones dropped, unknown ones refused on create and dropped on update.
    pub(crate) fn check(
        &self,
        owner: PropertyOwner,
        properties: BTreeMap<String, String>,
        write: Write,
    ) -> Result<BTreeMap<String, String>, Vec<Refusal>> {
        let (mut stored, mut refusals) = (BTreeMap::new(), Vec::new());
        for (name, value) in properties {
            let Some(definition) = self.get(owner, &name) else {
                if write == Write::Create {
                    refusals.push(Refusal {
                        message: format!("Property \"{name}\" does not exist"),
                        name,
                        code: "PROPERTY_DOESNT_EXIST",
                    });
                }
                continue;
            };
            if definition.read_only {
                continue;
            }
            let value = canonical(owner, &name, value);
            if value.is_empty() {
                stored.insert(name, value);
                continue;
            }
            match normalize(definition, &value) {
                Ok(value) => {
                    stored.insert(name, value);
                }
                Err(code) => refusals.push(Refusal {
                    message: refusal_message(definition, &value, code),
                    name,
                    code,
                }),
            }
        }
        if refusals.is_empty() {
            Ok(stored)
        } else {
            Err(refusals)
        }
    }

    /// A value of `name` as search compares it: by the property's type, case-insensitive
    /// text otherwise (and for a value its type cannot read).
    pub(crate) fn key(&self, owner: PropertyOwner, name: &str, value: &str) -> Key {
        let number = match self.get(owner, name).map(|d| d.property_type) {
            Some(PropertyType::Number) => value.trim().parse::<f64>().ok(),
            Some(PropertyType::DateTime | PropertyType::Date) => {
                parse_datetime(value).map(|t| t.timestamp_millis() as f64)
            }
            _ => None,
        };
        number.map_or_else(|| Key::Text(value.to_lowercase()), Key::Number)
    }
}

/// A value in the form HubSpot keeps where it keeps one: a contact's e-mail address trimmed
/// and lowercased (HubSpot compares addresses case-insensitively; an `idProperty` lookup by
/// `email` is read through this too).
pub(crate) fn canonical(owner: PropertyOwner, name: &str, value: String) -> String {
    if owner == PropertyOwner::Record(ObjectType::Contact) && name == "email" {
        value.trim().to_lowercase()
    } else {
        value
    }
}

/// A value in its type's stored form, or HubSpot's error code.
fn normalize(definition: &PropertyDefinition, value: &str) -> Result<String, &'static str> {
    if definition.property_type.is_text() && value.chars().count() > MAX_TEXT_PROPERTY_CHARS {
        return Err("MAX_CHARACTERS_EXCEEDED");
    }
    match definition.property_type {
        PropertyType::String | PropertyType::PhoneNumber => Ok(value.to_owned()),
        PropertyType::Number => value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(|_| value.trim().to_owned())
            .ok_or("INVALID_NUMBER"),
        PropertyType::DateTime => parse_datetime(value)
            .map(timestamp)
            .ok_or("INVALID_DATETIME"),
        // A date is midnight UTC, as HubSpot keeps it; read back as the day.
        PropertyType::Date => parse_datetime(value)
            .filter(|at| at.time() == chrono::NaiveTime::MIN)
            .map(|at| at.format("%Y-%m-%d").to_string())
            .ok_or("INVALID_DATE"),
        PropertyType::Bool => match value.trim().to_ascii_lowercase().as_str() {
            bool @ ("true" | "false") => Ok(bool.to_owned()),
            _ => Err("INVALID_BOOLEAN"),
        },
        // HubSpot's own example echoes "SMS " with a trailing space: options are matched trimmed.
        PropertyType::Enumeration => definition
            .options
            .iter()
            .find(|option| option.as_str() == value.trim())
            .cloned()
            .ok_or("INVALID_OPTION"),
    }
}

fn refusal_message(definition: &PropertyDefinition, value: &str, code: &str) -> String {
    let name = &definition.name;
    if code == "MAX_CHARACTERS_EXCEEDED" {
        return format!(
            "The value of {name} is {} characters long; a text property holds at most {MAX_TEXT_PROPERTY_CHARS}",
            value.chars().count()
        );
    }
    match definition.property_type {
        PropertyType::Enumeration => format!(
            "{value:?} was not one of the allowed options of {name}: [{}]",
            definition.options.join(", ")
        ),
        PropertyType::DateTime => format!(
            "{value:?} is not a valid datetime for {name}: give Unix milliseconds or ISO 8601"
        ),
        PropertyType::Date => format!(
            "{value:?} is not a valid date for {name}: give midnight UTC, in Unix milliseconds or ISO 8601"
        ),
        PropertyType::Number => format!("{value:?} is not a valid number for {name}"),
        PropertyType::Bool => format!("{value:?} is not a valid bool for {name}"),
        PropertyType::String | PropertyType::PhoneNumber => {
            format!("{value:?} is not valid for {name}")
        }
    }
}

/// Unix milliseconds, or ISO 8601 (with an offset, as UTC without one, or a bare date).
pub(crate) fn parse_datetime(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    if let Ok(millis) = value.parse::<i64>() {
        return DateTime::from_timestamp_millis(millis);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Some(at.with_timezone(&Utc));
    }
    if let Ok(at) = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(at.and_utc());
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc())
}

/// HubSpot's default property groups of an object type: its information group (the one
/// HubSpot puts an object type's own properties in, `contactinformation`, …).
fn default_groups(owner: PropertyOwner) -> Vec<Group> {
    let singular = owner.singular();
    let mut label: String = singular
        .chars()
        .next()
        .map(|c| c.to_ascii_uppercase())
        .into_iter()
        .chain(singular.chars().skip(1))
        .collect();
    label.push_str(" information");
    vec![Group {
        name: owner.information_group(),
        label,
        display_order: -1,
    }]
}

/// HubSpot's default properties of an object type, those the client and the examples use.
fn defaults(owner: PropertyOwner) -> Vec<PropertyDefinition> {
    use PropertyDefinition as P;
    let mut all = vec![
        P::number("hs_object_id").read_only().unique(),
        P::datetime("hs_createdate").read_only(),
        P::datetime("hs_lastmodifieddate").read_only(),
        // An owner id; HubSpot's enumeration of the account's owners, approximated as a number.
        P::number("hubspot_owner_id"),
    ];
    let own = match owner {
        PropertyOwner::Communication => vec![
            P::enumeration(
                "hs_communication_channel_type",
                ["WHATS_APP", "LINKEDIN_MESSAGE", "SMS"],
            ),
            P::enumeration("hs_communication_logged_from", ["CRM"]),
            P::string("hs_communication_body").field_type("textarea"),
            P::datetime("hs_timestamp"),
            P::string("hs_body_preview").read_only(),
        ],
        PropertyOwner::Record(kind) => {
            let mut record = vec![P::number("hs_pinned_engagement_id")];
            record.extend(match kind {
                ObjectType::Contact => vec![
                    P::string("email").unique(),
                    P::string("firstname"),
                    P::string("lastname"),
                    P::string("phone"),
                    P::string("mobilephone"),
                    P::string("hs_whatsapp_phone_number"),
                    P::string("company"),
                    P::string("hs_searchable_calculated_phone_number").read_only(),
                    P::string("hs_searchable_calculated_mobile_number").read_only(),
                    P::string("hs_searchable_calculated_international_phone_number").read_only(),
                    P::string("hs_searchable_calculated_international_mobile_number").read_only(),
                ],
                ObjectType::Company => {
                    vec![P::string("name"), P::string("domain"), P::string("phone")]
                }
                ObjectType::Deal => vec![
                    P::string("dealname"),
                    P::number("amount"),
                    P::string("dealstage"),
                    P::string("pipeline"),
                    P::datetime("closedate"),
                ],
                ObjectType::Ticket => vec![
                    P::string("subject"),
                    P::string("content"),
                    P::string("hs_pipeline"),
                    P::string("hs_pipeline_stage"),
                ],
            });
            record
        }
    };
    all.extend(own);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_are_read_from_millis_and_iso_8601() {
        let iso = parse_datetime("2022-11-12T15:48:22Z");
        assert_eq!(parse_datetime("1668268102000"), iso);
        assert_eq!(parse_datetime("2022-11-12T15:48:22.000+00:00"), iso);
        assert_eq!(parse_datetime("2022-11-12T15:48:22"), iso);
        assert!(parse_datetime("2022-11-12").is_some());
        assert!(parse_datetime("yesterday").is_none());
        assert!(parse_datetime(&i64::MAX.to_string()).is_none());
    }

    #[test]
    fn writes_are_typed() {
        let schema = Schema::new(&[]);
        let owner = PropertyOwner::Communication;
        let write = |name: &str, value: &str, how| {
            schema.check(owner, [(name.to_owned(), value.to_owned())].into(), how)
        };
        let stored = write("hs_timestamp", "1668268102000", Write::Create).unwrap_or_default();
        assert_eq!(stored["hs_timestamp"], "2022-11-12T15:48:22.000Z");
        assert_eq!(
            write("hs_communication_channel_type", "SMS ", Write::Update).unwrap_or_default()["hs_communication_channel_type"],
            "SMS"
        );
        let refused = write("nope", "x", Write::Create).err().unwrap_or_default();
        assert_eq!(refused[0].code, "PROPERTY_DOESNT_EXIST");
        assert!(write("nope", "x", Write::Update).is_ok_and(|s| s.is_empty()));
        assert!(write("hs_object_id", "5", Write::Update).is_ok_and(|s| s.is_empty()));
        assert!(write("hubspot_owner_id", "abc", Write::Update).is_err());
    }

    #[test]
    fn keys_follow_the_type() {
        let schema = Schema::new(&[]);
        let owner = PropertyOwner::Communication;
        let key = |v| schema.key(owner, "hs_timestamp", v);
        assert_eq!(
            key("2022-12-31T00:00:00Z").order(&key("2023-01-01T00:00:00Z")),
            Ordering::Less
        );
        assert_eq!(key("1668268102000"), key("2022-11-12T15:48:22.000Z"));
    }
}
