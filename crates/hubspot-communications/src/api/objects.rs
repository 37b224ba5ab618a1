//! HubSpot's objects API for any object type: messages are the `communications` objects, and
//! contacts, companies, deals and tickets the records they are logged on. Each call here sends
//! one raw operation through the request path under the caller's [`Operation`] (its name on
//! traces and errors) and answers HubSpot's raw type; `messages`, `records`, `search` and
//! `lookup` read those answers into the model.

use std::collections::BTreeMap;

use hubspot_communications_raw::types;

use crate::client::Client;
use crate::error::Error;
use crate::model::FromRaw;
use crate::model::search::{SEARCH_RESULT_CAP, Search};
use crate::model::{
    BatchOutcome, BatchReadOptions, ListOptions, MAX_BATCH_SIZE, Page, ReadOptions, check_id,
    object_id,
};
use crate::operation::Operation;
use crate::request::{Batch, Named, position};

/// Sets on a get or list request only what the caller chose: HubSpot's defaults need no
/// parameters, and each one costs encoding on every call. (A macro: the two raw builders are
/// different types with the same setters.)
macro_rules! apply_read_options {
    ($request:ident, $options:expr) => {
        if $options.archived {
            $request = $request.archived(true);
        }
        if !$options.properties.is_empty() {
            $request = $request.properties($options.properties.clone());
        }
        if !$options.properties_with_history.is_empty() {
            $request = $request.properties_with_history($options.properties_with_history.clone());
        }
        if !$options.associations.is_empty() {
            $request = $request.associations($options.association_names());
        }
    };
}

/// One page of a search: HubSpot's count of every match, and the page.
pub(crate) type SearchAnswer = (u64, Page<types::SimplePublicObject>);

impl Client {
    /// Creates one object.
    pub(crate) async fn create_object(
        &self,
        operation: Operation,
        object_type: &str,
        body: types::SimplePublicObjectInputForCreate,
    ) -> Result<types::SimplePublicObject, Error> {
        self.execute(operation, |raw| {
            let create = raw.objects.create_object().object_type(object_type);
            create.body(body.clone()).send()
        })
        .await
    }

    /// Reads one object by id, or by the value of the unique property `id_property`.
    pub(crate) async fn read_object(
        &self,
        operation: Operation,
        object_type: &str,
        id: &str,
        id_property: Option<&str>,
        options: &ReadOptions,
    ) -> Result<types::SimplePublicObjectWithAssociations, Error> {
        check_id(id)?;
        self.execute(operation, |raw| {
            let mut request = raw
                .objects
                .get_object()
                .object_type(object_type)
                .object_id(id);
            apply_read_options!(request, options);
            if let Some(name) = id_property {
                request = request.id_property(name);
            }
            request.send()
        })
        .await
    }

    /// Sets (or, with `""`, clears) properties of one object.
    pub(crate) async fn update_object(
        &self,
        operation: Operation,
        object_type: &str,
        id: &str,
        properties: BTreeMap<String, String>,
    ) -> Result<types::SimplePublicObject, Error> {
        check_id(id)?;
        let body = types::SimplePublicObjectInput { properties };
        self.execute(operation, |raw| {
            let update = raw.objects.update_object().object_type(object_type);
            update.object_id(id).body(body.clone()).send()
        })
        .await
    }

    /// Moves one object to the recycle bin.
    pub(crate) async fn archive_object(
        &self,
        operation: Operation,
        object_type: &str,
        id: &str,
    ) -> Result<(), Error> {
        check_id(id)?;
        self.execute(operation, |raw| {
            let archive = raw.objects.archive_object().object_type(object_type);
            archive.object_id(id).send()
        })
        .await
    }

    /// One page of a list of objects, from the cursor `after`.
    pub(crate) async fn list_objects(
        &self,
        operation: Operation,
        object_type: &str,
        options: &ListOptions,
        after: Option<&str>,
    ) -> Result<Page<types::SimplePublicObjectWithAssociations>, Error> {
        let limit = i32::try_from(options.page_size).unwrap_or(i32::MAX);
        let read = &options.read;
        let page = self
            .execute(operation, |raw| {
                let mut request = raw.objects.list_objects().object_type(object_type);
                request = request.limit(limit);
                apply_read_options!(request, read);
                if let Some(after) = after {
                    request = request.after(after);
                }
                request.send()
            })
            .await?;
        Ok(Page {
            items: page.results,
            next: page.paging.and_then(|p| p.next).map(|next| next.after),
        })
    }

