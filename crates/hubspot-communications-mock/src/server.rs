//! A running fake: starting and stopping it, seeding it, and reading what it stores.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::Value;
use tokio::net::TcpListener;

use crate::association::AssociationType;
use crate::config::Config;
use crate::lock::lock;
use crate::object_type::ObjectType;
use crate::object_type::RecordId;
use crate::open_connections::OpenConnections;
use crate::property::PropertyOwner;
use crate::schema::Write;
use crate::script::Script;
use crate::state::{Shared, Stats};
use crate::webhooks::{DeliveryLog, Pending, WebhookDelivery};

/// A running fake HubSpot. Dropping it stops it, as [`MockServer::stop`] does.
pub struct MockServer {
    base_url: String,
    shared: Arc<Shared>,
    /// The accept loop, which owns the listener.
    task: tokio::task::JoinHandle<()>,
    connections: Arc<OpenConnections>,
    webhooks: Option<Deliveries>,
    /// The webhooks journal's file host (entry files behind pre-signed URLs).
    journal_files: crate::webhooks_journal::Files,
}

/// The webhook deliveries of a server that makes them.
struct Deliveries {
    log: Arc<DeliveryLog>,
    pending: Arc<Pending>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// Starts a fake with the default [`Config`] on an ephemeral loopback port.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with(Config::default()).await
    }

    /// Starts a fake with `config` on an ephemeral loopback port.
    pub async fn start_with(config: Config) -> std::io::Result<Self> {
        Self::bind(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a fake with `config` on `address`.
    pub async fn bind(config: Config, address: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(address).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let header_read_timeout = config.header_read_timeout;
        let log = config.log;
        let webhooks = config.webhooks.clone();
        let shared = Arc::new(Shared::new(config));
        lock(&shared.store).webhooks_journal = Some(shared.journal.clone());
        let webhooks = match webhooks {
            Some(webhooks) => {
                let running = crate::webhooks::start(webhooks, shared.labels.clone())?;
                lock(&shared.store).journal = Some(running.journal);
                Some(Deliveries {
                    log: running.log,
                    pending: running.pending,
                    task: running.task,
                })
            }
            None => None,
        };
        let routes = crate::routes::router()
            // A scripted answer stands in for the route's, so observers see it as one.
            .layer(axum::middleware::from_fn_with_state(
                shared.scripts.clone(),
                crate::scripts::answer,
            ))
            // Inside the gate: the observer sees what a route answered, before faults.
            .layer(axum::middleware::from_fn_with_state(
                Arc::<[_]>::from(shared.config.observers.clone()),
                crate::observe::observe,
            ))
            .layer(axum::middleware::from_fn_with_state(
                shared.clone(),
                crate::gate::gate,
            ))
            .with_state(shared.clone());
        // Date-versioned paths become their v3/v4 forms before routing: one store, three
        // path families.
        let mut app = axum::Router::new()
            .fallback_service(routes)
            .layer(axum::middleware::from_fn(crate::versions::translate));
        if log {
            app = app.layer(axum::middleware::from_fn(crate::log::log));
        }
        let connections = Arc::new(OpenConnections::default());
        let journal_files = crate::webhooks_journal::start_files(
            shared.journal.clone(),
            listener.local_addr()?.ip(),
            header_read_timeout,
            connections.clone(),
        )
        .await?;
        let task = tokio::spawn(crate::connection::serve(
            listener,
            app,
            header_read_timeout,
            connections.clone(),
        ));
        Ok(Self {
            base_url,
            shared,
            task,
            connections,
            webhooks,
            journal_files,
        })
    }

    /// The base URL to give a client, e.g. `http://127.0.0.1:49152`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Stops the server, as HubSpot going away would: it stops listening, closes every open
    /// connection (kept-alive ones too, and those with a request in progress, unanswered) and
    /// stops delivering webhooks. Once it returns, no request is answered: a client's next
    /// call fails to connect or finds its pooled connection closed, a transport error, never
    /// an answer. The sockets close as soon as the runtime drops their tasks (at once, unless
    /// it is shutting down). Dropping the server does the same.
    pub fn stop(self) {}

    /// Queues a one-off answer: the next [`Script::times`] requests that match `script` get
    /// its status, headers and body instead of the route's, and the store is untouched.
    /// Scripts are used oldest first: of two that match a request, the one queued first
    /// answers until it is used up.
    pub fn script(&self, script: Script) {
        self.shared.scripts.push(script);
    }

    /// HubSpot goes down for `length`: from now every request (OAuth included) is answered
    /// 503 with an HTML page, as HubSpot's edge answers when the API behind it is away, and
    /// nothing is stored; after `length`, the fake answers as before. A zero `length` ends an
    /// outage at once. Connections stay open (for HubSpot gone altogether, [`Self::stop`]).
    pub fn outage(&self, length: std::time::Duration) {
        self.shared.scripts.outage(length);
    }

    /// What the server has served so far.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    /// Makes every OAuth access token issued so far expire now: the next request with one is
    /// answered 401 `EXPIRED_AUTHENTICATION`, as HubSpot answers a token a client still
    /// believes alive (a clock that drifted, an expiry it misread).
    pub fn expire_access_tokens(&self) {
        lock(&self.shared.oauth).expire_all(std::time::Instant::now());
    }

    /// Adds a CRM record and returns its id. Properties are stored as an update stores them:
    /// typed by the object type's definitions, unknown or read-only ones and invalid values
    /// left out (define an account's own with [`Config::property`]). Seeded objects show in
    /// search at once, whatever [`Config::search_lag`]: they stand for what the account held
    /// before.
    pub fn seed_record(&self, object_type: ObjectType, properties: &[(&str, &str)]) -> String {
        let owner = PropertyOwner::Record(object_type);
        let properties = self.seeded(owner, properties);
        lock(&self.shared.store).seed(owner, properties).to_string()
    }

    /// Seeded properties as an update stores them: typed, each one that is unknown, read-only
    /// or invalid left out (rather than refusing the whole seed).
    fn seeded(
        &self,
        owner: PropertyOwner,
        properties: &[(&str, &str)],
    ) -> BTreeMap<String, String> {
        let schema = self.shared.schema();
        let properties = properties
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .filter(|(name, value)| {
                let one = [(name.clone(), value.clone())].into();
                schema.check(owner, one, Write::Update).is_ok()
            })
            .collect();
        schema
            .check(owner, properties, Write::Update)
            .unwrap_or_default()
    }

    /// Adds a contact and returns its id.
    pub fn seed_contact(&self, email: &str) -> String {
        self.seed_record(ObjectType::Contact, &[("email", email)])
    }

    /// Adds a company and returns its id.
    pub fn seed_company(&self, name: &str) -> String {
        self.seed_record(ObjectType::Company, &[("name", name)])
    }

    /// Adds a deal and returns its id.
    pub fn seed_deal(&self, name: &str) -> String {
        self.seed_record(ObjectType::Deal, &[("dealname", name)])
    }

    /// Adds a ticket and returns its id.
    pub fn seed_ticket(&self, subject: &str) -> String {
        self.seed_record(ObjectType::Ticket, &[("subject", subject)])
    }

    /// Adds `count` SMS messages directly to the store (no requests) and returns their ids.
    pub fn seed_messages(&self, count: usize) -> Vec<String> {
        let mut store = lock(&self.shared.store);
        (0..count)
            .map(|i| {
                let properties = [
                    ("hs_communication_channel_type", "SMS".to_owned()),
                    ("hs_communication_logged_from", "CRM".to_owned()),
                    ("hs_communication_body", format!("Seeded message {i}")),
                    ("hs_timestamp", crate::object::timestamp(chrono::Utc::now())),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
                store
                    .seed(PropertyOwner::Communication, properties)
                    .to_string()
            })
            .collect()
    }

    /// Adds a message directly to the store (no requests, no rate limit: for seeding a large
    /// account quickly) and returns its id. Its properties are stored as an update stores them
    /// (typed, unknown or read-only ones and invalid values left out; a unique property's value
    /// is indexed, but not checked for being taken); it is associated with each existing record
    /// of `records` by HubSpot's default type (records that do not exist are skipped).
    pub fn seed_message(
        &self,
        properties: &[(&str, &str)],
        records: &[(ObjectType, &str)],
    ) -> String {
        let properties = self.seeded(PropertyOwner::Communication, properties);
        let mut store = lock(&self.shared.store);
        let id = store.seed(PropertyOwner::Communication, properties);
        for (kind, record) in records {
            let Ok(record) = record.parse() else { continue };
            let record = RecordId {
                kind: *kind,
                id: record,
            };
            if store.records.contains_key(&record) {
                store.associate(id, record, AssociationType::HubSpot(*kind));
            }
        }
        id.to_string()
    }

    /// How many messages are stored, archived ones included.
    pub fn message_count(&self) -> usize {
        lock(&self.shared.store).communications.len()
    }

    /// A stored message in HubSpot's shape with all its properties, archived or not.
    pub fn message(&self, id: &str) -> Option<Value> {
        let store = lock(&self.shared.store);
        let object = store.communications.get(&id.parse().ok()?)?;
        let names: Vec<String> = object.properties.keys().cloned().collect();
        Some(object.to_json(&names, &[], &[]))
    }

    /// Every stored message's properties, by id, archived ones included.
    pub fn messages(&self) -> Vec<(String, BTreeMap<String, String>)> {
        lock(&self.shared.store)
            .communications
            .values()
            .map(|o| (o.id.to_string(), o.properties.clone()))
            .collect()
    }

    /// Every stored record of `object_type` with its properties, by id, archived ones
    /// included.
    pub fn records(&self, object_type: ObjectType) -> Vec<(String, BTreeMap<String, String>)> {
        lock(&self.shared.store)
            .records
            .iter()
            .filter(|(record, _)| record.kind == object_type)
            .map(|(record, object)| (record.id.to_string(), object.properties.clone()))
            .collect()
    }

    /// A stored CRM record's properties.
    pub fn record(&self, object_type: ObjectType, id: &str) -> Option<BTreeMap<String, String>> {
        let record = RecordId {
            kind: object_type,
            id: id.parse().ok()?,
        };
        let store = lock(&self.shared.store);
        Some(store.records.get(&record)?.properties.clone())
    }

    /// The ids of the records of `object_type` a stored message is associated with,
    /// ascending.
    pub fn associated_records(&self, message_id: &str, object_type: ObjectType) -> Vec<String> {
        let Ok(message) = message_id.parse() else {
            return Vec::new();
        };
        lock(&self.shared.store)
            .associations_of(message, object_type)
            .into_iter()
            .map(|record| record.id.to_string())
            .collect()
    }
}

impl MockServer {
    /// Every webhook delivery made so far ([`Config::webhooks`]), oldest first: one per
    /// attempt (a retry is another), with the headers, body and outcome of each; at most
    /// [`MAX_KEPT_DELIVERIES`](crate::MAX_KEPT_DELIVERIES), the newest. Empty without webhooks.
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.webhooks
            .as_ref()
            .map(|webhooks| webhooks.log.all())
            .unwrap_or_default()
    }

    /// Waits until every change so far has been delivered for good: answered 2xx (and
    /// delivered again when [`Webhooks::duplicates`](crate::Webhooks::duplicates) is on),
    /// answered with a status that is not retried, or out of retries. With HubSpot's retry schedule a failing receiver keeps
    /// this waiting for hours: shorten it ([`Webhooks::retry_schedule`](crate::Webhooks::retry_schedule)),
    /// or bound the wait. Returns at once without webhooks.
    pub async fn webhooks_settled(&self) {
        if let Some(webhooks) = &self.webhooks {
            webhooks.pending.settled().await;
        }
    }
}

impl MockServer {
    /// The base URL of the webhooks journal's file host, another port of the fake's address
    /// (as HubSpot's entry files live on another host): the entries' pre-signed URLs point there.
    pub fn journal_files_url(&self) -> &str {
        &self.journal_files.base_url
    }

    /// Every request the journal's file host received, oldest first, at most
    /// [`MAX_KEPT_DOWNLOADS`](crate::MAX_KEPT_DOWNLOADS): what reached it (no `Authorization`
    /// header, if the client is right) and what it answered.
    pub fn journal_downloads(&self) -> Vec<crate::JournalDownload> {
        lock(&self.journal_files.downloads)
            .iter()
            .cloned()
            .collect()
    }

    /// Makes every entry URL the journal gave so far expire now: the file host answers them
    /// 403 "Request has expired", as S3 answers a pre-signed URL past its time (a client that
    /// downloads late, or whose clock runs behind).
    pub fn expire_journal_urls(&self) {
        self.shared
            .journal
            .url_epoch
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Every event the webhooks journal holds now, in the journal's order (entries past their
    /// retention are gone), as the entry files hold them.
    pub fn journal_events(&self) -> Vec<Value> {
        self.shared.journal.events()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        // The listener first, so that no connection is accepted after the others are closed
        // (one accepted meanwhile is closed by `close_all` all the same).
        self.task.abort();
        self.journal_files.task.abort();
        self.connections.close_all();
        if let Some(webhooks) = &self.webhooks {
            webhooks.task.abort();
        }
    }
}
