//! Spec-checked traffic: every request the facade sends to the fake and every answer the fake
//! gives, validated against the operation's schemas in the patched document the raw client is
//! generated from: `crates/hubspot-communications-raw/src/openapi.json`, HubSpot's specs with
//! `spec/patches` (the project's only documented departures), written beside `generated.rs` by
//! `cargo xtask regen` and kept exact by `regen --check`. The check needs nothing outside the
//! repository.
//!
//! [`crate::start`] wires it into every end-to-end test: the fake's observer records each
//! violation, and the [`CheckedServer`] it returns fails the test when dropped if any was
//! recorded. What is checked: the request's body (JSON, or a form's fields as a JSON object of
//! strings, as the OAuth token endpoint takes them) against the operation's request body
//! schema, and the answer's JSON body against the schema of its status (an exact status first,
//! then `4XX` / `5XX`, then `default`); a status the operation does not list is a violation.
//! What is not: query parameters and headers; requests to a path no operation of the document
//! has (none of the facade's), which are skipped.

mod route;
mod schema;
mod server;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

use hubspot_communications_codegen::manifest::Manifest;
use jsonschema::Validator;
use serde_json::Value;

pub use server::{CheckedServer, Violations};

/// The validators of every operation of the patched document.
pub struct Contract {
    routes: Vec<route::Route>,
    /// By (relative path, method).
    operations: BTreeMap<(String, String), Operation>,
}

struct Operation {
    name: String,
    /// `None` for an operation that takes no body.
    request: Option<(Encoding, Validator)>,
    /// By status key (`200`, `4XX`, `default`); `None` where the answer has no body.
    responses: BTreeMap<String, Option<Validator>>,
}

/// One departure from the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The operation's name (`create_object`), as the raw client's methods.
    pub operation: String,
    /// `request`, or `response 200` (the answer's status).
    pub direction: String,
    /// The request, `POST /crm/v3/objects/communications`.
    pub request: String,
    /// A JSON pointer into the body (empty for the body as a whole).
    pub pointer: String,
    /// What is wrong, in the validator's words.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} ({}): at '{}': {}",
            self.operation, self.direction, self.request, self.pointer, self.message
        )
    }
}

/// The contract of the workspace's spec, built once per process.
///
/// # Panics
/// If the document or `spec/client.toml` cannot be read, or a schema does not compile: call it
/// on a test's thread, never on the fake's.
pub fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        Contract::load(
            &root.join("spec/client.toml"),
            &root.join("crates/hubspot-communications-raw/src/openapi.json"),
        )
        .unwrap_or_else(|e| panic!("the spec-checked traffic layer cannot load the spec: {e}"))
    })
}

impl Contract {
    /// Builds the validators from the manifest and the patched document `regen` wrote.
    pub fn load(manifest: &Path, document: &Path) -> Result<Self, String> {
        let manifest = Manifest::load(manifest).map_err(|e| e.to_string())?;
        let text = std::fs::read_to_string(document)
            .map_err(|e| format!("cannot read {}: {e}", document.display()))?;
        let document: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not JSON: {e}", document.display()))?;
        Self::from_document(&manifest, &document)
    }

    /// Builds the validators of `document`, whose paths are relative to `manifest`'s family
    /// bases.
    pub fn from_document(manifest: &Manifest, document: &Value) -> Result<Self, String> {
        let schemas = schema::to_json_schema(&document["components"]["schemas"]);
        let mut operations = BTreeMap::new();
        let paths = document["paths"].as_object().cloned().unwrap_or_default();
        for (path, item) in &paths {
            for (method, operation) in item.as_object().into_iter().flatten() {
                let built = Operation::build(document, &schemas, operation)
                    .map_err(|e| format!("{} {path}: {e}", method.to_uppercase()))?;
                operations.insert((path.clone(), method.clone()), built);
            }
        }
        Ok(Self {
            routes: route::routes(manifest, document),
            operations,
        })
    }

    /// The name of the operation `method path` is, if the document has it.
    pub fn operation(&self, method: &str, path: &str) -> Option<&str> {
        let route = route::find(&self.routes, method, path)?;
        Some(&self.operations.get(&route.operation)?.name)
    }

    /// The name of the operation one exchange is: where two families share an endpoint (the
    /// oauth family's refresh and the client_credentials family's grant at `POST
    /// /oauth/v1/token`), the first whose request and answer schemas it fits, else the one
    /// [`Contract::operation`] names; `None` for a path no operation has.
    pub fn operation_of(
        &self,
        method: &str,
        path: &str,
        request_body: &[u8],
        status: u16,
        response_body: &[u8],
    ) -> Option<&str> {
        let operations: Vec<&Operation> = route::candidates(&self.routes, method, path)
            .into_iter()
            .filter_map(|route| self.operations.get(&route.operation))
            .collect();
        let fits = operations.iter().find(|operation| {
            self.check_one(operation, method, path, request_body, status, response_body)
                .is_empty()
        });
        fits.or(operations.first())
            .map(|operation| operation.name.as_str())
    }

