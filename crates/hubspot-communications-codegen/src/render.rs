//! Progenitor and prettyplease: from the patched document to formatted Rust.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use progenitor_impl::{GenerationSettings, Generator, InterfaceStyle, TagStyle, TypeImpl};
use quote::{format_ident, quote};
use schemars::schema::{InstanceType, SchemaObject};
use serde_json::Value;

use crate::{Error, Manifest, Result};

/// The function progenitor's generated code encodes each path parameter with.
const PROGENITOR_ENCODER: &str = "encode_path";

/// Generates the client for a patched document.
pub fn render(document: &Value, manifest: &Manifest) -> Result<String> {
    let spec: openapiv3::OpenAPI =
        serde_json::from_value(document.clone()).map_err(|e| Error::OpenApi(e.to_string()))?;
    let mut generator = Generator::new(&settings(manifest)?);
    let mut tokens = generator
        .generate_tokens(&spec)
        .map_err(|e| Error::Progenitor(e.to_string()))?;
    let paths = if manifest.path_encoder.is_some() || manifest.operation_paths {
        operation_paths(&spec, manifest)?
    } else {
        BTreeMap::new()
    };
    if !manifest.namespaces.is_empty() {
        // The document keys a namespaced family's operations under its prefix (its relative
        // paths are another family's); its client is built on the family's base URL, so the
        // URL it sends leaves the prefix out. Made on tokens, like the encoder's replacement,
        // and counted: one URL per namespaced operation, or progenitor builds URLs otherwise.
        let namespaced = operations(&spec)?
            .iter()
            .filter(|(_, path, _)| manifest.client_path(path) != *path)
            .count();
        let mut rewritten = 0;
        tokens = strip_namespaces(tokens, manifest, &mut rewritten);
        if rewritten != namespaced {
            return Err(Error::Progenitor(format!(
                "[namespace] is set, but the generated code builds the URLs of the {namespaced} \
                 namespaced operations in {rewritten} `format!(\"{{}}/…\")` strings: find how \
                 progenitor builds URLs now and update render.rs"
            )));
        }
    }
    if let Some(encoder) = &manifest.path_encoder {
        // progenitor_client's `encode_path` leaves `\` as it is, which URL parsers read as
        // `/` in http(s) URLs: a parameter could leave its segment. The replacement is made on
        // tokens, so it cannot touch a string or a comment that happens to hold the name.
        let replacement: TokenStream = encoder
            .parse()
            .map_err(|e| Error::Progenitor(format!("path_encoder `{encoder}`: {e}")))?;
        let mut calls = Calls::default();
        tokens = replace_calls(tokens, PROGENITOR_ENCODER, &replacement, &mut calls);
        // One call per path parameter of each operation, or some parameter is encoded another
        // way: a progenitor that changed must not silently bypass our encoder.
        let parameters: usize = paths.values().map(|path| path.matches('{').count()).sum();
        if calls.qualified > 0 || calls.replaced != parameters {
            return Err(Error::Progenitor(format!(
                "path_encoder is set, but the generated code does not encode each of the \
                 {parameters} path parameters by one `{PROGENITOR_ENCODER}(…)` call ({} calls \
                 through a path, {} plain): find how progenitor encodes them now and update \
                 render.rs",
                calls.qualified, calls.replaced
            )));
        }
    }
    if manifest.operation_paths {
        check_operation_ids(&paths, &tokens)?;
        tokens.extend(operation_paths_table(&paths));
    }
    if let Some(table) = &manifest.version_table {
        tokens.extend(api_versions_table(&spec, manifest, table)?);
    }
    let file: syn::File = syn::parse2(tokens).map_err(|e| Error::Syntax(e.to_string()))?;
    Ok(prettyplease::unparse(&file))
}

