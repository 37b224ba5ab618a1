//! CRM records updated and upserted in batches (contacts by e-mail address, whatever its case)
//! through the raw client (sent by `Client::execute_raw`, the `unstable-raw` feature) against
//! the spec-checked fake: both directions of each exchange are checked against the operations'
//! schemas, 207s included.

use hubspot_communications::raw::types;
use hubspot_communications::{ApiVersion, Operation};
use hubspot_communications_tests::{client_at, roomy, start};
use serde_json::json;

#[tokio::test]
async fn contacts_are_upserted_and_updated_in_batches_in_every_version() {
    for version in ApiVersion::ALL {
        let (server, _) = start(roomy()).await;
        let client = client_at(&server, version);
        let upsert_body: types::BatchInputSimplePublicObjectBatchInputUpsert =
            serde_json::from_value(json!({"inputs": [
                {"id": "Linda@Example.com", "idProperty": "email", "properties": {"firstname": "Linda"}},
                {"id": "sam@example.com", "idProperty": "email", "properties": {"firstname": "Sam"}},
            ]}))
            .unwrap();
        let created = client
            .execute_raw(Operation::BatchUpsert, |raw| {
                let upsert = raw.objects.batch_upsert_objects().object_type("contacts");
                upsert.body(upsert_body.clone()).send()
            })
            .await
            .unwrap();
        assert_eq!(created.results.len(), 2, "{version}");
        assert!(created.results.iter().all(|r| r.new));

        let update_body: types::BatchInputSimplePublicObjectBatchInput =
            serde_json::from_value(json!({"inputs": [
                {"id": "LINDA@example.com", "idProperty": "email", "properties": {"lastname": "Lovelace"}},
                {"id": "404404", "properties": {"lastname": "Nobody"}},
            ]}))
            .unwrap();
        let updated = client
            .execute_raw(Operation::BatchUpdate, |raw| {
                let update = raw.objects.batch_update_objects().object_type("contacts");
                update.body(update_body.clone()).send()
            })
            .await
            .unwrap();
        assert_eq!(
            (updated.results.len(), updated.errors.len()),
            (1, 1),
            "{version}"
        );
    }
}
