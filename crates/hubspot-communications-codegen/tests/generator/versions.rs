//! Version-relative generation: each source's family base is stripped, an operation several
//! versions share is generated once, and `API_VERSIONS` says which version has what. On
//! small specs of our own, written by the tests.

use hubspot_communications_codegen::render::render;
use hubspot_communications_codegen::{Error, Manifest, patched_document};
use serde_json::{Value, json};

const MANIFEST: &str = r#"
version_table = "crate::ApiVersionPaths"

[info]
title = "t"
version = "v"

[[version]]
name = "v1"
notes = "/api/v1/notes"

[[version]]
name = "2026-01"
notes = "/api/notes/2026-01"

[[source]]
file = "v1.json"
version = "v1"
family = "notes"
operations = ["GET /api/v1/notes/{noteId}", "POST /api/v1/notes/batch"]

[[source]]
file = "2026-01.json"
version = "2026-01"
family = "notes"
operations = ["GET /api/notes/2026-01/{noteId}", "POST /api/notes/2026-01/batch", "DELETE /api/notes/2026-01/{noteId}"]
"#;

fn note() -> Value {
    json!({"type": "object", "required": ["id"], "properties": {
        "id": {"type": "string"},
        "properties": {"type": "object", "additionalProperties": {"type": "string"}}
    }})
}

/// One version's file: the same operations under `base`, with version-specific names, prose
/// and security, as HubSpot publishes them.
fn spec(base: &str, version: &str) -> Value {
    let get = json!({
        "operationId": format!("get-{base}/{{noteId}}_getById"),
        "summary": format!("Read ({version})"),
        "security": [{"oauth2": [version]}],
        "parameters": [{"name": "noteId", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": version, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Note"}}}}}
    });
    let batch = json!({
        "operationId": format!("post-{base}/batch"),
        "requestBody": {"content": {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}}},
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Note"}}}}}
    });
    let delete = json!({
        "operationId": "delete",
        "parameters": [{"name": "noteId", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"204": {"description": "gone"}}
    });
    json!({
        "openapi": "3.0.1",
        "info": {"title": "Notes", "version": version},
        "paths": {
            format!("{base}/{{noteId}}"): {"get": get, "delete": delete},
            format!("{base}/batch"): {"post": batch}
        },
        "components": {"schemas": {"Note": note(), "Unreached": {"type": "integer", "description": version}}}
    })
}

struct Scratch {
    spec: tempfile::TempDir,
    upstream: tempfile::TempDir,
}

fn scratch(manifest: &str, v1: Value, v2026: Value, patch: Option<Value>) -> Scratch {
    let spec = tempfile::tempdir().unwrap();
    let upstream = tempfile::tempdir().unwrap();
    let mut manifest = manifest.to_owned();
    if let Some(patch) = patch {
        std::fs::create_dir(spec.path().join("patches")).unwrap();
        std::fs::write(spec.path().join("patches/p.json"), patch.to_string()).unwrap();
        manifest = format!("patches = [\"p.json\"]\n{manifest}");
    }
    std::fs::write(spec.path().join("client.toml"), manifest).unwrap();
    std::fs::write(upstream.path().join("v1.json"), v1.to_string()).unwrap();
    std::fs::write(upstream.path().join("2026-01.json"), v2026.to_string()).unwrap();
    Scratch { spec, upstream }
}

fn names() -> Value {
    json!([
        {"op": "replace", "path": "/paths/~1{noteId}/get/operationId", "value": "get_note", "reason": "a name"},
        {"op": "replace", "path": "/paths/~1{noteId}/delete/operationId", "value": "delete_note", "reason": "a name"},
        {"op": "replace", "path": "/paths/~1batch/post/operationId", "value": "batch_notes", "reason": "a name"}
    ])
}

fn document(s: &Scratch) -> Result<Value, Error> {
    patched_document(s.spec.path(), s.upstream.path())
}