/// The progenitor settings, each with its reason.
fn settings(manifest: &Manifest) -> Result<GenerationSettings> {
    let mut settings = GenerationSettings::new();
    settings
        // Builders name every parameter at the call site and let new optional query
        // parameters arrive without breaking callers.
        .with_interface(InterfaceStyle::Builder)
        // One `Client` with every operation on it; HubSpot's tags (Basic, Batch, Search) are
        // not a useful split for a merged client.
        .with_tag(TagStyle::Merged)
        // Ordered maps: deterministic output and deterministic JSON bodies (the facade's
        // request snapshots depend on it).
        .with_map_type("::std::collections::BTreeMap")
        // Equality lets tests and users compare values.
        .with_derive("PartialEq");
    for (schema, replacement) in &manifest.replace {
        // Hand-written types, e.g. enums that keep values HubSpot adds later, or structs whose
        // Debug hides a secret; with the traits they implement (an enum: Display and FromStr,
        // like the enums typify would have generated). A replaced struct gets no builder: an
        // operation takes it whole (`body(value)`, no `body_map`).
        let impls = replacement
            .impls()
            .map_err(|e| Error::Progenitor(format!("[replace] {schema}: {e}")))?;
        settings.with_replacement(schema, replacement.rust_type(), impls.into_iter());
    }
    for (format, rust_type) in &manifest.formats {
        // Hand-written types for a string format, e.g. a date-time that decodes faster than
        // chrono's lenient parser. Every `type: string` schema of that format becomes the type.
        let schema = SchemaObject {
            instance_type: Some(InstanceType::String.into()),
            format: Some(format.clone()),
            ..SchemaObject::default()
        };
        settings.with_conversion(
            schema,
            rust_type,
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    if let Some(inner) = &manifest.inner_type {
        // State the client carries for its hooks (e.g. headers to add to every request, which
        // a caller's own `reqwest::Client` cannot be given after it is built).
        let tokens = inner
            .parse()
            .map_err(|e| Error::Progenitor(format!("inner_type `{inner}`: {e}")))?;
        settings.with_inner_type(tokens);
    }
    Ok(settings)
}

/// Every operation of the spec: its operationId, its path template (as the spec writes it),
/// and the operation.
fn operations(spec: &openapiv3::OpenAPI) -> Result<Vec<(String, &str, &openapiv3::Operation)>> {
    let mut all = Vec::new();
    for (path, item) in spec.paths.iter() {
        let Some(item) = item.as_item() else {
            return Err(Error::OpenApi(format!("path `{path}` is a reference")));
        };
        for (method, operation) in item.iter() {
            let id = operation.operation_id.clone().ok_or_else(|| {
                Error::OpenApi(format!(
                    "`{} {path}` has no operationId",
                    method.to_uppercase()
                ))
            })?;
            all.push((id, path.as_str(), operation));
        }
    }
    Ok(all)
}

/// Every operation's path template as the client sends it (the spec's, without a family's
/// namespace prefix), by operationId.
fn operation_paths(
    spec: &openapiv3::OpenAPI,
    manifest: &Manifest,
) -> Result<BTreeMap<String, String>> {
    Ok(operations(spec)?
        .into_iter()
        .map(|(id, path, _)| (id, manifest.client_path(path).to_owned()))
        .collect())
}

/// Removes each family's namespace prefix from the URLs progenitor builds (the string
/// literal of `format!("{}/properties/{}", client.baseurl, …)` becomes `"{}/{}"`) and from
/// its doc comments (`` request to `/properties/{objectType}` ``), counting the URLs.
fn strip_namespaces(
    tokens: TokenStream,
    manifest: &Manifest,
    rewritten: &mut usize,
) -> TokenStream {
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(group) => {
                let mut inner = Group::new(
                    group.delimiter(),
                    strip_namespaces(group.stream(), manifest, rewritten),
                );
                inner.set_span(group.span());
                TokenTree::Group(inner)
            }
            TokenTree::Literal(literal) => {
                let Ok(syn::Lit::Str(text)) = syn::parse_str::<syn::Lit>(&literal.to_string())
                else {
                    return TokenTree::Literal(literal);
                };
                let value = text.value();
                let mut changed = value.clone();
                for prefix in manifest.namespaces.values() {
                    let url = format!("{{}}{prefix}/");
                    if let Some(rest) = changed.strip_prefix(&url) {
                        changed = format!("{{}}/{rest}");
                        *rewritten += 1;
                    }
                    changed = changed.replace(&format!("`{prefix}/"), "`/");
                }
                if changed == value {
                    return TokenTree::Literal(literal);
                }
                let mut replaced = proc_macro2::Literal::string(&changed);
                replaced.set_span(literal.span());
                TokenTree::Literal(replaced)
            }
            other => other,
        })
        .collect()
}

