//! Test support: a recording processor and a receiver served on loopback.
#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use jirafe_webhook::{
    Event, HealthHandle, ProcessError, Processor, ReceiverBuilder, WebhookSecret,
};
use tokio::sync::oneshot;

pub const SECRET: &str = "test-secret-7f3c9a1e5b2d4c6e8a0f1b3d";

pub fn secret() -> WebhookSecret {
    WebhookSecret::new(SECRET).unwrap()
}

/// Records every batch; can be told to fail the next N calls.
#[derive(Default)]
pub struct Recorder {
    pub events: Mutex<Vec<Event>>,
    pub fail_next: AtomicUsize,
    pub calls: AtomicUsize,
}

impl Recorder {
    pub fn issue_ids(&self) -> Vec<u64> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .map(|e| e.issue_id)
            .collect()
    }
}

#[jirafe_webhook::async_trait]
impl Processor for Recorder {
    async fn process(&self, events: &[Event]) -> Result<(), ProcessError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let fail = self
            .fail_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if fail {
            return Err(ProcessError::new("simulated outage"));
        }
        self.events.lock().unwrap().extend_from_slice(events);
        Ok(())
    }
}

/// A receiver served on 127.0.0.1 with its worker running.
pub struct Server {
    pub base: String,
    pub client: reqwest::Client,
    pub health: HealthHandle,
    stop_http: Option<oneshot::Sender<()>>,
    stop_worker: Option<oneshot::Sender<()>>,
    http: Option<tokio::task::JoinHandle<()>>,
    worker: Option<tokio::task::JoinHandle<()>>,
}

impl Server {
    pub async fn start(builder: ReceiverBuilder, processor: Arc<dyn Processor>) -> Server {
        let receiver = builder
            .with_batch_linger(Duration::ZERO)
            .build(processor)
            .unwrap();
        let health = receiver.health_handle();
        let (router, worker) = receiver.into_parts();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop_http, rx) = oneshot::channel::<()>();
        let http = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        let (stop_worker, wrx) = oneshot::channel::<()>();
        let worker = tokio::spawn(worker.run_until(async {
            let _ = wrx.await;
        }));
        Server {
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            health,
            stop_http: Some(stop_http),
            stop_worker: Some(stop_worker),
            http: Some(http),
            worker: Some(worker),
        }
    }

    pub fn addr(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    pub async fn post(&self, body: impl Into<Vec<u8>>, headers: &[(&str, &str)]) -> (u16, String) {
        let mut req = self
            .client
            .post(format!("{}/webhooks/jira", self.base))
            .header("content-type", "application/json")
            .body(body.into());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.text().await.unwrap())
    }

    pub async fn post_signed(&self, body: &[u8]) -> (u16, String) {
        let sig = secret().sign(body);
        self.post(body.to_vec(), &[("x-hub-signature", &sig)]).await
    }

    pub async fn post_signed_with_id(&self, body: &[u8], id: &str) -> (u16, String) {
        let sig = secret().sign(body);
        self.post(
            body.to_vec(),
            &[
                ("x-hub-signature", &sig),
                ("x-atlassian-webhook-identifier", id),
            ],
        )
        .await
    }

    /// Waits until the worker has processed `n` events since start (fails after 20 s).
    pub async fn wait_processed(&self, n: u64) {
        for _ in 0..2000 {
            if self.health.get().processed_total >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("processed {} of {n}", self.health.get().processed_total);
    }

    /// HTTP first, then the worker (which closes the journal and releases the directory).
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.stop_http.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.http.take() {
            h.await.unwrap();
        }
        if let Some(tx) = self.stop_worker.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.worker.take() {
            h.await.unwrap();
        }
    }
}

pub fn issue_body(event: &str, id: &str, key: &str) -> Vec<u8> {
    serde_json::json!({
        "timestamp": 1_700_000_000_000_i64,
        "webhookEvent": event,
        "issue": { "id": id, "key": key, "fields": { "summary": "planted summary ZQXJ" } }
    })
    .to_string()
    .into_bytes()
}
