//! The worker: drains the journal into the [`Processor`] in batches, with retry and backoff.

use std::collections::hash_map::RandomState;
use std::future::Future;
use std::hash::BuildHasher;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::event::{Event, Processor};
use crate::journal::{Journal, now_ms};

/// Runs the processor over accepted events. Get it from
/// [`Receiver::into_parts`](crate::Receiver::into_parts) and drive it with
/// [`Worker::run_until`].
pub struct Worker {
    pub(crate) journal: Journal,
    pub(crate) processor: Arc<dyn Processor>,
    pub(crate) batch_size: usize,
    pub(crate) linger: Duration,
    pub(crate) backoff_min: Duration,
    pub(crate) backoff_max: Duration,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("batch_size", &self.batch_size)
            .field("linger", &self.linger)
            .field("backoff_min", &self.backoff_min)
            .field("backoff_max", &self.backoff_max)
            .finish_non_exhaustive()
    }
}

impl Worker {
    /// Processes events until `shutdown` completes, then closes the journal: it flushes,
    /// releases the data directory, and deliveries still arriving get 503 (Jira retries
    /// them). A batch in flight at shutdown is abandoned, not lost: it was not marked
    /// processed, so the next start hands it over again.
    ///
    /// Stop the HTTP server first and the worker second, so no accepted delivery meets a
    /// closed journal.
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) {
        let journal = self.journal.clone();
        tokio::select! {
            () = self.run_loop() => {}
            () = shutdown => {}
        }
        journal.close().await;
    }

    async fn run_loop(self) {
        let shared = Arc::clone(&self.journal.shared);
        let mut backoff = self.backoff_min;
        loop {
            if shared.depth.load(Ordering::Acquire) == 0 {
                shared.notify.notified().await;
                if !self.linger.is_zero() && shared.depth.load(Ordering::Acquire) < self.batch_size
                {
                    tokio::time::sleep(self.linger).await;
                }
                continue;
            }
            let batch: Vec<Event> = shared
                .pending()
                .iter()
                .take(self.batch_size)
                .cloned()
                .collect();
            let Some(last) = batch.last().map(|e| e.seq) else {
                continue;
            };
            match self.processor.process(&batch).await {
                Ok(()) => {
                    {
                        let mut q = shared.pending();
                        while q.front().is_some_and(|e| e.seq <= last) {
                            q.pop_front();
                        }
                    }
                    shared.depth.fetch_sub(batch.len(), Ordering::AcqRel);
                    shared
                        .processed
                        .fetch_add(batch.len() as u64, Ordering::Relaxed);
                    shared.last_processed_ms.store(now_ms(), Ordering::Relaxed);
                    shared.consecutive_failures.store(0, Ordering::Relaxed);
                    self.journal.mark_processed(last).await;
                    tracing::debug!(
                        target: "jirafe_webhook",
                        events = batch.len(),
                        upto = last,
                        "batch processed"
                    );
                    backoff = self.backoff_min;
                }
                Err(e) => {
                    shared.process_failures.fetch_add(1, Ordering::Relaxed);
                    let failures = shared.consecutive_failures.fetch_add(1, Ordering::Relaxed) + 1;
                    let wait = e
                        .retry_after()
                        .map_or(backoff, |r| r.max(backoff))
                        .min(self.backoff_max);
                    let wait = jitter(wait);
                    tracing::warn!(
                        target: "jirafe_webhook",
                        error = %e,
                        events = batch.len(),
                        failures,
                        retry_in_ms = wait.as_millis() as u64,
                        "processing failed; the batch will be retried"
                    );
                    tokio::time::sleep(wait).await;
                    backoff = backoff.saturating_mul(2).min(self.backoff_max);
                }
            }
        }
    }
}

/// A random wait between 50 % and 100 % of `d`, so many receivers do not retry in step.
fn jitter(d: Duration) -> Duration {
    let r = RandomState::new().hash_one(now_ms());
    let frac = 0.5 + (r % 1000) as f64 / 2000.0;
    d.mul_f64(frac)
}
