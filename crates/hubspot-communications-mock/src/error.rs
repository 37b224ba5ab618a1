//! HubSpot's error answers: `{status, message, correlationId, category, errors?, context?}`.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An error answer in HubSpot's shape.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    status: StatusCode,
    body: Value,
    retry_after: Option<u64>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, category: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: json!({
                "status": "error",
                "message": message.into(),
                "correlationId": uuid::Uuid::new_v4().to_string(),
                "category": category,
            }),
            retry_after: None,
        }
    }

    pub(crate) fn validation(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "OBJECT_NOT_FOUND", message)
    }

    /// HubSpot's 404 for a path it serves nothing at (a date version's unpublished paths too).
    pub(crate) fn no_route(path: &str) -> Self {
        Self::not_found(format!("No route for {path}"))
    }

    /// HubSpot's 409: a write would repeat a value of a unique property.
    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "CONFLICT", message)
    }

    /// HubSpot's 403 for a token that lacks a scope the call needs: the scopes in
    /// `errors[].context.requiredGranularScopes`.
    pub(crate) fn missing_scopes(scopes: &[String]) -> Self {
        let mut error = Self::new(
            StatusCode::FORBIDDEN,
            "MISSING_SCOPES",
            "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
        );
        error.body["errors"] = json!([{
            "message": "One or more of the following scopes are required.",
            "context": {"requiredGranularScopes": scopes},
        }]);
        error.body["links"] = json!({"scopes": "https://developers.hubspot.com/scopes"});
        error
    }

    /// A batch's per-item error as the answer to the whole batch (a batch create without
    /// unique `objectWriteTraceId`s): its category's status (409 `CONFLICT`, 404
    /// `OBJECT_NOT_FOUND`, else 400), message and context.
    pub(crate) fn from_item(item: &Value) -> Self {
        let category = item["category"].as_str().unwrap_or("VALIDATION_ERROR");
        let status = match category {
            "CONFLICT" => StatusCode::CONFLICT,
            "OBJECT_NOT_FOUND" => StatusCode::NOT_FOUND,
            _ => StatusCode::BAD_REQUEST,
        };
        let mut error = Self::new(
            status,
            category,
            item["message"].as_str().unwrap_or_default(),
        );
        if let Some(context) = item
            .get("context")
            .filter(|c| c.as_object().is_some_and(|c| !c.is_empty()))
        {
            error.body["context"] = context.clone();
        }
        error
    }

    /// An answer of any status and category in HubSpot's shape.
    pub(crate) fn status(status: u16, category: &str, message: impl Into<String>) -> Self {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
        Self::new(status, category, message)
    }

    /// An extractor's refusal (a body that could not be read, a path that is not UTF-8), with
    /// its status and text.
    pub(crate) fn rejected(status: StatusCode, message: impl Into<String>) -> Self {
        let category = if status.is_server_error() {
            "INTERNAL_ERROR"
        } else {
            "VALIDATION_ERROR"
        };
        Self::new(status, category, message)
    }

    /// The answer's message.
    pub(crate) fn message(&self) -> String {
        self.body["message"].as_str().unwrap_or_default().to_owned()
    }

    /// Adds a per-field detail.
    pub(crate) fn detail(mut self, field: &str, code: &str, message: impl Into<String>) -> Self {
        let detail = json!({"message": message.into(), "in": field, "code": code});
        match self.body["errors"].as_array_mut() {
            Some(errors) => errors.push(detail),
            None => self.body["errors"] = json!([detail]),
        }
        self
    }

    /// A refusal of HubSpot's OAuth token endpoint: the error's code (`BAD_REFRESH_TOKEN`)
    /// in `status`, where the CRM endpoints write `error`.
    pub(crate) fn oauth(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: json!({
                "status": code,
                "message": message.into(),
                "correlationId": uuid::Uuid::new_v4().to_string(),
            }),
            retry_after: None,
        }
    }

    /// HubSpot's 429: no `category`, but `errorType` and `policyName`.
    pub(crate) fn rate_limited(policy: &str, retry_after_secs: u64) -> Self {
        Self {
            status: StatusCode::TOO_MANY_REQUESTS,
            body: json!({
                "status": "error",
                "message": format!("You have reached your {} limit.", policy.to_ascii_lowercase()),
                "errorType": "RATE_LIMIT",
                "correlationId": uuid::Uuid::new_v4().to_string(),
                "policyName": policy,
                "groupName": "publicapi:private-app-api-calls",
            }),
            retry_after: Some(retry_after_secs),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(seconds));
        }
        response
    }
}

/// A per-item error of a batch answer (`StandardError`).
pub(crate) fn item_error(category: &str, message: impl Into<String>, context: Value) -> Value {
    json!({"status": "error", "category": category, "message": message.into(), "context": context})
}