#[test]
fn shared_operations_are_merged_once_with_their_versions() {
    let s = scratch(
        MANIFEST,
        spec("/api/v1/notes", "v1"),
        spec("/api/notes/2026-01", "2026-01"),
        None,
    );
    let doc = document(&s).unwrap();
    let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    assert_eq!(paths, ["/batch", "/{noteId}"]);
    assert_eq!(
        doc["paths"]["/{noteId}"]["get"]["x-versions"],
        json!(["v1", "2026-01"])
    );
    // Only 2026-01 selects the delete.
    assert_eq!(
        doc["paths"]["/{noteId}"]["delete"]["x-versions"],
        json!(["2026-01"])
    );
    // The first version's prose is kept; unreached schemas are not carried (nor compared).
    assert_eq!(doc["paths"]["/{noteId}"]["get"]["summary"], "Read (v1)");
    assert!(doc["components"]["schemas"].get("Unreached").is_none());
}

#[test]
fn the_version_table_lists_each_versions_bases_and_operations() {
    let s = scratch(
        MANIFEST,
        spec("/api/v1/notes", "v1"),
        spec("/api/notes/2026-01", "2026-01"),
        Some(names()),
    );
    let doc = document(&s).unwrap();
    let manifest = Manifest::load(&s.spec.path().join("client.toml")).unwrap();
    let code = render(&doc, &manifest).unwrap();
    let table = &code[code.find("pub const API_VERSIONS").expect("a table")..];
    insta::assert_snapshot!("api_versions", table);
    // Each operation once.
    assert_eq!(code.matches("pub fn get_note(").count(), 1);
}

