//! Partition locks for stores without conditional updates (LocalFileSystem).
//!
//! A lock is an object `<prefix>/_locks/<table>/month=YYYY-MM.lock`, created with
//! [`PutMode::Create`] (on local disk: an exclusive hard link of a fully written temp file),
//! holding a random token and the acquisition time in milliseconds. It is released by
//! deleting it, after checking the token is still ours. A lock older than the stale limit
//! (its holder crashed or was cancelled) is broken: re-read, token compared, deleted.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};

use crate::error::{Error, Result};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A random-enough 64-bit value without a dependency: std's randomly keyed hasher.
pub(crate) fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u128(now_nanos());
    h.finish()
}

fn now_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

fn now_ms() -> i64 {
    i64::try_from(now_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// Delay before retry number `attempt` (1-based): exponential from 5 ms, capped, with
/// full jitter so competing writers spread out.
pub(crate) fn backoff(attempt: u32, cap: Duration) -> Duration {
    let base = Duration::from_millis(5).saturating_mul(1 << attempt.min(16));
    let ceiling = base.min(cap).as_micros().max(1) as u64;
    Duration::from_micros(ceiling / 2 + random_u64() % (ceiling / 2 + 1))
}

/// A held lock. Must be [`released`](LockGuard::release); if the holder disappears, the
/// lock goes stale and is broken by the next writer after the stale limit.
#[derive(Debug)]
pub(crate) struct LockGuard {
    store: Arc<dyn ObjectStore>,
    path: Path,
    token: String,
}

fn parse_lock(body: &[u8]) -> Option<(String, i64)> {
    let text = std::str::from_utf8(body).ok()?;
    let mut token = None;
    let mut at = None;
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("token=") {
            token = Some(v.to_owned());
        } else if let Some(v) = line.strip_prefix("acquired_ms=") {
            at = v.parse().ok();
        }
    }
    Some((token?, at?))
}

pub(crate) async fn acquire(
    store: &Arc<dyn ObjectStore>,
    path: &Path,
    stale_after: Duration,
    wait: Duration,
) -> Result<LockGuard> {
    let started = Instant::now();
    let token = format!("{:016x}{:016x}", random_u64(), random_u64());
    let mut attempt = 0u32;
    loop {
        let body = format!(
            "jirafe partition lock\ntoken={token}\nacquired_ms={}\npid={}\n",
            now_ms(),
            std::process::id()
        );
        let opts = PutOptions {
            mode: PutMode::Create,
            ..PutOptions::default()
        };
        match store
            .put_opts(path, PutPayload::from(body.into_bytes()), opts)
            .await
        {
            Ok(_) => {
                return Ok(LockGuard {
                    store: Arc::clone(store),
                    path: path.clone(),
                    token,
                });
            }
            Err(object_store::Error::AlreadyExists { .. }) => {
                if break_if_stale(store, path, stale_after).await? {
                    continue;
                }
            }
            Err(e) => return Err(Error::store(path, e)),
        }
        let waited = started.elapsed();
        if waited >= wait {
            return Err(Error::LockTimeout {
                path: path.to_string(),
                waited,
            });
        }
        attempt = attempt.saturating_add(1);
        tokio::time::sleep(backoff(attempt, Duration::from_millis(250))).await;
    }
}

/// Reads the lock at `path`; if it is older than `stale_after`, deletes it (after checking
/// it is still the same lock). Returns whether the caller should retry at once.
async fn break_if_stale(
    store: &Arc<dyn ObjectStore>,
    path: &Path,
    stale_after: Duration,
) -> Result<bool> {
    let read = |store: Arc<dyn ObjectStore>, path: Path| async move {
        match store.get(&path).await {
            Ok(r) => {
                let modified = r.meta.last_modified.timestamp_millis();
                let bytes = r.bytes().await.map_err(|e| Error::store(&path, e))?;
                Ok(Some(
                    parse_lock(&bytes).unwrap_or_else(|| (String::new(), modified)),
                ))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(Error::store(&path, e)),
        }
    };
    let Some((token, acquired)) = read(Arc::clone(store), path.clone()).await? else {
        return Ok(true); // released meanwhile
    };
    let age_ms = now_ms().saturating_sub(acquired);
    let stale_ms = i64::try_from(stale_after.as_millis()).unwrap_or(i64::MAX);
    if age_ms < stale_ms {
        return Ok(false);
    }
    // Re-read just before deleting so a lock re-created meanwhile is not broken.
    match read(Arc::clone(store), path.clone()).await? {
        Some((again, _)) if again == token => {}
        _ => return Ok(true),
    }
    tracing::warn!(lock = %path, age_ms, "breaking stale partition lock");
    match store.delete(path).await {
        Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(true),
        Err(e) => Err(Error::store(path, e)),
    }
}

impl LockGuard {
    /// Deletes the lock if it is still ours.
    pub(crate) async fn release(self) -> Result<()> {
        let current = match self.store.get(&self.path).await {
            Ok(r) => r.bytes().await.map_err(|e| Error::store(&self.path, e))?,
            Err(object_store::Error::NotFound { .. }) => {
                tracing::warn!(lock = %self.path, "partition lock vanished while held (broken as stale?)");
                return Ok(());
            }
            Err(e) => return Err(Error::store(&self.path, e)),
        };
        if parse_lock(&current).is_some_and(|(t, _)| t == self.token) {
            match self.store.delete(&self.path).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(Error::store(&self.path, e)),
            }
        } else {
            tracing::warn!(lock = %self.path, "partition lock was taken over while held (broken as stale?)");
            Ok(())
        }
    }
}
