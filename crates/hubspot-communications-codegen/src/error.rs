//! What can stop a generation.

use std::path::PathBuf;

/// Everything that can stop a generation, each naming the file or operation at fault.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error that stopped the read.
        source: std::io::Error,
    },
    /// `client.toml` is not valid.
    #[error("invalid manifest {path}: {message}")]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An upstream spec or a patch file is not valid JSON of the expected shape.
    #[error("invalid JSON in {path}: {message}")]
    Json {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The manifest names an operation the upstream file does not have.
    #[error("{file} has no operation `{operation}` (did HubSpot remove or rename it?)")]
    MissingOperation {
        /// The upstream file.
        file: String,
        /// `METHOD /path` as written in the manifest.
        operation: String,
    },
    /// Two upstream files define one schema name differently.
    #[error(
        "schema `{name}` differs between {first} and {second}; add a patch that reconciles them"
    )]
    SchemaConflict {
        /// The schema name.
        name: String,
        /// The file that defined it first.
        first: String,
        /// The file that defines it differently.
        second: String,
    },
    /// Two upstream files define the same path and method.
    #[error("operation `{operation}` is selected from both {first} and {second}")]
    DuplicateOperation {
        /// `METHOD /path`.
        operation: String,
        /// The first file.
        first: String,
        /// The second file.
        second: String,
    },
    /// Two versions define one operation differently (beyond what the merge reconciles).
    #[error(
        "operation `{operation}` differs between {first} and {second} ({what}); mend it in a patch of one source (`patches` of its `[[source]]`) or select it from one version"
    )]
    OperationConflict {
        /// `METHOD /path`, the path version-relative.
        operation: String,
        /// The file that defined it first.
        first: String,
        /// The file that defines it differently.
        second: String,
        /// What differs.
        what: String,
    },
    /// A patch operation has no `reason` member.
    #[error(
        "{file}: operation #{index} has no \"reason\"; every patch operation must say why it exists"
    )]
    UnexplainedPatch {
        /// The patch file.
        file: String,
        /// The operation's index in the file.
        index: usize,
    },
    /// A patch operation did not apply (its target moved upstream, or a `test` failed).
    #[error(
        "{file}: operation #{index} ({operation}) does not apply: {message}\n  reason given: {reason}"
    )]
    PatchFailed {
        /// The patch file.
        file: String,
        /// The operation's index in the file.
        index: usize,
        /// The operation, as JSON.
        operation: String,
        /// Why it exists.
        reason: String,
        /// What went wrong.
        message: String,
    },
    /// The patched document is not an OpenAPI 3.0 document openapiv3 accepts.
    #[error("the patched document is not valid OpenAPI 3.0: {0}")]
    OpenApi(String),
    /// Progenitor refused the document.
    #[error("progenitor cannot generate a client from the patched document: {0}")]
    Progenitor(String),
    /// An operation's path has a segment that mixes literal text and a parameter, which the
    /// URL check that `operation_paths` serves cannot verify.
    #[error(
        "operation `{operation}`: path `{path}` has a segment mixing text and a parameter; `operation_paths` needs each parameter to be a whole segment"
    )]
    UncheckablePath {
        /// The operationId.
        operation: String,
        /// The path template.
        path: String,
    },
    /// An operation of a versioned client does not say which versions define it.
    #[error(
        "operation `{0}` has no `x-versions`: an operation a patch adds must list the versions that have it"
    )]
    UnversionedOperation(String),
    /// Progenitor's output did not parse as Rust.
    #[error("progenitor's output does not parse as Rust: {0}")]
    Syntax(String),
}

/// A result of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
