//! The generator on fixture specs of our own that reproduce each defect of HubSpot's spec.
//! They run on a fresh clone, without HubSpot's files.

use std::path::{Path, PathBuf};

use hubspot_communications_codegen::manifest::Replacement;
use hubspot_communications_codegen::render::render;
use hubspot_communications_codegen::{Error, Manifest, generate, patched_document};
use progenitor_impl::TypeImpl;
use serde_json::json;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn defects() -> (PathBuf, PathBuf) {
    let dir = fixtures().join("defects");
    (dir.clone(), dir.join("upstream"))
}

#[test]
fn every_defect_is_mended_and_the_client_generates() {
    let (spec, upstream) = defects();
    let code = generate(&spec, &upstream).unwrap();
    insta::assert_snapshot!("defects", code);
}

#[test]
fn the_patched_document_shows_each_fix() {
    let (spec, upstream) = defects();
    let document = patched_document(&spec, &upstream).unwrap();
    insta::assert_json_snapshot!("defects_document", document);

    let schemas = document["components"]["schemas"].as_object().unwrap();
    assert!(
        !schemas.contains_key("Unused"),
        "unreachable schemas are pruned"
    );
    assert!(
        !schemas.contains_key("BatchNotes"),
        "the non-207 batch body is no longer used"
    );
    assert!(
        document["paths"].get("/notes/unused").is_none(),
        "only selected operations"
    );
}

#[test]
fn generation_is_deterministic() {
    let (spec, upstream) = defects();
    assert_eq!(
        generate(&spec, &upstream).unwrap(),
        generate(&spec, &upstream).unwrap()
    );
}

#[test]
fn the_defects_are_real_without_the_patches() {
    let (_, upstream) = defects();
    let spec = fixtures().join("unpatched");
    // Progenitor 0.15 asserts on the `default` response and the 201/207 pair.
    let outcome = std::panic::catch_unwind(|| generate(&spec, &upstream));
    assert!(
        !matches!(outcome, Ok(Ok(_))),
        "the unpatched fixture should not generate"
    );
}

/// A spec folder in a temporary directory, with the defects fixture's upstream files.
fn scratch(manifest: &str, patch: Option<serde_json::Value>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("client.toml"), manifest).unwrap();
    if let Some(patch) = patch {
        std::fs::create_dir(dir.path().join("patches")).unwrap();
        std::fs::write(dir.path().join("patches/p.json"), patch.to_string()).unwrap();
    }
    dir
}

const NOTES_ONLY: &str = "[info]\ntitle = \"t\"\nversion = \"v\"\n\n[[source]]\nfile = \"notes.json\"\noperations = [\"GET /notes/{noteId}\"]\n";

#[test]
fn an_operation_missing_upstream_is_named() {
    let (_, upstream) = defects();
    let dir = scratch(
        &NOTES_ONLY.replace("GET /notes/{noteId}", "DELETE /notes/{noteId}"),
        None,
    );
    let error = patched_document(dir.path(), &upstream).unwrap_err();
    assert!(
        matches!(&error, Error::MissingOperation { file, operation } if file == "notes.json" && operation == "DELETE /notes/{noteId}"),
        "{error}"
    );
}

#[test]
fn a_malformed_operation_in_the_manifest_is_refused() {
    let (_, upstream) = defects();
    let dir = scratch(
        &NOTES_ONLY.replace("GET /notes/{noteId}", "FETCH notes"),
        None,
    );
    let error = patched_document(dir.path(), &upstream).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("`FETCH notes` in notes.json is not `METHOD /path`"),
        "{error}"
    );
}

#[test]
fn a_patch_operation_without_a_reason_is_refused() {
    let (_, upstream) = defects();
    let manifest = format!("patches = [\"p.json\"]\n{NOTES_ONLY}");
    let patch = json!([
        {"op": "remove", "path": "/components/schemas/Error/required", "reason": "explained"},
        {"op": "remove", "path": "/components/schemas/Note/required"}
    ]);
    let dir = scratch(&manifest, Some(patch));
    let error = patched_document(dir.path(), &upstream).unwrap_err();
    assert!(
        matches!(error, Error::UnexplainedPatch { index: 1, .. }),
        "{error}"
    );
}

