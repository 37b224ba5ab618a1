//! CRM records updated and upserted in batches (contacts by e-mail address, whatever its case)
//! through the raw client against the spec-checked fake: both directions of each exchange
//! are checked against the operations' schemas, 207s included.

use hubspot_communications::ApiVersion;
use hubspot_communications::raw::types;
use hubspot_communications_tests::{client_at, roomy, start};
use serde_json::json;

#[tokio::test]
async fn contacts_are_upserted_and_updated_in_batches_in_every_version() {
    for version in ApiVersion::ALL {
        let (server, _) = start(roomy()).await;
        let client = client_at(&server, version);
        let objects = &client.raw().objects;
        let upsert: types::BatchInputSimplePublicObjectBatchInputUpsert =
            serde_json::from_value(json!({"inputs": [
                {"id": "Linda@Example.com", "idProperty": "email", "properties": {"firstname": "Linda"}},
                {"id": "sam@example.com", "idProperty": "email", "properties": {"firstname": "Sam"}},
            ]}))
            .unwrap();
        let created = objects
            .batch_upsert_objects()
            .object_type("contacts")
            .body(upsert)
            .send()
            .await
            .unwrap();
        assert_eq!(created.results.len(), 2, "{version}");
        assert!(created.results.iter().all(|r| r.new));

        let update: types::BatchInputSimplePublicObjectBatchInput =
            serde_json::from_value(json!({"inputs": [
                {"id": "LINDA@example.com", "idProperty": "email", "properties": {"lastname": "Lovelace"}},
                {"id": "404404", "properties": {"lastname": "Nobody"}},
            ]}))
            .unwrap();
        let updated = objects
            .batch_update_objects()
            .object_type("contacts")
            .body(update)
            .send()
            .await
            .unwrap();
        assert_eq!(updated.status(), 207, "{version}");
        assert_eq!(
            (updated.results.len(), updated.errors.len()),
            (1, 1),
            "{version}"
        );
    }
}
