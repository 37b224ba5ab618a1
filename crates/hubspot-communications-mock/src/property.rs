//! A property definition as an account has it: name, label, type and field type, group,
//! options, read-only and unique flags, and whether HubSpot defined it.

/// The type of a property, as HubSpot's properties API names it. Values are text on the wire;
/// the type decides what a write accepts and how search compares and sorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PropertyType {
    /// Free text (`string`), compared case-insensitively.
    String,
    /// A number (`number`).
    Number,
    /// A date and time (`datetime`): written as Unix milliseconds or ISO 8601, read back as
    /// ISO 8601 in UTC with milliseconds.
    DateTime,
    /// A day (`date`): written as midnight UTC in Unix milliseconds or ISO 8601, read back as
    /// `YYYY-MM-DD`.
    Date,
    /// `true` or `false` (`bool`), written in any case.
    Bool,
    /// One of fixed options (`enumeration`).
    Enumeration,
    /// A phone number (`phone_number`), kept as text.
    PhoneNumber,
}

impl PropertyType {
    /// Every type, as HubSpot's properties API lists them.
    pub const ALL: [Self; 7] = [
        Self::String,
        Self::Number,
        Self::DateTime,
        Self::Date,
        Self::Bool,
        Self::Enumeration,
        Self::PhoneNumber,
    ];

    /// HubSpot's name of the type (`string`, `datetime`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Number => "number",
            Self::DateTime => "datetime",
            Self::Date => "date",
            Self::Bool => "bool",
            Self::Enumeration => "enumeration",
            Self::PhoneNumber => "phone_number",
        }
    }

    /// Reads HubSpot's name of a type.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// The field types HubSpot accepts with this type (its properties guide's table).
    pub fn field_types(self) -> &'static [&'static str] {
        match self {
            Self::Bool => &["booleancheckbox", "calculation_equation"],
            Self::Enumeration => &[
                "booleancheckbox",
                "checkbox",
                "radio",
                "select",
                "calculation_equation",
            ],
            Self::Date | Self::DateTime => &["date"],
            Self::String => &[
                "text",
                "textarea",
                "file",
                "html",
                "phonenumber",
                "calculation_equation",
            ],
            Self::Number => &["number", "calculation_equation"],
            Self::PhoneNumber => &["phonenumber"],
        }
    }

    /// Whether values of the type are text: what HubSpot's 65,536-character limit applies to.
    pub(crate) fn is_text(self) -> bool {
        matches!(self, Self::String | Self::PhoneNumber)
    }
}

/// One property of an object type, built from a constructor ([`PropertyDefinition::string`],
/// [`PropertyDefinition::new`], …) and builder methods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyDefinition {
    /// The internal name, as in `properties` maps.
    pub(crate) name: String,
    /// What values it holds.
    pub(crate) property_type: PropertyType,
    /// How HubSpot shows it (`fieldType`: `text`, `textarea`, `select`, …).
    pub(crate) field_type: String,
    /// The label HubSpot shows.
    pub(crate) label: String,
    /// The property group it belongs to (`groupName`); empty for the object type's own
    /// information group (`contactinformation`, `communicationinformation`, …).
    pub(crate) group_name: String,
    /// Help text.
    pub(crate) description: String,
    /// The options of an [`PropertyType::Enumeration`] (empty for other types).
    pub(crate) options: Vec<String>,
    /// Set by HubSpot alone: writes of it are ignored.
    pub(crate) read_only: bool,
    /// No two records hold one value: usable as an `idProperty` and for upserts.
    pub(crate) unique: bool,
    /// One of HubSpot's default properties (`hubspotDefined`): it cannot be archived and its
    /// definition cannot be changed.
    pub(crate) hubspot_defined: bool,
}

impl PropertyDefinition {
    /// A property of this name and type, with the type's usual field type and a label made
    /// from its name.
    pub fn new(name: impl Into<String>, property_type: PropertyType) -> Self {
        let name = name.into();
        Self {
            label: label(&name),
            name,
            property_type,
            field_type: property_type.field_types()[0].to_owned(),
            group_name: String::new(),
            description: String::new(),
            options: Vec::new(),
            read_only: false,
            unique: false,
            hubspot_defined: false,
        }
    }

    /// A text property.
    pub fn string(name: impl Into<String>) -> Self {
        Self::new(name, PropertyType::String)
    }

    /// A number property.
    pub fn number(name: impl Into<String>) -> Self {
        Self::new(name, PropertyType::Number)
    }

    /// A date-time property.
    pub fn datetime(name: impl Into<String>) -> Self {
        Self::new(name, PropertyType::DateTime)
    }

    /// A boolean property.
    pub fn boolean(name: impl Into<String>) -> Self {
        Self::new(name, PropertyType::Bool)
    }

    /// An enumeration with these options.
    pub fn enumeration<I, S>(name: impl Into<String>, options: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            options: options.into_iter().map(Into::into).collect(),
            field_type: "select".to_owned(),
            ..Self::new(name, PropertyType::Enumeration)
        }
    }

    /// Marks it unique (`hasUniqueValue`), as custom id properties are.
    #[must_use]
    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    /// Marks it read-only (calculated by HubSpot).
    #[must_use]
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    /// Sets its label.
    #[must_use]
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Sets its field type (`textarea`, `radio`, …).
    #[must_use]
    pub fn field_type(mut self, field_type: impl Into<String>) -> Self {
        self.field_type = field_type.into();
        self
    }

    /// Sets its help text.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Puts it in a property group of its object type.
    #[must_use]
    pub fn group(mut self, group_name: impl Into<String>) -> Self {
        self.group_name = group_name.into();
        self
    }

    /// Marks it one of HubSpot's own (`hubspotDefined`: not archivable, definition fixed).
    #[must_use]
    pub fn hubspot_defined(mut self) -> Self {
        self.hubspot_defined = true;
        self
    }
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

/// Whose property a definition is: messages', or a CRM record kind's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PropertyOwner {
    /// Communications (`0-18`), the messages.
    Communication,
    /// Records of this kind.
    Record(crate::ObjectType),
}

impl PropertyOwner {
    /// Every object type the fake models: communications, then the record kinds.
    pub(crate) fn all() -> impl Iterator<Item = Self> {
        std::iter::once(Self::Communication).chain(crate::ObjectType::ALL.map(Self::Record))
    }

    /// Reads an object type in a path: its plural or singular name, or its type id.
    pub(crate) fn parse(name: &str) -> Option<Self> {
        if matches!(
            name.to_ascii_lowercase().as_str(),
            "communications" | "communication" | "0-18"
        ) {
            return Some(Self::Communication);
        }
        crate::ObjectType::parse(name).map(Self::Record)
    }

    /// The singular name HubSpot's messages use (`communication`, `contact`).
    pub(crate) fn singular(self) -> &'static str {
        match self {
            Self::Communication => "communication",
            Self::Record(kind) => kind.singular(),
        }
    }

    /// The plural name, as in paths (`communications`, `contacts`).
    pub(crate) fn plural(self) -> &'static str {
        match self {
            Self::Communication => "communications",
            Self::Record(kind) => kind.as_str(),
        }
    }

    /// The object type's own property group: `communicationinformation`,
    /// `contactinformation`, ….
    pub(crate) fn information_group(self) -> String {
        format!("{}information", self.singular())
    }
}

impl From<crate::ObjectType> for PropertyOwner {
    fn from(kind: crate::ObjectType) -> Self {
        Self::Record(kind)
    }
}