#[test]
fn responses_are_the_union_of_every_versions_statuses() {
    let mut v1 = spec("/api/v1/notes", "v1");
    v1["paths"]["/api/v1/notes/batch"]["post"]["responses"]["207"] = json!({"description": "partial", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Note"}}}});
    let s = scratch(
        MANIFEST,
        v1.clone(),
        spec("/api/notes/2026-01", "2026-01"),
        None,
    );
    let doc = document(&s).unwrap();
    let statuses: Vec<&String> = doc["paths"]["/batch"]["post"]["responses"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(statuses, ["200", "207"]);

    // A status both define, differently, is refused.
    let mut other = spec("/api/notes/2026-01", "2026-01");
    other["paths"]["/api/notes/2026-01/batch"]["post"]["responses"]["207"] =
        json!({"description": "partial"});
    let s = scratch(MANIFEST, v1, other, None);
    let error = document(&s).unwrap_err();
    assert!(
        matches!(&error, Error::OperationConflict { operation, what, .. } if operation == "POST /batch" && what.contains("207")),
        "{error}"
    );
}

#[test]
fn operations_that_differ_beyond_prose_are_refused() {
    let mut other = spec("/api/notes/2026-01", "2026-01");
    other["paths"]["/api/notes/2026-01/{noteId}"]["get"]["parameters"][0]["schema"] =
        json!({"type": "integer"});
    let s = scratch(MANIFEST, spec("/api/v1/notes", "v1"), other, None);
    let error = document(&s).unwrap_err();
    assert!(
        matches!(&error, Error::OperationConflict { operation, first, second, what } if operation == "GET /{noteId}" && first == "v1.json" && second == "2026-01.json" && what.contains("parameters")),
        "{error}"
    );
}

#[test]
fn a_patch_of_one_source_makes_its_version_agree_before_the_merge() {
    // 2026-01 reads the id as an integer: the merge refuses it (above) unless a patch of that
    // source alone mends it first; a patch listed for the source must also apply to it.
    let mut other = spec("/api/notes/2026-01", "2026-01");
    other["paths"]["/api/notes/2026-01/{noteId}"]["get"]["parameters"][0]["schema"] =
        json!({"type": "integer"});
    let manifest = MANIFEST.replacen(
        "file = \"2026-01.json\"\n",
        "file = \"2026-01.json\"\npatches = [\"s.json\"]\n",
        1,
    );
    let s = scratch(&manifest, spec("/api/v1/notes", "v1"), other, None);
    std::fs::create_dir(s.spec.path().join("patches")).unwrap();
    let mend = json!([{"op": "replace", "path": "/paths/~1api~1notes~12026-01~1{noteId}/get/parameters/0/schema", "value": {"type": "string"}, "reason": "the same id"}]);
    std::fs::write(s.spec.path().join("patches/s.json"), mend.to_string()).unwrap();
    let doc = document(&s).unwrap();
    assert_eq!(
        doc["paths"]["/{noteId}"]["get"]["x-versions"],
        json!(["v1", "2026-01"])
    );

    // Without its reason, the source's patch is refused like any other.
    let unexplained =
        json!([{"op": "remove", "path": "/paths/~1api~1notes~12026-01~1{noteId}/delete"}]);
    std::fs::write(
        s.spec.path().join("patches/s.json"),
        unexplained.to_string(),
    )
    .unwrap();
    assert!(matches!(
        document(&s).unwrap_err(),
        Error::UnexplainedPatch { file, index: 0 } if file == "s.json"
    ));
}

#[test]
fn schemas_widen_by_optional_properties_and_nullable_only() {
    let mut other = spec("/api/notes/2026-01", "2026-01");
    let note = &mut other["components"]["schemas"]["Note"];
    note["properties"]["errors"] = json!({"type": "array", "items": {"type": "string"}});
    note["properties"]["properties"]["additionalProperties"]["nullable"] = json!(true);
    let s = scratch(MANIFEST, spec("/api/v1/notes", "v1"), other.clone(), None);
    let merged = &document(&s).unwrap()["components"]["schemas"]["Note"];
    assert_eq!(merged["properties"]["errors"]["type"], "array");
    assert_eq!(
        merged["properties"]["properties"]["additionalProperties"]["nullable"],
        true
    );
    assert_eq!(merged["required"], json!(["id"]));

    // A property one version requires and the other lacks cannot be widened.
    other["components"]["schemas"]["Note"]["required"] = json!(["id", "errors"]);
    let s = scratch(MANIFEST, spec("/api/v1/notes", "v1"), other, None);
    let error = document(&s).unwrap_err();
    assert!(
        matches!(&error, Error::SchemaConflict { name, .. } if name == "schemas/Note"),
        "{error}"
    );
}

#[test]
fn an_operation_a_patch_adds_must_name_its_versions() {
    let mut patch = names();
    let added = json!({"put": {"operationId": "pin_note", "parameters": [{"name": "noteId", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"204": {"description": "pinned"}}}});
    patch.as_array_mut().unwrap().push(json!({"op": "add", "path": "/paths/~1{noteId}~1pin", "value": added, "reason": "the guide has it"}));
    let s = scratch(
        MANIFEST,
        spec("/api/v1/notes", "v1"),
        spec("/api/notes/2026-01", "2026-01"),
        Some(patch.clone()),
    );
    let manifest = Manifest::load(&s.spec.path().join("client.toml")).unwrap();
    let error = render(&document(&s).unwrap(), &manifest).unwrap_err();
    assert!(
        matches!(&error, Error::UnversionedOperation(id) if id == "pin_note"),
        "{error}"
    );

    patch[3]["value"]["put"]["x-versions"] = json!(["v1"]);
    let s = scratch(
        MANIFEST,
        spec("/api/v1/notes", "v1"),
        spec("/api/notes/2026-01", "2026-01"),
        Some(patch),
    );
    let code = render(&document(&s).unwrap(), &manifest).unwrap();
    let v1 = &code[code.find("name: \"v1\"").unwrap()..];
    assert!(v1.contains("\"pin_note\""), "{v1}");
    let v2026 = &code[code.find("name: \"2026-01\"").unwrap()..code.find("name: \"v1\"").unwrap()];
    assert!(!v2026.contains("\"pin_note\""), "{v2026}");
}

#[test]
fn the_manifest_ties_every_source_to_a_version_and_a_family() {
    let cases = [
        (
            MANIFEST.replacen("version = \"v1\"\nfamily", "family", 1),
            "every source names its `version` and `family`",
        ),
        (
            MANIFEST.replace("family = \"notes\"", "family = \"links\""),
            "has no family `links`",
        ),
        (
            MANIFEST.replace("GET /api/v1/notes/{noteId}", "GET /api/v2/notes/{noteId}"),
            "does not lie under its family's base `/api/v1/notes`",
        ),
        (
            MANIFEST.replacen(
                "notes = \"/api/v1/notes\"",
                "notes = \"/api/v1/notes\"\nlinks = \"/api/v1/links\"",
                1,
            ),
            "does not declare the same families",
        ),
    ];
    for (manifest, message) in cases {
        let s = scratch(
            &manifest,
            spec("/api/v1/notes", "v1"),
            spec("/api/notes/2026-01", "2026-01"),
            None,
        );
        let error = document(&s).unwrap_err().to_string();
        assert!(error.contains(message), "{error}");
    }
}

/// Two families whose relative paths are the same (as HubSpot's properties and objects APIs):
/// `notes` and `tags`, each with `GET /{noteId}`, `DELETE /{noteId}` and `POST /batch`.
fn two_families(namespace: &str) -> (tempfile::TempDir, tempfile::TempDir) {
    let manifest = format!(
        r#"
operation_paths = true
path_encoder = "crate::path::encode_segment"
version_table = "crate::ApiVersionPaths"
{namespace}
[info]
title = "t"
version = "v"

[[version]]
name = "v1"
notes = "/api/v1/notes"
tags = "/api/v1/tags"

[[version]]
name = "2026-01"
notes = "/api/notes/2026-01"
tags = "/api/tags/2026-01"

[[source]]
file = "notes-v1.json"
version = "v1"
family = "notes"
operations = ["GET /api/v1/notes/{{noteId}}", "DELETE /api/v1/notes/{{noteId}}", "POST /api/v1/notes/batch"]

[[source]]
file = "notes-2026-01.json"
version = "2026-01"
family = "notes"
operations = ["GET /api/notes/2026-01/{{noteId}}", "POST /api/notes/2026-01/batch"]

[[source]]
file = "tags-v1.json"
version = "v1"
family = "tags"
operations = ["GET /api/v1/tags/{{noteId}}", "DELETE /api/v1/tags/{{noteId}}", "POST /api/v1/tags/batch"]

[[source]]
file = "tags-2026-01.json"
version = "2026-01"
family = "tags"
operations = ["GET /api/tags/2026-01/{{noteId}}", "POST /api/tags/2026-01/batch"]
"#
    );
    let spec_dir = tempfile::tempdir().unwrap();
    let upstream = tempfile::tempdir().unwrap();
    let names = json!([
        {"op": "replace", "path": "/paths/~1{noteId}/get/operationId", "value": "get_note", "reason": "a name"},
        {"op": "replace", "path": "/paths/~1{noteId}/delete/operationId", "value": "delete_note", "reason": "a name"},
        {"op": "replace", "path": "/paths/~1batch/post/operationId", "value": "batch_notes", "reason": "a name"},
        {"op": "replace", "path": "/paths/~1tags~1{noteId}/get/operationId", "value": "get_tag", "reason": "a name"},
        {"op": "replace", "path": "/paths/~1tags~1{noteId}/delete/operationId", "value": "delete_tag", "reason": "a name"},
        {"op": "replace", "path": "/paths/~1tags~1batch/post/operationId", "value": "batch_tags", "reason": "a name"}
    ]);
    std::fs::create_dir(spec_dir.path().join("patches")).unwrap();
    std::fs::write(spec_dir.path().join("patches/p.json"), names.to_string()).unwrap();
    let manifest = format!("patches = [\"p.json\"]\n{manifest}");
    std::fs::write(spec_dir.path().join("client.toml"), manifest).unwrap();
    for (file, base, version) in [
        ("notes-v1.json", "/api/v1/notes", "v1"),
        ("notes-2026-01.json", "/api/notes/2026-01", "2026-01"),
        ("tags-v1.json", "/api/v1/tags", "v1"),
        ("tags-2026-01.json", "/api/tags/2026-01", "2026-01"),
    ] {
        let mut document = spec(base, version);
        // One delete operationId per file, as HubSpot's are.
        document["paths"][format!("{base}/{{noteId}}")]["delete"]["operationId"] =
            json!(format!("delete-{base}"));
        std::fs::write(upstream.path().join(file), document.to_string()).unwrap();
    }
    (spec_dir, upstream)
}

#[test]
fn a_namespace_keeps_two_families_with_one_relative_path_apart() {
    // Without a namespace the merge refuses the second family's `GET /{noteId}`.
    let (spec_dir, upstream) = two_families("");
    let error = patched_document(spec_dir.path(), upstream.path()).unwrap_err();
    assert!(
        matches!(&error, Error::DuplicateOperation { operation, .. } if operation == "GET /{noteId}"),
        "{error}"
    );

    // With one, the document keys the family's operations under its prefix...
    let (spec_dir, upstream) = two_families("[namespace]\ntags = \"/tags\"\n");
    let doc = patched_document(spec_dir.path(), upstream.path()).unwrap();
    let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    assert_eq!(
        paths,
        ["/batch", "/tags/batch", "/tags/{noteId}", "/{noteId}"]
    );
    assert_eq!(
        doc["paths"]["/tags/{noteId}"]["get"]["x-versions"],
        json!(["v1", "2026-01"])
    );
    // ...and the client sends the family's relative path on the family's base URL.
    let manifest = Manifest::load(&spec_dir.path().join("client.toml")).unwrap();
    let code = render(&doc, &manifest).unwrap();
    assert!(code.contains(r#"("get_tag", "/{noteId}")"#), "{code}");
    assert!(code.contains(r#"("batch_tags", "/batch")"#), "{code}");
    assert!(!code.contains("{}/tags/"), "a URL kept the prefix");
    assert!(!code.contains("`/tags/"), "a doc comment kept the prefix");
    let get_tag = &code[code.find("impl<'a> GetTag<'a>").expect("the builder")..];
    let url = &get_tag[get_tag.find("let url").unwrap()..][..120];
    assert!(url.contains(r#""{}/{}""#), "{url}");
}

#[test]
fn a_namespace_names_a_family_and_one_literal_segment() {
    for (namespace, message) in [
        ("[namespace]\nlinks = \"/links\"\n", "not a family"),
        ("[namespace]\ntags = \"/tags/x\"\n", "one literal segment"),
        ("[namespace]\ntags = \"/{tags}\"\n", "one literal segment"),
        (
            "[namespace]\ntags = \"/t\"\nnotes = \"/t\"\n",
            "two families have one prefix",
        ),
    ] {
        let (spec_dir, upstream) = two_families(namespace);
        let error = patched_document(spec_dir.path(), upstream.path())
            .unwrap_err()
            .to_string();
        assert!(error.contains(message), "{namespace}: {error}");
    }
}

#[test]
fn a_source_of_several_versions_is_read_once_for_each() {
    // The 2026-01 file serves both versions (as the journal's 2026-03 file serves every version).
    let manifest = r#"
version_table = "crate::ApiVersionPaths"

[info]
title = "t"
version = "v"

[[version]]
name = "v1"
notes = "/api/notes/2026-01"

[[version]]
name = "2026-01"
notes = "/api/notes/2026-01"

[[source]]
file = "2026-01.json"
versions = ["v1", "2026-01"]
family = "notes"
operations = ["GET /api/notes/2026-01/{noteId}"]
"#;
    let s = scratch(
        manifest,
        spec("/api/v1/notes", "v1"),
        spec("/api/notes/2026-01", "2026-01"),
        None,
    );
    let doc = document(&s).unwrap();
    assert_eq!(
        doc["paths"]["/{noteId}"]["get"]["x-versions"],
        json!(["v1", "2026-01"])
    );
    let manifest = Manifest::load(&s.spec.path().join("client.toml")).unwrap();
    let versions: Vec<_> = manifest
        .sources
        .iter()
        .map(|source| (source.version.clone(), source.versions.len()))
        .collect();
    assert_eq!(
        versions,
        [(Some("v1".into()), 0), (Some("2026-01".into()), 0)]
    );
    // Both `version` and `versions` is refused.
    let both = manifest_text_with_both();
    let s = scratch(
        &both,
        spec("/api/v1/notes", "v1"),
        spec("/api/notes/2026-01", "2026-01"),
        None,
    );
    let error = document(&s).unwrap_err().to_string();
    assert!(error.contains("not both"), "{error}");
}

fn manifest_text_with_both() -> String {
    MANIFEST.replacen(
        "version = \"v1\"\nfamily",
        "version = \"v1\"\nversions = [\"v1\"]\nfamily",
        1,
    )
}