#[test]
fn a_patch_that_no_longer_applies_says_why_it_existed() {
    let (_, upstream) = defects();
    let manifest = format!("patches = [\"p.json\"]\n{NOTES_ONLY}");
    let patch = json!([{"op": "remove", "path": "/components/schemas/Gone/required", "reason": "Gone was over-strict."}]);
    let dir = scratch(&manifest, Some(patch));
    let error = patched_document(dir.path(), &upstream)
        .unwrap_err()
        .to_string();
    assert!(error.contains("operation #0"), "{error}");
    assert!(
        error.contains("reason given: Gone was over-strict."),
        "{error}"
    );
}

#[test]
fn a_failing_test_operation_stops_the_patch() {
    let (_, upstream) = defects();
    let manifest = format!("patches = [\"p.json\"]\n{NOTES_ONLY}");
    let patch = json!([{"op": "test", "path": "/info/title", "value": "something else", "reason": "guard"}]);
    let dir = scratch(&manifest, Some(patch));
    assert!(matches!(
        patched_document(dir.path(), &upstream),
        Err(Error::PatchFailed { index: 0, .. })
    ));
}

#[test]
fn two_sources_defining_a_schema_differently_conflict() {
    let (_, upstream_fixture) = defects();
    let upstream = tempfile::tempdir().unwrap();
    std::fs::copy(
        upstream_fixture.join("notes.json"),
        upstream.path().join("notes.json"),
    )
    .unwrap();
    let mut links: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(upstream_fixture.join("links.json")).unwrap(),
    )
    .unwrap();
    links["components"]["schemas"]["ObjectId"]["properties"]["id"]["type"] = json!("integer");
    std::fs::write(upstream.path().join("links.json"), links.to_string()).unwrap();
    // Only what a selected operation reaches is compared: notes' batch create reaches ObjectId.
    let manifest = format!(
        "{}\n[[source]]\nfile = \"links.json\"\noperations = [\"PUT /links/{{fromId}}\"]\n",
        NOTES_ONLY.replace("{noteId}\"]", "{noteId}\", \"POST /notes/batch/create\"]")
    );
    let dir = scratch(&manifest, None);
    let error = patched_document(dir.path(), upstream.path()).unwrap_err();
    assert!(
        matches!(&error, Error::SchemaConflict { name, first, second } if name == "schemas/ObjectId" && first == "notes.json" && second == "links.json"),
        "{error}"
    );
}

#[test]
fn an_operation_selected_twice_is_refused() {
    let (_, upstream) = defects();
    let manifest = format!(
        "{NOTES_ONLY}\n[[source]]\nfile = \"notes.json\"\noperations = [\"GET /notes/{{noteId}}\"]\n"
    );
    let dir = scratch(&manifest, None);
    assert!(matches!(
        patched_document(dir.path(), &upstream),
        Err(Error::DuplicateOperation { .. })
    ));
}

#[test]
fn a_string_format_can_be_decoded_by_a_hand_written_type() {
    let (spec, upstream) = defects();
    let mut document = patched_document(&spec, &upstream).unwrap();
    // With a description, as HubSpot writes them: metadata does not stop the match.
    document["components"]["schemas"]["Note"]["properties"]["createdAt"] =
        json!({"type": "string", "format": "date-time", "description": "When."});
    let mut manifest = Manifest::load(&spec.join("client.toml")).unwrap();
    let field = |code: &str| {
        let start = code.find("pub created_at: ").expect("a created_at field");
        code[start..start + code[start..].find(",\n").unwrap()].to_owned()
    };
    let by_chrono = field(&render(&document, &manifest).unwrap());
    manifest
        .formats
        .insert("date-time".into(), "crate::Stamp".into());
    let by_ours = field(&render(&document, &manifest).unwrap());
    assert!(by_chrono.contains("::chrono::DateTime<"), "{by_chrono}");
    assert_eq!(
        by_ours,
        "pub created_at: ::std::option::Option<crate::Stamp>"
    );
}

#[test]
fn a_body_struct_can_be_replaced_by_a_hand_written_type() {
    let (spec, upstream) = defects();
    let document = patched_document(&spec, &upstream).unwrap();
    let mut manifest = Manifest::load(&spec.join("client.toml")).unwrap();
    let generated = render(&document, &manifest).unwrap();
    assert!(generated.contains("pub struct NewNote {"), "{generated}");
    assert!(generated.contains("body: Result<types::builder::NewNote, String>"));

    // The table form, as for a struct whose Debug must hide a secret.
    let table: toml::Table =
        toml::from_str("NewNote = { type = \"crate::NewNote\", impls = [\"Default\"] }").unwrap();
    let replacement: Replacement = table["NewNote"].clone().try_into().unwrap();
    assert_eq!(replacement.impls().unwrap(), [TypeImpl::Default]);
    manifest.replace.insert("NewNote".into(), replacement);
    let ours = render(&document, &manifest).unwrap();
    assert!(
        !ours.contains("struct NewNote"),
        "neither the type nor its builder"
    );
    assert!(
        ours.contains("body: Result<crate::NewNote, String>"),
        "{ours}"
    );
    assert!(ours.contains("V: std::convert::TryInto<crate::NewNote>"));
    assert!(!ours.contains("body_map"), "no builder to map");
    assert!(syn::parse_file(&ours).is_ok());
}

