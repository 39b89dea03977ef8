//! Opening a warehouse from its URL.

use std::sync::Arc;

use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};

use crate::error::{Error, Result};

/// An opened warehouse: a store and the prefix the tables live under.
#[derive(Debug, Clone)]
pub struct Warehouse {
    /// The object store.
    pub store: Arc<dyn ObjectStore>,
    /// The prefix inside the store.
    pub prefix: Path,
    /// The URL it was opened from (no credentials: they come from the environment).
    pub url: String,
}

impl Warehouse {
    /// Opens `file:///abs/path`, a plain local path (created if missing), or `memory://`.
    ///
    /// # Errors
    /// [`Error::Config`] naming `JIRAFE_WAREHOUSE` for an unsupported scheme or a folder
    /// that cannot be created.
    pub fn open(url: &str) -> Result<Warehouse> {
        let bad = |reason: String| Error::Config {
            key: "JIRAFE_WAREHOUSE",
            reason,
        };
        if url == "memory://" || url == "memory:" {
            return Ok(Warehouse {
                store: Arc::new(InMemory::new()),
                prefix: Path::default(),
                url: url.to_owned(),
            });
        }
        let local = if let Some(rest) = url.strip_prefix("file://") {
            std::path::PathBuf::from(rest)
        } else if url.contains("://") {
            let scheme = url.split("://").next().unwrap_or_default();
            return Err(bad(format!(
                "scheme '{scheme}://' is not supported by this build (use file:///path or a local path)"
            )));
        } else {
            std::path::PathBuf::from(url)
        };
        std::fs::create_dir_all(&local)
            .map_err(|e| bad(format!("cannot create {}: {e}", local.display())))?;
        let fs = LocalFileSystem::new_with_prefix(&local)
            .map_err(|e| bad(format!("cannot open {}: {e}", local.display())))?;
        Ok(Warehouse {
            store: Arc::new(fs),
            prefix: Path::default(),
            url: url.to_owned(),
        })
    }

    /// A path under the warehouse prefix.
    pub fn path(&self, rel: &str) -> Path {
        rel.split('/')
            .filter(|p| !p.is_empty())
            .fold(self.prefix.clone(), |acc, part| acc.join(part))
    }

    /// Reads a small JSON object; `None` when it does not exist.
    ///
    /// # Errors
    /// [`Error::Store`] on a store failure, [`Error::State`] when it is not valid JSON.
    pub async fn get_json<T: serde::de::DeserializeOwned>(&self, rel: &str) -> Result<Option<T>> {
        let path = self.path(rel);
        match self.store.get(&path).await {
            Ok(r) => {
                let bytes = r.bytes().await.map_err(|source| Error::Store {
                    path: path.to_string(),
                    source,
                })?;
                serde_json::from_slice(&bytes)
                    .map(Some)
                    .map_err(|e| Error::State {
                        path: path.to_string(),
                        reason: format!("line {} column {}", e.line(), e.column()),
                    })
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(source) => Err(Error::Store {
                path: path.to_string(),
                source,
            }),
        }
    }

    /// Writes a small JSON object in one PUT (atomic on every store).
    ///
    /// # Errors
    /// [`Error::Store`] on a store failure.
    pub async fn put_json<T: serde::Serialize>(&self, rel: &str, value: &T) -> Result<()> {
        let path = self.path(rel);
        let bytes = serde_json::to_vec_pretty(value).map_err(|e| Error::State {
            path: path.to_string(),
            reason: e.to_string(),
        })?;
        self.store
            .put(&path, bytes.into())
            .await
            .map_err(|source| Error::Store {
                path: path.to_string(),
                source,
            })?;
        Ok(())
    }
}
