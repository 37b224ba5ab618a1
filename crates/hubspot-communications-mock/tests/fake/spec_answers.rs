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
    Account, Config, FaultKind, Faults, JournalAction, MockServer, ObjectSubscription, ObjectType,
    PropertyDefinition, PropertyOwner, RateLimit, WebhooksJournal,
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
const JOURNAL: &str = "/webhooks-journal/journal/2026-03";
const LOCAL_JOURNAL: &str = "/webhooks-journal/journal-local/2026-03";
const SUBSCRIPTIONS: &str = "/webhooks-journal/subscriptions/2026-03";
const SNAPSHOTS: &str = "/webhooks-journal/snapshots/2026-03/crm";
/// The account of the fake's journal (`WebhooksJournal`'s default, HubSpot's examples').
const PORTAL: u64 = 62515;
/// An offset of the journal's form that no run of the fake gave.
const NEVER_GIVEN: &str = "00000000-0000-4000-8000-000000000000";
const FORM: &str = "application/x-www-form-urlencoded";

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
        // The operation the exchange fits names it: the refresh and the client-credentials
        // grant share `POST /oauth/v1/token`, two operations of the spec.
        match contract().operation_of(method.as_str(), path_only, &sent, status, &bytes) {
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

    /// `method path` with another `token` (the app's own, the journal's), a JSON body or none.
    async fn with(
        &mut self,
        server: &MockServer,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let body = body.map_or(Body::None, Body::Json);
        self.call(server, Some(token), method, path, body).await
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
        // No subscription at start (the sweep makes them), so the other parts' writes are not
        // journaled and the journal is seen empty first; two events an entry, so a few writes
        // make several entries.
        .webhooks_journal(WebhooksJournal::default().max_events_per_entry(2))
}

/// The client-credentials grant's form.
fn app_grant(client_id: &str, secret: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            (
                "scope",
                "webhooks-journal-data-access webhooks-journal-subscription-management",
            ),
        ])
        .finish()
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
    journal(&server, &mut sweep).await;
    journal_past_retention(&mut sweep).await;
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

