//! The Properties API's calls: an object type's property definitions (read all, read one,
//! create, archive) and its property groups.

mod key;

pub use key::{COMMUNICATION_INFORMATION_GROUP, KeyProperty, KeyPropertyError};

use crate::client::Client;
use crate::error::Error;
use crate::model::FromRaw;
use crate::model::{NewProperty, ObjectType, PropertyDefinition, PropertyGroup, check_id};
use crate::operation::Operation;

impl Client {
    /// Every property of an object type (`ObjectType::Contact`, `"communications"`, a custom
    /// object's `2-…` id): HubSpot's own and the account's, archived ones left out.
    pub async fn properties(
        &self,
        object_type: ObjectType,
    ) -> Result<Vec<PropertyDefinition>, Error> {
        let object_type = checked(object_type)?;
        let answer = self
            .execute(Operation::ListProperties, |raw| {
                let list = raw.properties.list_properties().archived(false);
                list.object_type(object_type.as_str()).send()
            })
            .await?;
        Ok(answer
            .results
            .into_iter()
            .map(PropertyDefinition::from_raw)
            .collect())
    }

    /// One property of an object type, `None` if it has no live property of that name (an
    /// archived one is `None` too).
    pub async fn property(
        &self,
        object_type: ObjectType,
        name: &str,
    ) -> Result<Option<PropertyDefinition>, Error> {
        self.read_property(object_type, name, false).await
    }

    /// One property, live or (with `archived`) in the recycle bin.
    pub(crate) async fn read_property(
        &self,
        object_type: ObjectType,
        name: &str,
        archived: bool,
    ) -> Result<Option<PropertyDefinition>, Error> {
        object_type.check()?;
        check_id(name)?;
        let answer = self
            .execute(Operation::GetProperty, |raw| {
                let get = raw.properties.get_property().property_name(name);
                get.object_type(object_type.as_str())
                    .archived(archived)
                    .send()
            })
            .await;
        match answer {
            Ok(property) => Ok(Some(PropertyDefinition::from_raw(property))),
            Err(error) if error.status() == Some(404) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Creates a property of an object type. HubSpot answers 409 for a name the object type
    /// has already (live or archived); [`Client::ensure_key_property`] makes sure of a key
    /// property without that race.
    pub async fn create_property(
        &self,
        object_type: ObjectType,
        property: &NewProperty,
    ) -> Result<PropertyDefinition, Error> {
        let object_type = checked(object_type)?;
        property.check()?;
        let body = property.to_raw();
        let created = self
            .execute(Operation::CreateProperty, |raw| {
                let create = raw.properties.create_property();
                create
                    .object_type(object_type.as_str())
                    .body(body.clone())
                    .send()
            })
            .await?;
        Ok(PropertyDefinition::from_raw(created))
    }

    /// Moves a property of the account's to the recycle bin (HubSpot's own cannot be
    /// archived): records keep their values, and writes of it are refused from then on.
    pub async fn archive_property(&self, object_type: ObjectType, name: &str) -> Result<(), Error> {
        let object_type = checked(object_type)?;
        check_id(name)?;
        self.execute(Operation::ArchiveProperty, |raw| {
            let archive = raw.properties.archive_property().property_name(name);
            archive.object_type(object_type.as_str()).send()
        })
        .await
    }

    /// The property groups of an object type: a new property names one of them.
    pub async fn property_groups(
        &self,
        object_type: ObjectType,
    ) -> Result<Vec<PropertyGroup>, Error> {
        let object_type = checked(object_type)?;
        let answer = self
            .execute(Operation::ListPropertyGroups, |raw| {
                let list = raw.properties.list_property_groups();
                list.object_type(object_type.as_str()).send()
            })
            .await?;
        Ok(answer
            .results
            .into_iter()
            .map(PropertyGroup::from_raw)
            .collect())
    }
}

/// The object type a call names, refused if blank.
fn checked(object_type: ObjectType) -> Result<ObjectType, Error> {
    object_type.check()?;
    Ok(object_type)
}
