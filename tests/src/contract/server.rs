//! A fake whose traffic is checked: the observer records, the test's thread asserts.

use std::ops::Deref;
use std::sync::{Arc, Mutex, PoisonError};

use hubspot_communications_mock::{Config, MockServer};

use super::{Contract, Violation};

/// The violations an observer recorded. The observer runs on the fake's tasks, where a panic
/// would only break a connection: it records, and the test's thread reads.
#[derive(Debug, Clone, Default)]
pub struct Violations(Arc<Mutex<Vec<Violation>>>);

impl Violations {
    /// `config` with an observer that checks every exchange against `contract` and records
    /// what departs from it here.
    pub fn observe(&self, config: Config, contract: &'static Contract) -> Config {
        let violations = self.clone();
        // Observers add up: a test's own (counting requests, say) still sees every exchange.
        config.observe(move |exchange| {
            let found = contract.check(
                exchange.method.as_str(),
                &exchange.path,
                &exchange.request_body,
                exchange.status.as_u16(),
                &exchange.response_body,
            );
            if !found.is_empty() {
                violations.lock().extend(found);
            }
        })
    }

    /// What was recorded so far, leaving it recorded.
    pub fn get(&self) -> Vec<Violation> {
        self.lock().clone()
    }

    /// What was recorded so far, taken out.
    pub fn take(&self) -> Vec<Violation> {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Violation>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running fake whose traffic is checked against the spec; it is a [`MockServer`] (through
/// `Deref`) that, when dropped on a test's thread, fails the test if any exchange departed
/// from the spec.
#[derive(Debug)]
pub struct CheckedServer {
    server: MockServer,
    violations: Violations,
}

impl CheckedServer {
    /// `server`, started with a config that `violations` observes.
    pub fn new(server: MockServer, violations: Violations) -> Self {
        Self { server, violations }
    }

    /// The violations recorded so far.
    pub fn violations(&self) -> Vec<Violation> {
        self.violations.get()
    }

    /// The violations recorded so far, taken out: for a test that departs from the spec on
    /// purpose.
    pub fn take_violations(&self) -> Vec<Violation> {
        self.violations.take()
    }

    /// Fails (panics) if any exchange so far departed from the spec, naming each one;
    /// clears them.
    pub fn assert_contract(&self) {
        let violations = self.violations.take();
        if !violations.is_empty() {
            panic!("{}", report(&violations));
        }
    }
}

impl Deref for CheckedServer {
    type Target = MockServer;

    fn deref(&self) -> &MockServer {
        &self.server
    }
}

impl Drop for CheckedServer {
    fn drop(&mut self) {
        // A test that already fails keeps its own message.
        if !std::thread::panicking() {
            self.assert_contract();
        }
    }
}

/// The failure message: every violation, one per line (the first 20).
fn report(violations: &[Violation]) -> String {
    const SHOWN: usize = 20;
    let mut text = format!(
        "{} exchange(s) with the fake departed from the spec (crates/hubspot-communications-raw/src/openapi.json: HubSpot's specs + spec/patches):",
        violations.len()
    );
    for violation in violations.iter().take(SHOWN) {
        text.push_str("\n  ");
        text.push_str(&violation.to_string());
    }
    if violations.len() > SHOWN {
        text.push_str(&format!("\n  … and {} more", violations.len() - SHOWN));
    }
    text
}