#[test]
fn a_replacement_claiming_an_unknown_trait_is_refused() {
    let dir = scratch(
        &format!(
            "{NOTES_ONLY}\n[replace]\nNewNote = {{ type = \"crate::NewNote\", impls = [\"Debug\"] }}\n"
        ),
        None,
    );
    let error = Manifest::load(&dir.path().join("client.toml")).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("[replace] NewNote: `Debug` is not one of Display, FromStr, Default"),
        "{error}"
    );
    // An unknown key is refused too, rather than ignored.
    let dir = scratch(
        &format!(
            "{NOTES_ONLY}\n[replace]\nNewNote = {{ type = \"crate::NewNote\", derives = [] }}\n"
        ),
        None,
    );
    assert!(Manifest::load(&dir.path().join("client.toml")).is_err());
}

#[test]
fn path_parameters_can_be_encoded_by_a_function_of_ours() {
    let (spec, upstream) = defects();
    let document = patched_document(&spec, &upstream).unwrap();
    let mut manifest = Manifest::load(&spec.join("client.toml")).unwrap();
    let progenitors = render(&document, &manifest).unwrap();
    assert!(
        progenitors.contains("encode_path(& note_id"),
        "{progenitors}"
    );

    manifest.path_encoder = Some("crate::path::encode_segment".into());
    let ours = render(&document, &manifest).unwrap();
    let calls = ours.matches("::path::encode_segment(&").count();
    assert_eq!(calls, progenitors.matches("encode_path(&").count());
    assert!(!ours.contains("encode_path(&"), "every call is replaced");
    // The imports stay (unused, and allowed as such by progenitor's own attributes).
    assert!(ours.contains("use progenitor_client::{encode_path,"));
    assert!(syn::parse_file(&ours).is_ok());
}

#[test]
fn the_operation_paths_table_lists_every_operation_by_the_hooks_name() {
    let (spec, upstream) = defects();
    let document = patched_document(&spec, &upstream).unwrap();
    let mut manifest = Manifest::load(&spec.join("client.toml")).unwrap();
    assert!(
        !render(&document, &manifest)
            .unwrap()
            .contains("OPERATION_PATHS")
    );
    manifest.operation_paths = true;
    let code = render(&document, &manifest).unwrap();
    let table = &code[code.find("pub const OPERATION_PATHS").expect("a table")..];
    insta::assert_snapshot!("operation_paths", table);
    for id in ["get_note", "create_notes", "link"] {
        assert!(code.contains(&format!("operation_id: \"{id}\"")), "{id}");
    }
}

#[test]
fn an_operation_id_progenitor_would_rename_is_refused_for_the_table() {
    let (spec, upstream) = defects();
    let mut document = patched_document(&spec, &upstream).unwrap();
    document["paths"]["/notes/{noteId}"]["get"]["operationId"] = json!("getNote");
    let mut manifest = Manifest::load(&spec.join("client.toml")).unwrap();
    manifest.operation_paths = true;
    let error = render(&document, &manifest).unwrap_err().to_string();
    assert!(
        error.contains("getNote") && error.contains("get_note"),
        "{error}"
    );
}

#[test]
fn a_parameter_sharing_its_segment_is_refused_for_the_table() {
    let (spec, upstream) = defects();
    let mut document = patched_document(&spec, &upstream).unwrap();
    let paths = document["paths"].as_object_mut().unwrap();
    let item = paths.remove("/notes/{noteId}").unwrap();
    paths.insert("/notes/{noteId}.json".into(), item);
    let mut manifest = Manifest::load(&spec.join("client.toml")).unwrap();
    assert!(render(&document, &manifest).is_ok());
    manifest.operation_paths = true;
    let error = render(&document, &manifest).unwrap_err();
    assert!(
        matches!(&error, Error::UncheckablePath { operation, path } if operation == "get_note" && path == "/notes/{noteId}.json"),
        "{error}"
    );
}