/// The table the raw client's request hook checks every URL against: a parameter value such
/// as `..` or `.` cannot be encoded into a segment (URL parsers remove dot segments, encoded
/// or not), so the client must see that the URL lost or gained a segment and refuse it.
fn operation_paths_table(paths: &BTreeMap<String, String>) -> TokenStream {
    let entries = paths.iter().map(|(id, path)| quote! { (#id, #path) });
    quote! {
        /// Every operation's path template, `(operationId, template)` with each path
        /// parameter a whole `{name}` segment, sorted by operationId (the `operation_id` of
        /// `OperationInfo`). The client's request hook checks each request's URL against it.
        pub const OPERATION_PATHS: &[(&str, &str)] = &[#(#entries),*];
    }
}

/// `API_VERSIONS`: for each version of the manifest (sorted by name), the base path of each
/// family and the operations the version has (from each operation's `x-versions`, which the
/// merge writes and a patch that adds an operation states), sorted. A client built on a
/// family's base URL then calls the family's version-relative operations.
fn api_versions_table(
    spec: &openapiv3::OpenAPI,
    manifest: &Manifest,
    table: &str,
) -> Result<TokenStream> {
    let ty: TokenStream = table
        .parse()
        .map_err(|e| Error::Progenitor(format!("version_table `{table}`: {e}")))?;
    let mut by_version: BTreeMap<&str, BTreeSet<String>> = manifest
        .versions
        .iter()
        .map(|version| (version.name.as_str(), BTreeSet::new()))
        .collect();
    for (id, _, operation) in operations(spec)? {
        let versions = operation
            .extensions
            .get(crate::merge::VERSIONS_EXTENSION)
            .and_then(Value::as_array)
            .filter(|versions| !versions.is_empty())
            .ok_or_else(|| Error::UnversionedOperation(id.clone()))?;
        for version in versions {
            let set = version
                .as_str()
                .and_then(|name| by_version.get_mut(name))
                .ok_or_else(|| {
                    Error::OpenApi(format!(
                        "operation `{id}` lists an unknown version {version}"
                    ))
                })?;
            set.insert(id.clone());
        }
    }
    let mut versions: Vec<_> = manifest.versions.iter().collect();
    versions.sort_by(|a, b| a.name.cmp(&b.name));
    let mut rows = Vec::with_capacity(versions.len());
    for version in versions {
        let name = &version.name;
        let mut fields = Vec::with_capacity(version.families.len());
        for (family, base) in &version.families {
            syn::parse_str::<syn::Ident>(family).map_err(|_| {
                Error::Progenitor(format!("family `{family}` is not a Rust field name"))
            })?;
            let field = format_ident!("{family}");
            fields.push(quote! { #field: #base });
        }
        let ids = &by_version[name.as_str()];
        rows.push(quote! {
            #ty { name: #name, #(#fields,)* operations: &[#(#ids),*] }
        });
    }
    Ok(quote! {
        /// Every API version the client speaks, sorted by name: the base path of each family
        /// of operations (a client for that family is built on host + base path) and the
        /// operations (by name, sorted) the version has.
        pub const API_VERSIONS: &[#ty] = &[#(#rows),*];
    })
}

/// Makes sure the table can be checked: every parameter is a whole segment, and every
/// operationId is the name progenitor gives the hook (it converts ids to snake case).
fn check_operation_ids(paths: &BTreeMap<String, String>, tokens: &TokenStream) -> Result<()> {
    for (id, path) in paths {
        let mixed = path.split('/').any(|segment| {
            let braces = segment.contains('{') || segment.contains('}');
            let whole = segment.len() > 2
                && segment.starts_with('{')
                && segment.ends_with('}')
                && segment[1..segment.len() - 1]
                    .chars()
                    .all(|c| c != '{' && c != '}');
            braces && !whole
        });
        if mixed {
            return Err(Error::UncheckablePath {
                operation: id.clone(),
                path: path.clone(),
            });
        }
    }
    let mut hooked = BTreeSet::new();
    operation_id_literals(tokens.clone(), &mut hooked);
    let listed: BTreeSet<String> = paths.keys().cloned().collect();
    if hooked != listed {
        let odd: Vec<&String> = listed.symmetric_difference(&hooked).collect();
        return Err(Error::Progenitor(format!(
            "the operationIds of the spec and those progenitor passes to the hooks differ \
             ({odd:?}): name the operations in snake case in a patch"
        )));
    }
    Ok(())
}

/// The string literals that follow `operation_id:` (the `OperationInfo` of each operation).
fn operation_id_literals(tokens: TokenStream, found: &mut BTreeSet<String>) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Group(group) => operation_id_literals(group.stream(), found),
            TokenTree::Ident(ident) if ident == "operation_id" => {
                let colon =
                    matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == ':');
                if let (true, Some(TokenTree::Literal(literal))) = (colon, trees.get(i + 2))
                    && let Ok(syn::Lit::Str(s)) = syn::parse_str::<syn::Lit>(&literal.to_string())
                {
                    found.insert(s.value());
                }
            }
            _ => {}
        }
    }
}

/// The calls [`replace_calls`] met.
#[derive(Default)]
struct Calls {
    /// `name(…)`, replaced.
    replaced: usize,
    /// `path::name(…)`, left alone (the caller refuses them).
    qualified: usize,
}

/// Replaces every call `name(…)` by `replacement(…)`, in groups and macro arguments too (the
/// URL is built inside `format!`). A `name` not followed by arguments (an import) is left
/// alone, and so is a call through a path, which is counted.
fn replace_calls(
    tokens: TokenStream,
    name: &str,
    replacement: &TokenStream,
    calls: &mut Calls,
) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = TokenStream::new();
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Group(group) => {
                let mut inner = Group::new(
                    group.delimiter(),
                    replace_calls(group.stream(), name, replacement, calls),
                );
                inner.set_span(group.span());
                out.extend([TokenTree::Group(inner)]);
            }
            TokenTree::Ident(ident) if ident == name => {
                let called = matches!(trees.get(i + 1), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis);
                let after_path =
                    i > 0 && matches!(&trees[i - 1], TokenTree::Punct(p) if p.as_char() == ':');
                if called && !after_path {
                    out.extend(replacement.clone());
                    calls.replaced += 1;
                } else {
                    calls.qualified += usize::from(called);
                    out.extend([tree.clone()]);
                }
            }
            _ => out.extend([tree.clone()]),
        }
    }
    out
}
