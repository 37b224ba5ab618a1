//! Which operation of the patched document a request is.
//!
//! The document's paths are relative to a family's base (`/{objectType}/{objectId}` under
//! `/crm/v3/objects`; a namespaced family's under its prefix, `/properties/{objectType}` under
//! `/crm/v3/properties`), so each operation's full templates are rebuilt from the manifest: the
//! `METHOD /path` each source takes (its version and family known), and, for an operation a
//! patch added, every family base of each version in its `x-versions`.

use std::collections::BTreeSet;

use hubspot_communications_codegen::manifest::Manifest;
use serde_json::Value;

/// One full path template of an operation.
#[derive(Debug)]
pub(super) struct Route {
    /// Lower-case method, as the document's keys.
    method: String,
    /// The template's segments, `{…}` for a parameter.
    segments: Vec<String>,
    /// The operation: its relative path and method in the document.
    pub(super) operation: (String, String),
    /// Whether a source of the manifest names this template (else it is a patch-added
    /// operation's, put under every base of its versions: a guess that loses a tie).
    named: bool,
}

impl Route {
    /// How many of the template's segments are literal: the more, the better the match.
    fn literals(&self) -> usize {
        self.segments.iter().filter(|s| !is_parameter(s)).count()
    }

    fn matches(&self, method: &str, segments: &[&str]) -> bool {
        self.method.eq_ignore_ascii_case(method)
            && self.segments.len() == segments.len()
            && self
                .segments
                .iter()
                .zip(segments)
                .all(|(template, actual)| {
                    if is_parameter(template) {
                        !actual.is_empty()
                    } else {
                        template == actual
                    }
                })
    }
}

fn is_parameter(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

fn split(path: &str) -> Vec<&str> {
    path.strip_prefix('/').unwrap_or(path).split('/').collect()
}

/// Every operation's full templates.
pub(super) fn routes(manifest: &Manifest, document: &Value) -> Vec<Route> {
    let paths = document["paths"].as_object().cloned().unwrap_or_default();
    let mut routes = Vec::new();
    // (version, relative path, method) the sources account for.
    let mut covered = BTreeSet::new();
    for source in &manifest.sources {
        let (Some(version), Some(family)) = (&source.version, &source.family) else {
            continue;
        };
        let Some(base) = base(manifest, version, family) else {
            continue;
        };
        for operation in &source.operations {
            let Some((method, full)) = operation.split_once(' ') else {
                continue;
            };
            let method = method.to_ascii_lowercase();
            let Some(relative) = full.strip_prefix(base) else {
                continue;
            };
            // A namespaced family's operations are keyed under its prefix.
            let key = match manifest.namespace(Some(family)) {
                Some(prefix) => format!("{prefix}{relative}"),
                None => relative.to_owned(),
            };
            if paths.get(&key).and_then(|p| p.get(&method)).is_some() {
                covered.insert((version.clone(), key.clone(), method.clone()));
                routes.push(route(&method, full, &key, true));
            }
        }
    }
    for (relative, item) in &paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, operation) in item {
            let versions = operation["x-versions"].as_array().into_iter().flatten();
            for version in versions.filter_map(Value::as_str) {
                let key = (version.to_owned(), relative.clone(), method.clone());
                if covered.contains(&key) {
                    continue;
                }
                // Added by a patch: its family is not recorded, so every base of the version
                // (a namespaced one's only, if the path is under its prefix).
                let client_path = manifest.client_path(relative);
                let prefix = relative.strip_suffix(client_path);
                let prefix = prefix.filter(|p| !p.is_empty());
                let bases = manifest.versions.iter().filter(|v| v.name == version);
                for (family, base) in bases.flat_map(|v| v.families.iter()) {
                    if manifest.namespace(Some(family)) != prefix {
                        continue;
                    }
                    let full = format!("{base}{client_path}");
                    routes.push(route(method, &full, relative, false));
                }
            }
        }
    }
    routes
}

fn base<'a>(manifest: &'a Manifest, version: &str, family: &str) -> Option<&'a str> {
    let version = manifest.versions.iter().find(|v| v.name == version)?;
    version.families.get(family).map(String::as_str)
}

fn route(method: &str, full: &str, relative: &str, named: bool) -> Route {
    Route {
        method: method.to_owned(),
        segments: split(full).into_iter().map(str::to_owned).collect(),
        operation: (relative.to_owned(), method.to_owned()),
        named,
    }
}

/// The route `method path` takes, the most literal one where several match; of equally
/// literal ones, one a source names (the patch-added typed v3 association path, put under every
/// base of v3, would otherwise take v4's default association PUT, as literal as it), then the
/// first family's in the manifest (two families' operations at one endpoint).
pub(super) fn find<'a>(routes: &'a [Route], method: &str, path: &str) -> Option<&'a Route> {
    candidates(routes, method, path).into_iter().next()
}

/// Every route `method path` may take: the most literal ones. Two families may share one
/// endpoint (the oauth family's refresh and the client_credentials family's grant are both
/// `POST /oauth/v1/token`): the exchange is then whichever of their operations it fits.
pub(super) fn candidates<'a>(routes: &'a [Route], method: &str, path: &str) -> Vec<&'a Route> {
    let segments = split(path);
    let matching: Vec<&Route> = routes
        .iter()
        .filter(|route| route.matches(method, &segments))
        .collect();
    let most = matching.iter().map(|route| route.literals()).max();
    let mut best: Vec<&Route> = matching
        .into_iter()
        .filter(|route| Some(route.literals()) == most)
        .collect();
    // Of equally literal routes, those a source names first (stable: manifest order after).
    best.sort_by_key(|route| !route.named);
    best
}
