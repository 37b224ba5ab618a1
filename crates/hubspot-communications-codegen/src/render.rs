//! Progenitor and prettyplease: from the patched document to formatted Rust.

use progenitor_impl::{GenerationSettings, Generator, InterfaceStyle, TagStyle, TypeImpl};
use schemars::schema::{InstanceType, SchemaObject};
use serde_json::Value;

use crate::{Error, Manifest, Result};

/// Generates the client for a patched document.
pub fn render(document: &Value, manifest: &Manifest) -> Result<String> {
    let spec: openapiv3::OpenAPI =
        serde_json::from_value(document.clone()).map_err(|e| Error::OpenApi(e.to_string()))?;
    let mut generator = Generator::new(&settings(manifest)?);
    let tokens = generator
        .generate_tokens(&spec)
        .map_err(|e| Error::Progenitor(e.to_string()))?;
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
    for (schema, rust_type) in &manifest.replace {
        // Hand-written types, e.g. enums that keep values HubSpot adds later. They implement
        // Display and FromStr like the enums typify would have generated.
        settings.with_replacement(
            schema,
            rust_type,
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
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
