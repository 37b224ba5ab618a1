//! HubSpot's date-versioned paths (`/crm/objects/2026-09/...`, `/crm/properties/2026-09/...`),
//! served over the one store.
//!
//! A date version has the same operations, parameters and bodies as v3/v4 under another
//! prefix, so a request's path is translated to its v3/v4 form before routing: a message
//! created through v3 reads back through 2026-09. Where a version differs, it differs here:
//! the paths it does not publish answer 404, and its association batch archive answers 200
//! where v4 answered 204.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// The date versions the fake serves, oldest first.
pub const DATE_VERSIONS: [&str; 2] = ["2026-03", "2026-09"];

/// Where a request goes.
#[derive(Debug, PartialEq, Eq)]
enum Route {
    /// Not a date-versioned path: routed as it is.
    AsIs,
    /// A date-versioned path's v3/v4 form.
    Translated(String),
    /// A date-versioned path this version does not publish.
    NotPublished,
}

/// The path a client called, before a date-versioned one was translated: HubSpot's messages
/// name the path they were asked (a 2026-09 request's 405 names `/crm/objects/2026-09/…`).
#[derive(Debug, Clone)]
pub(crate) struct CalledPath(pub(crate) String);

/// The middleware: translates date-versioned paths, and answers what a version lacks.
pub(crate) async fn translate(mut request: Request, next: Next) -> Response {
    let called = request.uri().path().to_owned();
    let path = match route(&called) {
        Route::AsIs => return next.run(request).await,
        Route::NotPublished => return not_published(request.uri()),
        Route::Translated(path) => path,
    };
    let is_batch_archive =
        path.starts_with("/crm/v4/associations/") && path.ends_with("/batch/archive");
    let uri = match request.uri().query() {
        Some(query) => format!("{path}?{query}"),
        None => path,
    };
    let Ok(uri) = uri.parse::<Uri>() else {
        return not_published(request.uri());
    };
    *request.uri_mut() = uri;
    request.extensions_mut().insert(CalledPath(called));
    let response = next.run(request).await;
    // v4 answered a batch archive 204; the date versions answer 200.
    if is_batch_archive && response.status() == StatusCode::NO_CONTENT {
        let (mut parts, _) = response.into_parts();
        parts.status = StatusCode::OK;
        return Response::from_parts(parts, Body::empty());
    }
    response
}

fn not_published(uri: &Uri) -> Response {
    ApiError::no_route(uri.path()).into_response()
}

/// The v3/v4 form of a date-versioned path.
fn route(path: &str) -> Route {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (family, version, rest) = match segments.as_slice() {
        [
            "crm",
            family @ ("objects" | "associations" | "properties"),
            version,
            rest @ ..,
        ] => (*family, *version, rest),
        _ => return Route::AsIs,
    };
    if version.starts_with('v') {
        return Route::AsIs;
    }
    let Some(version) = DATE_VERSIONS.iter().copied().find(|v| *v == version) else {
        return Route::NotPublished;
    };
    let translated = match (family, rest) {
        // The Properties API: `/crm/properties/V/{objectType}/…`.
        ("properties", [object_type, ..]) if !object_type.is_empty() => {
            format!("/crm/v3/properties/{}", rest.join("/"))
        }
        // Association batches: `/crm/associations/V/{from}/{to}/batch/{op}`.
        ("associations", [_, _, "batch", _]) => format!("/crm/v4/associations/{}", rest.join("/")),
        // A record's associations: labelled, default, remove, list.
        ("objects", [_, _, "associations", "default", _, _])
        | ("objects", [_, _, "associations", _, _]) => {
            format!("/crm/v4/objects/{}", rest.join("/"))
        }
        // 2026-09 lists a record's associations only through the batch read.
        ("objects", [_, _, "associations", _]) if version == "2026-09" => {
            return Route::NotPublished;
        }
        ("objects", [_, _, "associations", _]) => format!("/crm/v4/objects/{}", rest.join("/")),
        // The guide's typed v3 association path has no date-versioned form.
        ("objects", [_, _, "associations", ..]) => return Route::NotPublished,
        // Objects, generic by type; `0-18` is the communications object type id.
        ("objects", [object_type, tail @ ..]) if !object_type.is_empty() => {
            let object_type = if *object_type == "0-18" {
                "communications"
            } else {
                object_type
            };
            let mut path = format!("/crm/v3/objects/{object_type}");
            for segment in tail {
                path.push('/');
                path.push_str(segment);
            }
            path
        }
        _ => return Route::NotPublished,
    };
    Route::Translated(translated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_versioned_paths_map_to_their_v3_and_v4_forms() {
        // (family, the path past the version, its v3/v4 form).
        let forms = [
            (
                "objects",
                "communications",
                "/crm/v3/objects/communications",
            ),
            ("objects", "0-18/12/", "/crm/v3/objects/communications/12/"),
            (
                "objects",
                "communications/batch/upsert",
                "/crm/v3/objects/communications/batch/upsert",
            ),
            ("objects", "contacts/5", "/crm/v3/objects/contacts/5"),
            (
                "objects",
                "communications/1/associations/contacts/5",
                "/crm/v4/objects/communications/1/associations/contacts/5",
            ),
            (
                "objects",
                "communications/1/associations/default/deals/5",
                "/crm/v4/objects/communications/1/associations/default/deals/5",
            ),
            (
                "associations",
                "communications/contacts/batch/read",
                "/crm/v4/associations/communications/contacts/batch/read",
            ),
            (
                "properties",
                "communications/groups",
                "/crm/v3/properties/communications/groups",
            ),
            (
                "properties",
                "contacts/email",
                "/crm/v3/properties/contacts/email",
            ),
        ];
        for version in DATE_VERSIONS {
            for (family, rest, form) in forms {
                let path = format!("/crm/{family}/{version}/{rest}");
                assert_eq!(route(&path), Route::Translated(form.to_owned()), "{path}");
            }
            // The guide's typed association path is v3's alone.
            assert_eq!(
                route(&format!(
                    "/crm/objects/{version}/communications/1/associations/contacts/5/81"
                )),
                Route::NotPublished
            );
        }
        assert_eq!(
            route("/crm/objects/2026-03/communications/1/associations/contacts"),
            Route::Translated("/crm/v4/objects/communications/1/associations/contacts".to_owned())
        );
        assert_eq!(
            route("/crm/objects/2026-09/communications/1/associations/contacts"),
            Route::NotPublished
        );
    }

    #[test]
    fn other_paths_are_left_alone_or_not_found() {
        let cases = [
            ("/crm/v3/objects/communications", Route::AsIs),
            ("/crm/v4/objects/a/1/associations/b", Route::AsIs),
            ("/oauth/v1/token", Route::AsIs),
            ("/crm/v3/properties/contacts", Route::AsIs),
            ("/crm/objects/2025-09/communications", Route::NotPublished),
            ("/crm/objects/2026-09", Route::NotPublished),
            ("/crm/properties/2026-09", Route::NotPublished),
            ("/crm/objects/2026-09/", Route::NotPublished),
            ("/crm/associations/2026-09/a/b/read", Route::NotPublished),
        ];
        for (path, expected) in cases {
            assert_eq!(route(path), expected, "{path}");
        }
    }
}
