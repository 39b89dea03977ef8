//! A receiver for signed Jira webhooks that fails closed, survives hostile input, and
//! never loses an accepted event.
//!
//! Webhooks are an optional accelerator for jirafe: polling sync stays the source of
//! truth. Where a Jira admin has registered a webhook, this crate turns each delivery into
//! journalled *ids* (issue id + event kind, never payload content), acknowledges with
//! `202` once they are on disk, and hands them in batches to a [`Processor`] that
//! re-fetches the issue with the engineer's own credentials.
//!
//! # A guided tour
//!
//! **1. Implement a [`Processor`].** It gets batches of [`Event`]s in journal order and
//! answers `Ok` once they are durably handled, or [`ProcessError`] to have the batch
//! retried after a backoff.
//!
//! **2. Build a [`Receiver`]** on a data directory of its own, with the secret the admin
//! entered in Jira, and run its two parts: the axum [`Router`](axum::Router) and the
//! [`Worker`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use jirafe_webhook::{Event, ProcessError, Processor, Receiver, WebhookSecret};
//!
//! struct Print;
//! #[jirafe_webhook::async_trait]
//! impl Processor for Print {
//!     async fn process(&self, events: &[Event]) -> Result<(), ProcessError> {
//!         for e in events {
//!             println!("issue {} {}", e.issue_id, e.kind);
//!         }
//!         Ok(())
//!     }
//! }
//!
//! let dir = tempfile::tempdir()?;
//! let secret = WebhookSecret::new("0123456789abcdef0123456789abcdef")?;
//! let receiver = Receiver::builder(dir.path().join("webhook"))
//!     .with_secret(secret.clone())
//!     .build(Print)?;
//! let health = receiver.health_handle();
//! let (router, worker) = receiver.into_parts();
//!
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
//! let server = tokio::spawn(async move {
//!     axum::serve(listener, router)
//!         .with_graceful_shutdown(async { let _ = stop_rx.await; })
//!         .await
//! });
//! let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
//! let worker = tokio::spawn(worker.run_until(async { let _ = done_rx.await; }));
//! assert!(health.get().configured);
//!
//! // Shut down: HTTP first, then the worker (which flushes and closes the journal).
//! let _ = stop_tx.send(());
//! server.await??;
//! let _ = done_tx.send(());
//! worker.await?;
//! # Ok(()) }
//! ```
//!
//! **3. Jira posts deliveries** to `POST /webhooks/jira`. Each goes through, in order:
//!
//! | check | answer |
//! | --- | --- |
//! | no secret configured | `503 {"error":"not_configured"}` (an operator error) |
//! | journal failed earlier | `503 journal_unavailable` |
//! | `max_pending` unprocessed events | `503 queue_full` + `Retry-After: 30` |
//! | `X-Hub-Signature` / `X-Hub-Signature-256` missing, repeated, not `sha256=` + 64 hex | `401 invalid_signature` (body not read) |
//! | `X-Atlassian-Webhook-Identifier` repeated or not `[A-Za-z0-9._:-]{1,128}` | `400 invalid_delivery_id` |
//! | body over the limit (default 1 MiB) | `413 body_too_large` |
//! | HMAC-SHA256 of the raw body differs (constant-time compare; all headers present must match) | `401 invalid_signature` |
//! | not a JSON object, bad types, invalid id or key | `400 malformed_payload` |
//! | `webhookEvent` missing, null, or not `[a-z][a-z0-9_:]{0,63}` | `400 invalid_event_name` |
//! | no issue named (`issue` missing or null; no worklog `issueId`; no link ids) | `400 missing_issue` |
//! | a delivery id seen before (retry) | `202 {"status":"duplicate"}`, not journalled again |
//! | otherwise | appended + fsynced, then `202 {"status":"accepted","events":n}` |
//!
//! Validation is ASCII-only: issue keys match `^[A-Z][A-Z0-9]{0,31}-[0-9]{1,12}$` with
//! a hard end ([`is_valid_issue_key`]), ids are 1–18 ASCII digits ([`parse_issue_id`]).
//! Nothing from a payload is used to build a path or URL, logged, or stored.
//!
//! **4. `GET /health`** returns [`Health`] as JSON: configured, secret set, queue depth,
//! last processed time and counters — `200` when ready, `503` when not.
//!
//! # Durability
//!
//! The journal (`<data_dir>/journal.log`) holds ids only. A delivery is acknowledged
//! after its events are written and `fdatasync`ed; concurrent deliveries share one sync
//! (group commit). The worker marks batches processed; on start the receiver replays what
//! was not. Torn or corrupt lines are skipped and counted; the file is compacted on start
//! and whenever it has grown past a threshold. Delivery ids are remembered (bounded by
//! count and age) across restarts, so Jira's retries are not processed twice. See
//! the crate README for the format.
//!
//! # Logs
//!
//! `tracing` events under target `jirafe_webhook::access` carry method, route, status,
//! latency, outcome code, delivery id and journal sequence — never a body, a query
//! string, a header value other than the validated delivery id, or an unmatched path.

#![deny(missing_docs)]

mod error;
mod event;
mod journal;
mod lock;
mod payload;
mod secret;
mod server;
mod worker;

pub use async_trait::async_trait;
pub use error::{Error, Result};
pub use event::{DeliveryId, Event, EventKind, ProcessError, Processor};
pub use payload::{
    MAX_ID_DIGITS, MAX_KEY_NUMBER_DIGITS, MAX_PROJECT_KEY_LEN, is_valid_issue_key, parse_issue_id,
};
pub use secret::{SECRET_ENV, SIGNATURE_HEADERS, WebhookSecret};
pub use server::{
    DEFAULT_BODY_LIMIT, DELIVERY_HEADER, HEALTH_PATH, Health, HealthHandle, Receiver,
    ReceiverBuilder, WEBHOOK_PATH,
};
pub use worker::Worker;
