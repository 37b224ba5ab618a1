//! Every answer the fake gives, against the schema HubSpot's spec publishes for its status: a
//! sweep of each route through each status it can give (successes, 207s, HubSpot's refusals,
//! the gate's 401 and 429, injected 5xx), each answer validated by the workspace's contract
//! check (`hubspot-communications-tests`'s `contract`: the patched spec the raw client is
//! generated from, `crates/hubspot-communications-raw/src/openapi.json`, nothing outside the
//! repository). What departs from the spec is listed in [`DEVIATIONS`], each with its reason,
//! and in the fake's README; a departure not listed fails, and so does a listed one that no
//! longer happens (so the README stays true).
//!
//! The requests are the sweep's own, some malformed on purpose: only the answers are checked.

use std::collections::BTreeSet;
use std::time::Duration;

use hubspot_communications_mock::{
    Account, Config, FaultKind, Faults, MockServer, ObjectType, PropertyDefinition, PropertyOwner,
    RateLimit,
};
use hubspot_communications_tests::contract::contract;
use reqwest::Method;
use serde_json::{Value, json};

/// Where the fake's answers depart from the patched spec's schema for their status, and why:
/// (operation, status, the JSON pointer's start, the reason), each also in the README. None
/// today. Where HubSpot's own files and its real answers differ (a 429 without `category`, a
/// 207's errors without `links`, …), the patched spec already follows the answers, each patch
/// with its reason: the README lists those too.
const DEVIATIONS: &[(&str, u16, &str, &str)] = &[];

/// The paths the fake serves that no operation of the patched spec has (the raw client does
/// not call them), so their answers have no schema here: (method, path template).
const NOT_IN_THE_SPEC: &[(&str, &str)] = &[(
    "POST",
    "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/archive",
)];

const TOKEN: &str = "token";
const MESSAGES: &str = "/crm/v3/objects/communications";

/// A request's body.
enum Body {
    None,
    Json(Value),
    /// Raw text with its content type.
    Raw(String, &'static str),
}

/// The sweep: requests sent, answers checked, what was seen.
struct Sweep {
    http: reqwest::Client,
    /// (operation, status) of every checked answer.
    seen: BTreeSet<(String, u16)>,
    /// (operation, status, pointer, message) of every departure.
    departures: Vec<(String, u16, String, String)>,
    /// Requests whose path no operation has.
    unchecked: BTreeSet<String>,
}

impl Sweep {
    fn new() -> Self {
        Self {
            http: reqwest::Client::new(),
            seen: BTreeSet::new(),
            departures: Vec::new(),
            unchecked: BTreeSet::new(),
        }
    }

    /// Sends `method path` to `server` with `token`; checks the answer; its status and JSON.
    async fn call(
        &mut self,
        server: &MockServer,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Body,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", server.base_url()));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let sent = match body {
            Body::None => Vec::new(),
            Body::Json(value) => {
                let bytes = serde_json::to_vec(&value).unwrap();
                request = request
                    .header("content-type", "application/json")
                    .body(bytes.clone());
                bytes
            }
            Body::Raw(text, content_type) => {
                request = request
                    .header("content-type", content_type)
                    .body(text.clone());
                text.into_bytes()
            }
        };
        let response = request.send().await.expect("an answer");
        let status = response.status().as_u16();
        let bytes = response.bytes().await.unwrap();
        let path_only = path.split('?').next().unwrap_or(path);
        match contract().operation(method.as_str(), path_only) {
            None => {
                self.unchecked.insert(format!("{method} {path_only}"));
            }
            Some(operation) => {
                self.seen.insert((operation.to_owned(), status));
                let violations =
                    contract().check(method.as_str(), path_only, &sent, status, &bytes);
                for violation in violations {
                    if violation.direction.starts_with("response") {
                        self.departures.push((
                            violation.operation,
                            status,
                            violation.pointer,
                            violation.message,
                        ));
                    }
                }
            }
        }
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    async fn json(
        &mut self,
        server: &MockServer,
        method: Method,
        path: &str,
        body: Value,
    ) -> (u16, Value) {
        self.call(server, Some(TOKEN), method, path, Body::Json(body))
            .await
    }

