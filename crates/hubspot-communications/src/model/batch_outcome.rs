//! What a batch call did with each of its inputs.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::error::{Error, ErrorCategory};

/// HubSpot's largest batch.
pub const MAX_BATCH_SIZE: usize = 100;

/// What a batch call did with each input.
///
/// Every input is in exactly one place: among the successes, or among the failures. A 207
/// (partial success) keeps both sides.
#[derive(Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct BatchOutcome<T> {
    /// What succeeded, with the index of its input where HubSpot's answer says which.
    pub succeeded: Vec<BatchSuccess<T>>,
    /// What failed, with the indexes of the inputs concerned.
    pub failed: Vec<BatchFailure>,
}

/// One success of a batch.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct BatchSuccess<T> {
    /// The index of the input in the caller's list, when it could be matched.
    pub input: Option<usize>,
    /// The result.
    pub value: T,
}

/// Inputs of a batch that failed, and why.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct BatchFailure {
    /// The indexes of the inputs in the caller's list.
    pub inputs: Vec<usize>,
    /// Why they failed.
    pub error: BatchError,
}

/// Why inputs of a batch failed.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum BatchError {
    /// HubSpot refused these inputs and accepted others (a 207).
    Item {
        /// HubSpot's category, e.g. `OBJECT_NOT_FOUND`.
        category: Option<ErrorCategory>,
        /// HubSpot's message.
        message: String,
        /// HubSpot's context (e.g. the ids at fault).
        context: BTreeMap<String, Vec<String>>,
    },
    /// The whole request of these inputs failed. If [`Error::is_fate_unknown`], HubSpot may have
    /// acted on them anyway: they are neither known to exist nor known not to.
    Request(
        #[cfg_attr(feature = "serde", serde(serialize_with = "crate::error::as_text"))] Arc<Error>,
    ),
}

impl BatchError {
    /// Whether HubSpot may have acted on the inputs although the call failed.
    pub fn is_fate_unknown(&self) -> bool {
        matches!(self, Self::Request(error) if error.is_fate_unknown())
    }
}

impl<T> BatchSuccess<T> {
    /// The success of the input at `input` (`None` where the answer does not say which).
    pub fn new(input: Option<usize>, value: T) -> Self {
        Self { input, value }
    }
}

impl BatchFailure {
    /// The failure of the inputs at `inputs`.
    pub fn new(inputs: Vec<usize>, error: BatchError) -> Self {
        Self { inputs, error }
    }
}

impl<T> BatchOutcome<T> {
    /// An outcome of these successes and failures: what a stand-in of the client answers. It
    /// should account for every input once, as the client's outcomes do.
    pub fn new(succeeded: Vec<BatchSuccess<T>>, failed: Vec<BatchFailure>) -> Self {
        Self { succeeded, failed }
    }

    /// An outcome of no input yet.
    pub(crate) fn empty() -> Self {
        Self {
            succeeded: Vec::new(),
            failed: Vec::new(),
        }
    }

    /// Whether every input succeeded.
    pub fn is_success(&self) -> bool {
        self.failed.is_empty()
    }

    /// The indexes of the inputs that failed, in order.
    pub fn failed_inputs(&self) -> Vec<usize> {
        let mut inputs: Vec<usize> = self
            .failed
            .iter()
            .flat_map(|f| f.inputs.iter().copied())
            .collect();
        inputs.sort_unstable();
        inputs
    }

    /// The indexes of the inputs whose fate is unknown (a request that failed after HubSpot may
    /// have acted on it).
    pub fn unknown_inputs(&self) -> Vec<usize> {
        let mut inputs: Vec<usize> = self
            .failed
            .iter()
            .filter(|f| f.error.is_fate_unknown())
            .flat_map(|f| f.inputs.iter().copied())
            .collect();
        inputs.sort_unstable();
        inputs
    }

    /// An outcome of `inputs` inputs all refused before sending, for one reason.
    pub(crate) fn refused(inputs: usize, error: Error) -> Self {
        let mut outcome = Self::empty();
        if inputs > 0 {
            outcome.failed.push(BatchFailure {
                inputs: (0..inputs).collect(),
                error: BatchError::Request(Arc::new(error)),
            });
        }
        outcome
    }

    /// Adds another part of the same call's outcome.
    pub(crate) fn merge(&mut self, other: Self) {
        self.succeeded.extend(other.succeeded);
        self.failed.extend(other.failed);
    }
}