    /// One page of a search of objects, from the cursor `after` (an offset: HubSpot answers
    /// none past [`SEARCH_RESULT_CAP`], so neither does this).
    pub(crate) async fn search_objects(
        &self,
        operation: Operation,
        object_type: &str,
        search: &Search,
        after: Option<&str>,
    ) -> Result<SearchAnswer, Error> {
        search.check()?;
        let offset = after.and_then(|a| a.parse::<u64>().ok());
        if offset.is_some_and(|offset| offset >= u64::from(SEARCH_RESULT_CAP)) {
            return Err(Error::SearchLimitReached {
                limit: SEARCH_RESULT_CAP,
            });
        }
        search.check_body(after.map(str::to_owned))?;
        let body = search.to_request(after.map(str::to_owned));
        let found = self
            .execute(operation, |raw| {
                let search = raw.objects.search_objects().object_type(object_type);
                search.body(body.clone()).send()
            })
            .await?;
        let page = Page {
            items: found.results,
            next: found.paging.and_then(|p| p.next).map(|next| next.after),
        };
        Ok((found.total.max(0) as u64, page))
    }

    /// Reads any number of objects by id, or by the unique property the options name: 100 a
    /// request, every id accounted for.
    pub(crate) async fn batch_read<M: FromRaw<types::SimplePublicObject>>(
        &self,
        operation: Operation,
        object_type: &str,
        ids: &[String],
        options: &BatchReadOptions,
    ) -> BatchOutcome<M> {
        let prepared = ids.iter().map(|id| check_id(id).map(|()| object_id(id)));
        let batch = Batch {
            operation,
            size: MAX_BATCH_SIZE,
            named: Named::Keys(Some(ids)),
        };
        self.run_batch(
            batch,
            prepared.collect(),
            |raw, inputs| batch::read(raw, object_type, options, inputs),
            |chunk, result| (position(ids, chunk, &result.id), M::from_raw(result)),
        )
        .await
    }
}

/// The raw requests of the objects API's batch endpoints, for any object type: the rows the
/// batch calls (`messages::batch`, `lookup`) send through the batch runner or on their own.
pub(crate) mod batch {

    use hubspot_communications_raw::types;

    use crate::client::RawClients;
    use crate::model::BatchReadOptions;
    use crate::request::RawResult;

    /// What most batch endpoints answer.
    type Answer = RawResult<types::BatchResponseSimplePublicObjectWithErrors>;

    /// A batch read, by id or by the unique property the options name.
    pub(crate) fn read<'a>(
        raw: &'a RawClients,
        object_type: &'a str,
        options: &BatchReadOptions,
        inputs: Vec<types::SimplePublicObjectId>,
    ) -> impl Future<Output = Answer> + 'a {
        let body = types::BatchReadInputSimplePublicObjectId {
            id_property: options.id_property.clone(),
            inputs,
            properties: options.properties.clone(),
            properties_with_history: options.properties_with_history.clone(),
        };
        let read = raw.objects.batch_read_objects().archived(options.archived);
        read.object_type(object_type).body(body).send()
    }

    /// A batch create.
    pub(crate) fn create<'a>(
        raw: &'a RawClients,
        object_type: &'a str,
        inputs: Vec<types::SimplePublicObjectBatchInputForCreate>,
    ) -> impl Future<Output = Answer> + 'a {
        let body = types::BatchInputSimplePublicObjectBatchInputForCreate { inputs };
        raw.objects
            .batch_create_objects()
            .object_type(object_type)
            .body(body)
            .send()
    }

    /// A batch update.
    pub(crate) fn update<'a>(
        raw: &'a RawClients,
        object_type: &'a str,
        inputs: Vec<types::SimplePublicObjectBatchInput>,
    ) -> impl Future<Output = Answer> + 'a {
        let body = types::BatchInputSimplePublicObjectBatchInput { inputs };
        raw.objects
            .batch_update_objects()
            .object_type(object_type)
            .body(body)
            .send()
    }

    /// A batch upsert, by the unique property each input names.
    pub(crate) fn upsert<'a>(
        raw: &'a RawClients,
        object_type: &'a str,
        inputs: Vec<types::SimplePublicObjectBatchInputUpsert>,
    ) -> impl Future<Output = RawResult<types::BatchResponseSimplePublicUpsertObjectWithErrors>> + 'a
    {
        let body = types::BatchInputSimplePublicObjectBatchInputUpsert { inputs };
        raw.objects
            .batch_upsert_objects()
            .object_type(object_type)
            .body(body)
            .send()
    }

    /// A batch archive: a 204 without a body.
    pub(crate) fn archive<'a>(
        raw: &'a RawClients,
        object_type: &'a str,
        inputs: Vec<types::SimplePublicObjectId>,
    ) -> impl Future<Output = RawResult<()>> + 'a {
        let body = types::BatchInputSimplePublicObjectId { inputs };
        raw.objects
            .batch_archive_objects()
            .object_type(object_type)
            .body(body)
            .send()
    }
}