    async fn get(&mut self, server: &MockServer, path: &str) -> (u16, Value) {
        self.call(server, Some(TOKEN), Method::GET, path, Body::None)
            .await
    }

    async fn delete(&mut self, server: &MockServer, path: &str) -> (u16, Value) {
        self.call(server, Some(TOKEN), Method::DELETE, path, Body::None)
            .await
    }
}

fn sms(body: &str) -> Value {
    json!({"properties": {
        "hs_communication_channel_type": "SMS",
        "hs_communication_logged_from": "CRM",
        "hs_communication_body": body,
        "hs_timestamp": "2024-01-01T00:00:00Z",
    }})
}

fn traced(mut input: Value, trace: &str) -> Value {
    input["objectWriteTraceId"] = json!(trace);
    input
}

fn config() -> Config {
    let roomy = RateLimit::new(100_000, Duration::from_secs(1));
    Config::default()
        .token(TOKEN)
        .scoped_token("reader", ["crm.objects.contacts.read"])
        .property(
            PropertyOwner::Communication,
            PropertyDefinition::string("ext").unique(),
        )
        .oauth_app("app", "app-secret")
        .account(Account::new(101, "app", "refresh-101"))
        .rate_limit(roomy)
        .search_rate_limit(roomy)
        .search_lag(Duration::ZERO)
}

/// Each operation of the patched spec, as `operationId`s.
fn spec_operations() -> BTreeSet<String> {
    let spec: Value = serde_json::from_str(include_str!(
        "../../../hubspot-communications-raw/src/openapi.json"
    ))
    .unwrap();
    let mut operations = BTreeSet::new();
    for item in spec["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            if let Some(id) = operation["operationId"].as_str() {
                operations.insert(id.to_owned());
            }
        }
    }
    operations
}