/// The app's own token (the client-credentials grant) of `server`'s app.
async fn app_token(server: &MockServer, sweep: &mut Sweep) -> String {
    let (status, answer) = sweep
        .call(
            server,
            None,
            Method::POST,
            "/oauth/v1/token",
            Body::Raw(app_grant("app", "app-secret"), FORM),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    answer["access_token"].as_str().unwrap().to_owned()
}

/// HubSpot's webhooks journal, with the app's own token as HubSpot asks: the token itself
/// (the client-credentials grant), subscriptions and their filters, the global and the local
/// journal (empty, then with entries), snapshots and their status, and the gate's 401 on each
/// journal route. The entry files' host is another server (not HubSpot's API): not swept.
async fn journal(server: &MockServer, sweep: &mut Sweep) {
    // The app's token: 200; 400 (a wrong secret, an app the fake does not know).
    let app = app_token(server, sweep).await;
    for (client_id, secret) in [("app", "wrong"), ("made-up", "app-secret")] {
        let (status, _) = sweep
            .call(
                server,
                None,
                Method::POST,
                "/oauth/v1/token",
                Body::Raw(app_grant(client_id, secret), FORM),
            )
            .await;
        assert_eq!(status, 400, "{client_id}");
    }

    // Nothing journaled yet: no earliest or latest entry (404), empty batches (200).
    for base in [JOURNAL, LOCAL_JOURNAL] {
        for path in ["earliest", "latest"] {
            let path = format!("{base}/{path}");
            assert_eq!(
                sweep.with(server, &app, Method::GET, &path, None).await.0,
                404
            );
        }
        for path in ["batch/earliest/10", "batch/latest/10"] {
            let path = format!("{base}/{path}");
            assert_eq!(
                sweep.with(server, &app, Method::GET, &path, None).await.0,
                200
            );
        }
    }

    // Subscriptions: upsert 200 (messages; contacts, to be deleted); 400 (no action, an object
    // type HubSpot does not have, a body that is not an object).
    let messages = json!({"subscriptionType": "OBJECT", "objectTypeId": "0-18",
        "portalId": PORTAL, "actions": ["CREATE", "UPDATE", "DELETE"],
        "properties": ["hs_communication_body"]});
    let (status, subscription) = sweep
        .with(
            server,
            &app,
            Method::POST,
            SUBSCRIPTIONS,
            Some(messages.clone()),
        )
        .await;
    assert_eq!(status, 200, "{subscription}");
    let messages_id = subscription["id"].as_u64().unwrap();
    let contacts = json!({"subscriptionType": "OBJECT", "objectTypeId": "0-1",
        "portalId": PORTAL, "actions": ["CREATE"]});
    let (status, subscription) = sweep
        .with(server, &app, Method::POST, SUBSCRIPTIONS, Some(contacts))
        .await;
    assert_eq!(status, 200, "{subscription}");
    let contacts_id = subscription["id"].as_u64().unwrap();
    let mut no_action = messages.clone();
    no_action["actions"] = json!([]);
    let mut unknown_type = messages;
    unknown_type["objectTypeId"] = json!("9-99");
    for refused in [no_action, unknown_type, json!([])] {
        let (status, _) = sweep
            .with(server, &app, Method::POST, SUBSCRIPTIONS, Some(refused))
            .await;
        assert_eq!(status, 400);
    }
    assert_eq!(
        sweep
            .with(server, &app, Method::GET, SUBSCRIPTIONS, None)
            .await
            .0,
        200
    );
    // One subscription: 200; 404 (none of that id); 400 (an id that is not a number).
    for (id, expected) in [
        (messages_id.to_string(), 200),
        ("999999".into(), 404),
        ("x".into(), 400),
    ] {
        let path = format!("{SUBSCRIPTIONS}/{id}");
        assert_eq!(
            sweep.with(server, &app, Method::GET, &path, None).await.0,
            expected,
            "{path}"
        );
    }

    // Filters: create 200; 404 (a subscription that does not exist); 400 (an operator HubSpot
    // does not have).
    let filter = |subscription: u64, operator: &str| {
        json!({"subscriptionId": subscription, "filter": {"conditions": [{
            "filterType": "CRM_OBJECT_PROPERTY", "property": "email", "operator": operator,
            "value": "ana@example.com"}]}})
    };
    let filters = format!("{SUBSCRIPTIONS}/filters");
    let (status, created) = sweep
        .with(
            server,
            &app,
            Method::POST,
            &filters,
            Some(filter(contacts_id, "EQ")),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let filter_id = created["filterId"].as_u64().unwrap();
    let (status, _) = sweep
        .with(
            server,
            &app,
            Method::POST,
            &filters,
            Some(filter(999_999, "EQ")),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = sweep
        .with(
            server,
            &app,
            Method::POST,
            &filters,
            Some(filter(contacts_id, "LIKE")),
        )
        .await;
    assert_eq!(status, 400);
    // A subscription's filters: 200; 404.
    for (id, expected) in [(contacts_id, 200), (999_999, 404)] {
        let path = format!("{filters}/subscription/{id}");
        assert_eq!(
            sweep.with(server, &app, Method::GET, &path, None).await.0,
            expected
        );
    }
    // One filter: 200; 404; 400.
    for (id, expected) in [
        (filter_id.to_string(), 200),
        ("999999".into(), 404),
        ("x".into(), 400),
    ] {
        let path = format!("{filters}/{id}");
        assert_eq!(
            sweep.with(server, &app, Method::GET, &path, None).await.0,
            expected,
            "{path}"
        );
    }
    // Deletes: 204; then 404, the fake's answer for a filter or subscription that is gone.
    for path in [
        format!("{filters}/{filter_id}"),
        format!("{SUBSCRIPTIONS}/{contacts_id}"),
    ] {
        assert_eq!(
            sweep
                .with(server, &app, Method::DELETE, &path, None)
                .await
                .0,
            204
        );
        assert_eq!(
            sweep
                .with(server, &app, Method::DELETE, &path, None)
                .await
                .0,
            404
        );
    }
    let path = format!("{SUBSCRIPTIONS}/x");
    assert_eq!(
        sweep
            .with(server, &app, Method::DELETE, &path, None)
            .await
            .0,
        400
    );

    // A few writes the messages' subscription journals: five creates and an update, six
    // events, three entries of two.
    let seeded = server.seed_messages(5);
    let update = json!({"properties": {"hs_communication_body": "journaled"}});
    let path = format!("{MESSAGES}/{}", seeded[0]);
    assert_eq!(
        sweep.json(server, Method::PATCH, &path, update).await.0,
        200
    );

    // Both journals (the local one of the fake's account, as when `installPortalId` is absent).
    for base in [JOURNAL, LOCAL_JOURNAL] {
        let at = |path: &str| format!("{base}/{path}");
        let (status, earliest) = sweep
            .with(server, &app, Method::GET, &at("earliest"), None)
            .await;
        assert_eq!(status, 200, "{earliest}");
        let first = earliest["currentOffset"].as_str().unwrap().to_owned();
        let (status, latest) = sweep
            .with(server, &app, Method::GET, &at("latest"), None)
            .await;
        assert_eq!(status, 200, "{latest}");
        let last = latest["currentOffset"].as_str().unwrap().to_owned();
        assert_ne!(first, last, "several entries");
        // The entry after one: 200; 404 after the newest (none follows yet) and after an
        // offset the journal never held.
        for (offset, expected) in [(&*first, 200), (&*last, 404), (NEVER_GIVEN, 404)] {
            let path = at(&format!("offset/{offset}/next"));
            assert_eq!(
                sweep.with(server, &app, Method::GET, &path, None).await.0,
                expected,
                "{path}"
            );
        }
        // Batches: 200 (the last one after the newest: empty); 404 (an offset never held);
        // 400 (a count of 0 or past the fake's 1,000).
        let batches = [
            ("batch/earliest/2".to_owned(), 200),
            ("batch/latest/2".to_owned(), 200),
            (format!("batch/{first}/next/10"), 200),
            (format!("batch/{last}/next/10"), 200),
            (format!("batch/{NEVER_GIVEN}/next/10"), 404),
            ("batch/earliest/0".to_owned(), 400),
            ("batch/latest/1001".to_owned(), 400),
            (format!("batch/{first}/next/0"), 400),
        ];
        for (path, expected) in batches {
            let path = at(&path);
            assert_eq!(
                sweep.with(server, &app, Method::GET, &path, None).await.0,
                expected,
                "{path}"
            );
        }
        // Read at offsets: 200; 207 (one the journal never held); 400 (an input that is not
        // an offset, no inputs).
        let reads = [
            (json!({"inputs": [first, last]}), 200),
            (json!({"inputs": [first, NEVER_GIVEN]}), 207),
            (json!({"inputs": [1]}), 400),
            (json!({}), 400),
        ];
        for (body, expected) in reads {
            let (status, answer) = sweep
                .with(server, &app, Method::POST, &at("batch/read"), Some(body))
                .await;
            assert_eq!(status, expected, "{answer}");
        }
    }
    // The local journal of the fake's account named: 200; another account's is empty (404);
    // an account that is not a number: 400.
    let named = [
        (PORTAL.to_string(), 200),
        ("1".to_owned(), 404),
        ("x".to_owned(), 400),
    ];
    for (account, expected) in named {
        let path = format!("{LOCAL_JOURNAL}/earliest?installPortalId={account}");
        assert_eq!(
            sweep.with(server, &app, Method::GET, &path, None).await.0,
            expected,
            "{path}"
        );
    }

    // Snapshots: 200 (a message the fake has, one it does not); 400 (no requests, a request
    // without its object).
    let object_id: u64 = seeded[1].parse().unwrap();
    let asked = json!({"snapshotRequests": [
        {"portalId": PORTAL, "objectTypeId": "0-18", "objectId": object_id,
            "properties": ["hs_communication_body"]},
        {"portalId": PORTAL, "objectTypeId": "0-18", "objectId": 999_999, "properties": []},
    ]});
    let (status, snapshots) = sweep
        .with(server, &app, Method::POST, SNAPSHOTS, Some(asked))
        .await;
    assert_eq!(status, 200, "{snapshots}");
    let status_ids: Vec<String> = snapshots["snapshotResponses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["snapshotStatusId"].as_str().unwrap().to_owned())
        .collect();
    let no_object = json!({"snapshotRequests": [{"portalId": PORTAL, "objectTypeId": "0-18"}]});
    for refused in [json!({}), no_object] {
        let (status, _) = sweep
            .with(server, &app, Method::POST, SNAPSHOTS, Some(refused))
            .await;
        assert_eq!(status, 400);
    }
    // Their status, from either journal: 200 (`SUCCESS`, `FAILED`); 404 (no such status).
    for base in [JOURNAL, LOCAL_JOURNAL] {
        let statuses = status_ids.iter().map(|id| (id.as_str(), 200));
        for (id, expected) in statuses.chain([("made-up", 404)]) {
            let path = format!("{base}/status/{id}");
            assert_eq!(
                sweep.with(server, &app, Method::GET, &path, None).await.0,
                expected,
                "{path}"
            );
        }
    }

    // The gate's 401 on each journal route: a token the fake never gave.
    let routes = journal_routes(&first_offset(server, sweep, &app).await, messages_id);
    for (method, path, body) in routes {
        let (status, _) = sweep.with(server, "made-up", method, &path, body).await;
        assert_eq!(status, 401, "{path}");
    }

    // An account's subscriptions, all deleted: 204; 400 (an account that is not a number).
    let path = format!("{SUBSCRIPTIONS}/portals/{PORTAL}");
    assert_eq!(
        sweep
            .with(server, &app, Method::DELETE, &path, None)
            .await
            .0,
        204
    );
    let path = format!("{SUBSCRIPTIONS}/portals/x");
    assert_eq!(
        sweep
            .with(server, &app, Method::DELETE, &path, None)
            .await
            .0,
        400
    );
}

/// The journal's earliest offset.
async fn first_offset(server: &MockServer, sweep: &mut Sweep, app: &str) -> String {
    let path = format!("{JOURNAL}/earliest");
    let (status, earliest) = sweep.with(server, app, Method::GET, &path, None).await;
    assert_eq!(status, 200, "{earliest}");
    earliest["currentOffset"].as_str().unwrap().to_owned()
}

/// Each journal operation's route, with an `offset` and a `subscription` for its parameters.
fn journal_routes(offset: &str, subscription: u64) -> Vec<(Method, String, Option<Value>)> {
    let mut routes = Vec::new();
    for base in [JOURNAL, LOCAL_JOURNAL] {
        for path in [
            "earliest".to_owned(),
            "latest".to_owned(),
            format!("offset/{offset}/next"),
            "batch/earliest/1".to_owned(),
            "batch/latest/1".to_owned(),
            format!("batch/{offset}/next/1"),
            "status/made-up".to_owned(),
        ] {
            routes.push((Method::GET, format!("{base}/{path}"), None));
        }
        let read = json!({"inputs": [offset]});
        routes.push((Method::POST, format!("{base}/batch/read"), Some(read)));
    }
    let one = format!("{SUBSCRIPTIONS}/{subscription}");
    let filters = format!("{SUBSCRIPTIONS}/filters");
    let upsert = json!({"subscriptionType": "OBJECT", "objectTypeId": "0-18",
        "portalId": PORTAL, "actions": ["CREATE"]});
    let filter = json!({"subscriptionId": subscription, "filter": {"conditions": [{
        "filterType": "CRM_OBJECT_PROPERTY", "property": "hs_communication_body",
        "operator": "IS_NOT_EMPTY"}]}});
    let snapshot = json!({"snapshotRequests": [{"portalId": PORTAL, "objectTypeId": "0-18",
        "objectId": 1, "properties": []}]});
    routes.extend([
        (Method::GET, SUBSCRIPTIONS.to_owned(), None),
        (Method::POST, SUBSCRIPTIONS.to_owned(), Some(upsert)),
        (Method::GET, one.clone(), None),
        (Method::DELETE, one, None),
        (
            Method::DELETE,
            format!("{SUBSCRIPTIONS}/portals/{PORTAL}"),
            None,
        ),
        (Method::POST, filters.clone(), Some(filter)),
        (
            Method::GET,
            format!("{filters}/subscription/{subscription}"),
            None,
        ),
        (Method::GET, format!("{filters}/1"), None),
        (Method::DELETE, format!("{filters}/1"), None),
        (Method::POST, SNAPSHOTS.to_owned(), Some(snapshot)),
    ]);
    routes
}

/// An offset past the journal's retention: the entry after it and a batch after it are 404s,
/// as HubSpot documents an expired offset, and a read at it names it in a 207; an app token
/// past its life is the gate's 401 (`EXPIRED_AUTHENTICATION`) on the journal too. A server of
/// its own, whose entries live 300 ms.
async fn journal_past_retention(sweep: &mut Sweep) {
    let brief = WebhooksJournal::default()
        .retention(Duration::from_millis(300))
        .subscribe(
            ObjectSubscription::new(PropertyOwner::Communication).actions([JournalAction::Create]),
        );
    let server = MockServer::start_with(config().webhooks_journal(brief))
        .await
        .unwrap();
    let app = app_token(&server, sweep).await;
    server.seed_messages(1);
    let old = first_offset(&server, sweep, &app).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    server.seed_messages(1);
    for base in [JOURNAL, LOCAL_JOURNAL] {
        for path in [format!("offset/{old}/next"), format!("batch/{old}/next/10")] {
            let path = format!("{base}/{path}");
            assert_eq!(
                sweep.with(&server, &app, Method::GET, &path, None).await.0,
                404,
                "{path}"
            );
        }
        let read = json!({"inputs": [old]});
        let path = format!("{base}/batch/read");
        let (status, answer) = sweep
            .with(&server, &app, Method::POST, &path, Some(read))
            .await;
        assert_eq!(status, 207, "{answer}");
    }
    server.expire_access_tokens();
    let (status, answer) = sweep
        .with(
            &server,
            &app,
            Method::GET,
            &format!("{JOURNAL}/latest"),
            None,
        )
        .await;
    assert_eq!(
        (status, answer["category"].as_str()),
        (401, Some("EXPIRED_AUTHENTICATION")),
        "{answer}"
    );
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
        // The journal takes no turn of the rate limits, but an injected fault hits it too.
        (Method::GET, format!("{JOURNAL}/latest"), Body::None),
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
