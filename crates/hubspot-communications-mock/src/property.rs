//! A property definition as an account has it: name, type, options, read-only and unique flags.

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
    /// `true` or `false` (`bool`), written in any case.
    Bool,
    /// One of fixed options (`enumeration`).
    Enumeration,
}

/// One property of an object type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyDefinition {
    /// The internal name, as in `properties` maps.
    pub name: String,
    /// What values it holds.
    pub kind: PropertyType,
    /// The options of an [`PropertyType::Enumeration`] (empty for other types).
    pub options: Vec<String>,
    /// Set by HubSpot alone: writes of it are ignored.
    pub read_only: bool,
    /// No two records hold one value: usable as an `idProperty` and for upserts.
    pub unique: bool,
}

impl PropertyDefinition {
    fn new(name: impl Into<String>, kind: PropertyType) -> Self {
        Self {
            name: name.into(),
            kind,
            options: Vec::new(),
            read_only: false,
            unique: false,
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
}

/// Whose property a definition is: messages', or a CRM record kind's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PropertyOwner {
    /// Communications (`0-18`), the messages.
    Communication,
    /// Records of this kind.
    Record(crate::ObjectKind),
}

impl From<crate::ObjectKind> for PropertyOwner {
    fn from(kind: crate::ObjectKind) -> Self {
        Self::Record(kind)
    }
}