#[tokio::test]
async fn every_answer_validates_against_hubspots_schema_for_its_status() {
    let server = MockServer::start_with(config()).await.unwrap();
    let mut sweep = Sweep::new();
    objects(&server, &mut sweep).await;
    associations(&server, &mut sweep).await;
    properties(&server, &mut sweep).await;
    oauth(&server, &mut sweep).await;
    gate_and_faults(&mut sweep).await;
    date_versions(&server, &mut sweep).await;

    // Each operation of the spec was swept.
    let swept: BTreeSet<String> = sweep.seen.iter().map(|(o, _)| o.clone()).collect();
    let missing: Vec<_> = spec_operations().difference(&swept).cloned().collect();
    assert!(missing.is_empty(), "operations not swept: {missing:?}");

    // Departures: each listed, each listed one seen.
    let listed = |operation: &str, status: u16, pointer: &str| {
        DEVIATIONS
            .iter()
            .any(|(o, s, p, _)| *o == operation && *s == status && pointer.starts_with(p))
    };
    let unlisted: Vec<_> = sweep
        .departures
        .iter()
        .filter(|(o, s, p, _)| !listed(o, *s, p))
        .collect();
    assert!(
        unlisted.is_empty(),
        "answers departing from HubSpot's schema, not listed in DEVIATIONS (and the README):\n{}",
        unlisted
            .iter()
            .map(|(o, s, p, m)| format!("  {o} {s} at '{p}': {m}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    for (operation, status, pointer, reason) in DEVIATIONS {
        assert!(
            sweep
                .departures
                .iter()
                .any(|(o, s, p, _)| o == operation && s == status && p.starts_with(pointer)),
            "the listed deviation {operation} {status} '{pointer}' ({reason}) no longer happens: \
             take it out of DEVIATIONS and the README"
        );
    }
    let not_in_spec: BTreeSet<String> = NOT_IN_THE_SPEC
        .iter()
        .map(|(method, path)| format!("{method} {path}"))
        .collect();
    let unchecked: BTreeSet<String> = sweep.unchecked.iter().map(|r| template(r)).collect();
    assert_eq!(
        unchecked, not_in_spec,
        "paths the spec has no operation for"
    );
}

/// `POST /crm/v4/associations/communications/contacts/batch/archive` as its template.
fn template(request: &str) -> String {
    let (method, path) = request.split_once(' ').unwrap();
    let segments: Vec<&str> = path.split('/').collect();
    let templated: Vec<String> = match segments.as_slice() {
        ["", "crm", version, "associations", _, _, rest @ ..] => {
            let mut all = vec![
                String::new(),
                "crm".into(),
                (*version).to_owned(),
                "associations".into(),
                "{fromObjectType}".into(),
                "{toObjectType}".into(),
            ];
            all.extend(rest.iter().map(|s| (*s).to_owned()));
            all
        }
        _ => segments.iter().map(|s| (*s).to_owned()).collect(),
    };
    format!("{method} {}", templated.join("/"))
}

/// The objects family: messages and records, one by one, in batches, searched.
async fn objects(server: &MockServer, sweep: &mut Sweep) {
    let post = Method::POST;
    // Create: 201; 400 (unknown property, not an object); 409 (a unique value taken).
    let (status, created) = sweep.json(server, post.clone(), MESSAGES, sms("a")).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let mut unknown = sms("b");
    unknown["properties"]["made_up"] = json!("x");
    assert_eq!(
        sweep.json(server, post.clone(), MESSAGES, unknown).await.0,
        400
    );
    assert_eq!(
        sweep
            .json(server, post.clone(), MESSAGES, json!([1]))
            .await
            .0,
        400
    );
    let mut keyed = sms("keyed");
    keyed["properties"]["ext"] = json!("k1");
    assert_eq!(
        sweep
            .json(server, post.clone(), MESSAGES, keyed.clone())
            .await
            .0,
        201
    );
    assert_eq!(
        sweep.json(server, post.clone(), MESSAGES, keyed).await.0,
        409
    );
    let contact = server.seed_contact("linda@example.com");
    let mut associated = sms("associated");
    associated["associations"] = json!([{"to": {"id": contact}, "types": [
        {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 81}]}]);
    assert_eq!(
        sweep
            .json(server, post.clone(), MESSAGES, associated)
            .await
            .0,
        201
    );
    // Records, through the generic path.
    let (status, _) = sweep
        .json(
            server,
            post.clone(),
            "/crm/v3/objects/contacts",
            json!({"properties": {"email": "sam@example.com", "phone": "+14155550100"}}),
        )
        .await;
    assert_eq!(status, 201);

    // Read: 200 (with properties, history, associations); 404.
    let path = format!("{MESSAGES}/{id}");
    assert_eq!(sweep.get(server, &path).await.0, 200);
    let full = format!(
        "{path}?properties=hs_communication_body&propertiesWithHistory=hs_communication_body&associations=contacts"
    );
    assert_eq!(sweep.get(server, &full).await.0, 200);
    assert_eq!(
        sweep.get(server, &format!("{MESSAGES}/999999")).await.0,
        404
    );
    assert_eq!(
        sweep
            .get(server, &format!("{MESSAGES}/k1?idProperty=ext"))
            .await
            .0,
        200
    );
    assert_eq!(
        sweep
            .get(server, &format!("/crm/v3/objects/contacts/{contact}"))
            .await
            .0,
        200
    );

    // List: 200 (a page with paging, the last without); 400 (a cursor that is not one).
    let seeded = server.seed_messages(3);
    assert_eq!(
        sweep.get(server, &format!("{MESSAGES}?limit=2")).await.0,
        200
    );
    let listed = format!(
        "{MESSAGES}?limit=100&associations=contacts&properties=hs_communication_body&propertiesWithHistory=hs_timestamp&archived=false"
    );
    assert_eq!(sweep.get(server, &listed).await.0, 200);
    assert_eq!(
        sweep.get(server, &format!("{MESSAGES}?after=x")).await.0,
        400
    );

    // Update: 200; 400; 404; 409.
    let update = json!({"properties": {"hs_communication_body": "changed"}});
    assert_eq!(
        sweep
            .json(server, Method::PATCH, &path, update.clone())
            .await
            .0,
        200
    );
    let bad = json!({"properties": {"hs_communication_channel_type": "FAX"}});
    assert_eq!(sweep.json(server, Method::PATCH, &path, bad).await.0, 400);
    let missing = format!("{MESSAGES}/999999");
    assert_eq!(
        sweep.json(server, Method::PATCH, &missing, update).await.0,
        404
    );
    let taken = json!({"properties": {"ext": "k1"}});
    assert_eq!(sweep.json(server, Method::PATCH, &path, taken).await.0, 409);

    // Batch read: 200; 207 (some not found); 400 (ids twice, an id that is not one).
    let batch = |suffix: &str| format!("{MESSAGES}/batch/{suffix}");
    let read = json!({"properties": ["hs_communication_body"], "propertiesWithHistory": ["hs_timestamp"], "inputs": [{"id": id}, {"id": seeded[0]}]});
    assert_eq!(
        sweep
            .json(server, post.clone(), &batch("read"), read)
            .await
            .0,
        200
    );
    let some = json!({"inputs": [{"id": id}, {"id": "999999"}]});
    assert_eq!(
        sweep
            .json(server, post.clone(), &batch("read"), some)
            .await
            .0,
        207
    );
    let twice = json!({"inputs": [{"id": id}, {"id": id}]});
    assert_eq!(
        sweep
            .json(server, post.clone(), &batch("read"), twice)
            .await
            .0,
        400
    );
    let object_id = json!({"inputs": [{"id": {}}]});
    assert_eq!(
        sweep
            .json(server, post.clone(), &batch("read"), object_id)
            .await
            .0,
        400
    );

    // Batch create: 201; 207 (unique trace ids, one refused); 400 (without them).
    let mut bad = sms("bad");
    bad["properties"]["hs_communication_channel_type"] = json!("FAX");
    let good = json!({"inputs": [traced(sms("c"), "0"), traced(sms("d"), "1")]});
    assert_eq!(
        sweep
            .json(server, post.clone(), &batch("create"), good)
            .await
            .0,
        201
    );
    let mixed = json!({"inputs": [traced(sms("e"), "0"), traced(bad.clone(), "1")]});
    assert_eq!(
        sweep
            .json(server, post.clone(), &batch("create"), mixed)
            .await
            .0,
        207
    );
    let untraced = json!({"inputs": [sms("f"), bad]});
    assert_eq!(
        sweep
            .json(server, post.clone(), &batch("create"), untraced)
            .await
            .0,
        400
    );
    let too_many = json!({"inputs": vec![sms("g"); 101]});
    assert_eq!(
        sweep
            .json(server, post.clone(), &batch("create"), too_many)
            .await
            .0,
        400
    );

    // Batch update: 200; 207 (one not found); 400.
    let update = json!({"inputs": [{"id": id, "properties": {"hs_communication_body": "batch"}}]});
    assert_eq!(
        sweep
            .json(server, post.clone(), &batch("update"), update)
            .await
            .0,
        200
    );
    let some = json!({"inputs": [
        {"id": id, "properties": {"hs_communication_body": "again"}},
        {"id": "999999", "properties": {"hs_communication_body": "nobody"}},
    ]});
    assert_eq!(
        sweep
            .json(server, post.clone(), &batch("update"), some)
            .await
            .0,
        207
    );
    let array = json!({"inputs": [[]]});
    assert_eq!(
        sweep
            .json(server, post.clone(), &batch("update"), array)
            .await
            .0,
        400
    );

    // Batch upsert: 200 (created and updated); 207 (one refused); 400 (not a unique property).
    let upsert = |key: &str, body: &str| {
        let mut input = sms(body);
        input["id"] = json!(key);
        input["idProperty"] = json!("ext");
        input["properties"]["ext"] = json!(key);
        input
    };
    let both = json!({"inputs": [upsert("k1", "updated"), upsert("k2", "created")]});
    assert_eq!(
        sweep
            .json(server, post.clone(), &batch("upsert"), both)
            .await
            .0,
        200
    );
    let mut refused = upsert("k3", "refused");
    refused["properties"]["hs_communication_channel_type"] = json!("FAX");
    let some = json!({"inputs": [upsert("k4", "fine"), refused]});
    assert_eq!(
        sweep
            .json(server, post.clone(), &batch("upsert"), some)
            .await
            .0,
        207
    );
    let mut not_unique = upsert("k5", "x");
    not_unique["idProperty"] = json!("hs_communication_body");
    let not_unique = json!({ "inputs": [not_unique] });
    assert_eq!(
        sweep
            .json(server, post.clone(), &batch("upsert"), not_unique)
            .await
            .0,
        400
    );

    // Batch archive: 204; 400 (an id that is not a string).
    let archive = json!({"inputs": [{"id": seeded[2]}]});
    assert_eq!(
        sweep
            .json(server, post.clone(), &batch("archive"), archive)
            .await
            .0,
        204
    );
    let object_id = json!({"inputs": [{"id": {}}]});
    assert_eq!(
        sweep
            .json(server, post.clone(), &batch("archive"), object_id)
            .await
            .0,
        400
    );

    // Search: 200 (with paging, the last page without); 400 (a body that is not an object, one
    // over 3,000 characters, too many filters, past the cap).
    let search = format!("{MESSAGES}/search");
    let query = json!({"filterGroups": [{"filters": [{"propertyName": "hs_communication_channel_type", "operator": "EQ", "value": "SMS"}]}], "sorts": [{"propertyName": "hs_timestamp", "direction": "DESCENDING"}], "properties": ["hs_communication_body"], "limit": 2});
    assert_eq!(
        sweep.json(server, post.clone(), &search, query).await.0,
        200
    );
    assert_eq!(
        sweep.json(server, post.clone(), &search, json!({})).await.0,
        200
    );
    assert_eq!(
        sweep.json(server, post.clone(), &search, json!([])).await.0,
        400
    );
    let long = json!({"query": "x".repeat(3_000)});
    assert_eq!(sweep.json(server, post.clone(), &search, long).await.0, 400);
    assert_eq!(
        sweep
            .json(
                server,
                post.clone(),
                &search,
                json!({"after": "9950", "limit": 100})
            )
            .await
            .0,
        400
    );
    let contacts = json!({"filterGroups": [{"filters": [{"propertyName": "hs_searchable_calculated_phone_number", "operator": "IN", "values": ["4155550100"]}]}]});
    let (status, found) = sweep
        .json(
            server,
            post.clone(),
            "/crm/v3/objects/contacts/search",
            contacts,
        )
        .await;
    assert_eq!((status, found["total"].as_u64()), (200, Some(1)), "{found}");

    // Archive one: 204, and again (HubSpot answers 204 for what is gone).
    assert_eq!(sweep.delete(server, &path).await.0, 204);
    assert_eq!(sweep.delete(server, &path).await.0, 204);
    // A body over 2 MiB: 413.
    let huge = "x".repeat(3 * 1024 * 1024);
    let (status, _) = sweep
        .call(
            server,
            Some(TOKEN),
            post,
            MESSAGES,
            Body::Raw(
                format!(r#"{{"properties": {{"hs_communication_body": "{huge}"}}}}"#),
                "application/json",
            ),
        )
        .await;
    assert_eq!(status, 413);
}

/// One message's associations (v3's typed path, v4's labelled, default and list) and the
/// association batches.
async fn associations(server: &MockServer, sweep: &mut Sweep) {
    let contact = server.seed_contact("sam@example.org");
    let deal = server.seed_deal("Renewal");
    let message = server.seed_message(&[("hs_communication_body", "linked")], &[]);
    let v3 = format!("{MESSAGES}/{message}/associations/contacts/{contact}");
    assert_eq!(
        sweep
            .call(
                server,
                Some(TOKEN),
                Method::PUT,
                &format!("{v3}/81"),
                Body::None
            )
            .await
            .0,
        200
    );
    assert_eq!(
        sweep
            .call(
                server,
                Some(TOKEN),
                Method::PUT,
                &format!("{v3}/999"),
                Body::None
            )
            .await
            .0,
        400
    );
    assert_eq!(sweep.delete(server, &format!("{v3}/81")).await.0, 204);

    let v4 = format!("/crm/v4/objects/communications/{message}/associations");
    let labelled = json!([{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 81}]);
    let path = format!("{v4}/contacts/{contact}");
    assert_eq!(
        sweep
            .json(server, Method::PUT, &path, labelled.clone())
            .await
            .0,
        201
    );
    let unknown = json!([{"associationCategory": "USER_DEFINED", "associationTypeId": 777}]);
    assert_eq!(sweep.json(server, Method::PUT, &path, unknown).await.0, 400);
    let nobody = format!("{v4}/contacts/999999");
    assert_eq!(
        sweep.json(server, Method::PUT, &nobody, labelled).await.0,
        404
    );
    let default =
        format!("/crm/v4/objects/communications/{message}/associations/default/deals/{deal}");
    assert_eq!(
        sweep
            .call(server, Some(TOKEN), Method::PUT, &default, Body::None)
            .await
            .0,
        200
    );
    assert_eq!(sweep.get(server, &format!("{v4}/contacts")).await.0, 200);
    assert_eq!(
        sweep.get(server, &format!("{v4}/contacts?limit=1")).await.0,
        200
    );
    // "Limit 500 per call": a longer page is refused.
    assert_eq!(
        sweep
            .get(server, &format!("{v4}/contacts?limit=501"))
            .await
            .0,
        400
    );
    assert_eq!(
        sweep.delete(server, &format!("{v4}/deals/{deal}")).await.0,
        204
    );

    let batch = |op: &str| format!("/crm/v4/associations/communications/contacts/batch/{op}");
    let read = json!({"inputs": [{"id": message}]});
    assert_eq!(
        sweep
            .json(server, Method::POST, &batch("read"), read)
            .await
            .0,
        200
    );
    let some = json!({"inputs": [{"id": message}, {"id": "999999"}]});
    assert_eq!(
        sweep
            .json(server, Method::POST, &batch("read"), some)
            .await
            .0,
        207
    );
    let too_many = json!({"inputs": vec![json!({"id": message}); 1_001]});
    assert_eq!(
        sweep
            .json(server, Method::POST, &batch("read"), too_many)
            .await
            .0,
        400
    );
    let pair = |to: &str| {
        json!({"from": {"id": message}, "to": {"id": to}, "types": [
            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 81}]})
    };
    let create = json!({"inputs": [pair(&contact)]});
    assert_eq!(
        sweep
            .json(server, Method::POST, &batch("create"), create)
            .await
            .0,
        201
    );
    let some = json!({"inputs": [pair(&contact), pair("999999")]});
    assert_eq!(
        sweep
            .json(server, Method::POST, &batch("create"), some)
            .await
            .0,
        207
    );
    let object_ids = json!({"inputs": [{"from": {"id": {}}, "to": {"id": contact}}]});
    assert_eq!(
        sweep
            .json(server, Method::POST, &batch("create"), object_ids)
            .await
            .0,
        400
    );
    let archive = json!({"inputs": [{"from": {"id": message}, "to": [{"id": contact}]}]});
    assert_eq!(
        sweep
            .json(server, Method::POST, &batch("archive"), archive)
            .await
            .0,
        204
    );
    let object_ids = json!({"inputs": [{"from": {"id": message}, "to": [{"id": {}}]}]});
    assert_eq!(
        sweep
            .json(server, Method::POST, &batch("archive"), object_ids)
            .await
            .0,
        400
    );
}

/// The Properties API.
async fn properties(server: &MockServer, sweep: &mut Sweep) {
    let base = "/crm/v3/properties/communications";
    assert_eq!(sweep.get(server, base).await.0, 200);
    assert_eq!(
        sweep.get(server, &format!("{base}?archived=true")).await.0,
        200
    );
    let property = json!({"name": "external_message_id", "label": "External message id",
        "type": "string", "fieldType": "text", "groupName": "communicationinformation",
        "hasUniqueValue": true});
    assert_eq!(
        sweep
            .json(server, Method::POST, base, property.clone())
            .await
            .0,
        201
    );
    assert_eq!(
        sweep
            .json(server, Method::POST, base, property.clone())
            .await
            .0,
        409
    );
    let mut bad = property.clone();
    bad["name"] = json!("Not A Name");
    assert_eq!(sweep.json(server, Method::POST, base, bad).await.0, 400);
    // A token without the scope: 403.
    let (status, _) = sweep
        .call(
            server,
            Some("reader"),
            Method::POST,
            base,
            Body::Json(property),
        )
        .await;
    assert_eq!(status, 403);
    let one = format!("{base}/external_message_id");
    assert_eq!(sweep.get(server, &one).await.0, 200);
    assert_eq!(sweep.get(server, &format!("{base}/made_up")).await.0, 404);
    let label = json!({"label": "Provider id"});
    assert_eq!(
        sweep
            .json(server, Method::PATCH, &one, label.clone())
            .await
            .0,
        200
    );
    assert_eq!(
        sweep
            .json(server, Method::PATCH, &format!("{base}/made_up"), label)
            .await
            .0,
        404
    );
    let retype = json!({"type": "bool", "fieldType": "booleancheckbox"});
    assert_eq!(sweep.json(server, Method::PATCH, &one, retype).await.0, 400);
    let read = json!({"archived": false, "inputs": [{"name": "hs_communication_body"}]});
    assert_eq!(
        sweep
            .json(server, Method::POST, &format!("{base}/batch/read"), read)
            .await
            .0,
        200
    );
    let some = json!({"archived": false, "inputs": [{"name": "hs_communication_body"}, {"name": "made_up"}]});
    assert_eq!(
        sweep
            .json(server, Method::POST, &format!("{base}/batch/read"), some)
            .await
            .0,
        207
    );
    assert_eq!(sweep.get(server, &format!("{base}/groups")).await.0, 200);
    let group = format!("{base}/groups/communicationinformation");
    assert_eq!(sweep.get(server, &group).await.0, 200);
    assert_eq!(
        sweep.get(server, &format!("{base}/groups/made_up")).await.0,
        404
    );
    assert_eq!(sweep.delete(server, &one).await.0, 204);
    // HubSpot's own cannot be archived.
    assert_eq!(
        sweep
            .delete(server, &format!("{base}/hs_communication_body"))
            .await
            .0,
        400
    );
    assert_eq!(
        sweep.get(server, "/crm/v3/properties/contacts").await.0,
        200
    );
}

/// The OAuth token endpoint.
async fn oauth(server: &MockServer, sweep: &mut Sweep) {
    let form = |refresh: &str| {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("grant_type", "refresh_token"),
                ("client_id", "app"),
                ("client_secret", "app-secret"),
                ("refresh_token", refresh),
            ])
            .finish()
    };
    let content_type = "application/x-www-form-urlencoded";
    let (status, body) = sweep
        .call(
            server,
            None,
            Method::POST,
            "/oauth/v1/token",
            Body::Raw(form("refresh-101"), content_type),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = sweep
        .call(
            server,
            None,
            Method::POST,
            "/oauth/v1/token",
            Body::Raw(form("made-up"), content_type),
        )
        .await;
    assert_eq!(status, 400);
}

/// The gate's refusals (401, 429) and injected 5xx, on every family.
async fn gate_and_faults(sweep: &mut Sweep) {
    let server = MockServer::start_with(config()).await.unwrap();
    let paths = [
        (Method::GET, MESSAGES.to_owned(), Body::None),
        (
            Method::GET,
            "/crm/v3/properties/communications".to_owned(),
            Body::None,
        ),
        (
            Method::POST,
            "/crm/v4/associations/communications/contacts/batch/read".to_owned(),
            Body::Json(json!({"inputs": []})),
        ),
    ];
    for (method, path, _) in &paths {
        let (status, _) = sweep
            .call(&server, Some("made-up"), method.clone(), path, Body::None)
            .await;
        assert_eq!(status, 401, "{path}");
    }
    let limited = config().rate_limit(RateLimit::new(1, Duration::from_secs(60)));
    let server = MockServer::start_with(limited).await.unwrap();
    assert_eq!(sweep.get(&server, MESSAGES).await.0, 200);
    assert_eq!(sweep.get(&server, MESSAGES).await.0, 429);
    let searches = config().search_rate_limit(RateLimit::new(1, Duration::from_secs(60)));
    let server = MockServer::start_with(searches).await.unwrap();
    let search = format!("{MESSAGES}/search");
    assert_eq!(
        sweep
            .json(&server, Method::POST, &search, json!({}))
            .await
            .0,
        200
    );
    assert_eq!(
        sweep
            .json(&server, Method::POST, &search, json!({}))
            .await
            .0,
        429
    );
    let daily = config().daily_limit(1);
    let server = MockServer::start_with(daily).await.unwrap();
    assert_eq!(sweep.get(&server, MESSAGES).await.0, 200);
    assert_eq!(sweep.get(&server, MESSAGES).await.0, 429);
    for (kind, status) in [
        (FaultKind::RateLimited, 429),
        (FaultKind::InternalError, 500),
        (FaultKind::BadGateway, 502),
        (FaultKind::Unavailable, 503),
    ] {
        let faulty = config().faults(Faults::seeded(1).with(kind, 1.0));
        let server = MockServer::start_with(faulty).await.unwrap();
        for (method, path, _) in &paths {
            let body = match method {
                &Method::POST => Body::Json(json!({"inputs": []})),
                _ => Body::None,
            };
            let (got, _) = sweep
                .call(&server, Some(TOKEN), method.clone(), path, body)
                .await;
            assert_eq!(got, status, "{kind:?} {path}");
        }
    }
}

/// The date versions' paths: the same operations, the same answers.
async fn date_versions(server: &MockServer, sweep: &mut Sweep) {
    let contact = server.seed_contact("kim@example.com");
    let message = server.seed_message(
        &[("hs_communication_body", "dated")],
        &[(ObjectType::Contact, &contact)],
    );
    for version in ["2026-03", "2026-09"] {
        let objects = format!("/crm/objects/{version}/communications");
        assert_eq!(
            sweep.get(server, &format!("{objects}/{message}")).await.0,
            200
        );
        assert_eq!(sweep.get(server, &format!("{objects}/999999")).await.0, 404);
        let search = format!("{objects}/search");
        assert_eq!(
            sweep.json(server, Method::POST, &search, json!({})).await.0,
            200
        );
        assert_eq!(
            sweep.json(server, Method::POST, &search, json!([])).await.0,
            400
        );
        let read = format!("/crm/associations/{version}/communications/contacts/batch/read");
        let inputs = json!({"inputs": [{"id": message}]});
        assert_eq!(sweep.json(server, Method::POST, &read, inputs).await.0, 200);
        let properties = format!("/crm/properties/{version}/communications");
        assert_eq!(sweep.get(server, &properties).await.0, 200);
    }
}