    /// The violations of one exchange; none for a path no operation has.
    pub fn check(
        &self,
        method: &str,
        path: &str,
        request_body: &[u8],
        status: u16,
        response_body: &[u8],
    ) -> Vec<Violation> {
        let mut first = None;
        for route in route::candidates(&self.routes, method, path) {
            let Some(operation) = self.operations.get(&route.operation) else {
                continue;
            };
            let violations =
                self.check_one(operation, method, path, request_body, status, response_body);
            if violations.is_empty() {
                return violations;
            }
            first.get_or_insert(violations);
        }
        first.unwrap_or_default()
    }

    /// The violations of one exchange taken as `operation`.
    fn check_one(
        &self,
        operation: &Operation,
        method: &str,
        path: &str,
        request_body: &[u8],
        status: u16,
        response_body: &[u8],
    ) -> Vec<Violation> {
        let mut violations = Vec::new();
        let mut report = |direction: String, pointer: String, message: String| {
            violations.push(Violation {
                operation: operation.name.clone(),
                direction,
                request: format!("{} {path}", method.to_uppercase()),
                pointer,
                message,
            });
        };
        let request = operation.request.as_ref();
        let decoded = match request.map(|(encoding, _)| encoding) {
            Some(Encoding::Form) => Some(form_as_json(request_body)),
            _ => None,
        };
        let bytes = decoded.as_deref().unwrap_or(request_body);
        for (pointer, message) in body(request.map(|(_, validator)| validator), bytes) {
            report("request".into(), pointer, message);
        }
        let direction = format!("response {status}");
        match operation.response(status) {
            None => {
                let listed: Vec<&str> = operation.responses.keys().map(String::as_str).collect();
                let message = format!("status {status} is not one of {listed:?}");
                report(direction, String::new(), message);
            }
            Some(validator) => {
                for (pointer, message) in body(validator, response_body) {
                    report(direction.clone(), pointer, message);
                }
            }
        }
        violations
    }
}

impl Operation {
    fn build(document: &Value, schemas: &Value, operation: &Value) -> Result<Self, String> {
        let name = operation["operationId"].as_str().unwrap_or("?").to_owned();
        let request = request_schema(&operation["requestBody"])
            .map(|(encoding, s)| schema::validator(schemas, s).map(|v| (encoding, v)))
            .transpose()?;
        let mut responses = BTreeMap::new();
        for (status, answer) in operation["responses"].as_object().into_iter().flatten() {
            let validator = json_schema(document, answer)
                .map(|s| schema::validator(schemas, s))
                .transpose()?;
            responses.insert(status.clone(), validator);
        }
        Ok(Self {
            name,
            request,
            responses,
        })
    }

    /// The validator of an answer's body with `status`: `Some(None)` for an answer without one,
    /// `None` for a status the operation does not list.
    fn response(&self, status: u16) -> Option<Option<&Validator>> {
        let range = format!("{}XX", status / 100);
        [status.to_string(), range, "default".to_owned()]
            .iter()
            .find_map(|key| self.responses.get(key))
            .map(Option::as_ref)
    }
}

/// How a request body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Json,
    /// `application/x-www-form-urlencoded`: checked as a JSON object of its fields (strings).
    Form,
}

/// The schema of a request body (the operations' bodies are inline), with its encoding.
fn request_schema(body: &Value) -> Option<(Encoding, &Value)> {
    let content = body.get("content")?;
    [
        ("application/json", Encoding::Json),
        ("application/x-www-form-urlencoded", Encoding::Form),
    ]
    .into_iter()
    .find_map(|(media, encoding)| Some((encoding, content.get(media)?.get("schema")?)))
}

/// A form-encoded body as the JSON object of its fields, for its schema (a field given twice
/// is an array, which no form schema allows).
fn form_as_json(bytes: &[u8]) -> Vec<u8> {
    let mut fields = serde_json::Map::new();
    for (name, value) in url::form_urlencoded::parse(bytes) {
        let value = Value::String(value.into_owned());
        match fields.get_mut(name.as_ref()) {
            Some(Value::Array(values)) => values.push(value),
            Some(first) => *first = Value::Array(vec![first.take(), value]),
            None => {
                fields.insert(name.into_owned(), value);
            }
        }
    }
    serde_json::to_vec(&Value::Object(fields)).unwrap_or_default()
}

/// The `application/json` schema of a request body or response object (`$ref`s to
/// `#/components/...` followed), if it has one.
fn json_schema<'a>(document: &'a Value, object: &'a Value) -> Option<&'a Value> {
    let object = match object.get("$ref").and_then(Value::as_str) {
        Some(reference) => document.pointer(reference.strip_prefix('#')?)?,
        None => object,
    };
    object
        .get("content")?
        .get("application/json")?
        .get("schema")
}

/// What is wrong with `bytes` as a body `validator` describes (`None`: no body), as
/// (JSON pointer, message).
fn body(validator: Option<&Validator>, bytes: &[u8]) -> Vec<(String, String)> {
    let Some(validator) = validator else {
        return if bytes.is_empty() {
            Vec::new()
        } else {
            vec![(String::new(), "a body where the spec has none".to_owned())]
        };
    };
    if bytes.is_empty() {
        return vec![(String::new(), "no body where the spec has one".to_owned())];
    }
    let instance: Value = match serde_json::from_slice(bytes) {
        Ok(instance) => instance,
        Err(e) => return vec![(String::new(), format!("not JSON: {e}"))],
    };
    validator
        .iter_errors(&instance)
        .map(|error| (error.instance_path().to_string(), error.to_string()))
        .collect()
}

#[cfg(test)]
mod tests;
