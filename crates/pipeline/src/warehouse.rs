//! Opening a warehouse from its URL: a local folder, `memory://`, or an object store
//! (`s3://`, and `gs://` / `az://` with the `gcp` / `azure` features) through
//! `jirafe-sink-s3`.

use std::collections::BTreeMap;
use std::sync::Arc;

use jirafe_partition_writer::{Concurrency, PartitionWriter};
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};

use crate::error::{Error, Result};

/// An opened warehouse: a store and the prefix the tables live under.
#[derive(Debug, Clone)]
pub struct Warehouse {
    /// The object store. Its `Debug` carries no credentials.
    pub store: Arc<dyn ObjectStore>,
    /// The prefix inside the store.
    pub prefix: Path,
    /// The URL it was opened from (no credentials: they come from the environment).
    pub url: String,
    /// How partition writers on this warehouse keep concurrent writers apart:
    /// `ConditionalPut` (S3, GCS, Azure), `LockFile` (an object store opened with
    /// `concurrency = "lock"`), `Auto` (local disk and `memory://`: conditional create,
    /// locks where the store has no conditional update). [`Warehouse::writer`] applies it.
    pub concurrency: Concurrency,
}

fn bad(reason: String) -> Error {
    Error::Config {
        key: "JIRAFE_WAREHOUSE",
        reason,
    }
}

impl Warehouse {
    /// Opens `file:///abs/path`, a plain local path (created if missing), `memory://`, or an
    /// object-store URL, with no `[warehouse.options]`: the same as
    /// [`open_with_options`](Self::open_with_options) with an empty map.
    ///
    /// # Errors
    /// As [`open_with_options`](Self::open_with_options).
    pub fn open(url: &str) -> Result<Warehouse> {
        Warehouse::open_with_options(url, &BTreeMap::new())
    }

    /// Opens a warehouse with `[warehouse.options]`.
    ///
    /// - `s3://bucket/prefix` (feature `s3`, on by default), `gs://bucket/prefix` (feature
    ///   `gcp`), `az://container/prefix` (feature `azure`): through `jirafe-sink-s3`, with
    ///   `options` (region, endpoint, sse, sse_kms_key_id, concurrency, retries, …) over the
    ///   standard environment (`AWS_*`, …). Nothing is contacted yet; `jirafe doctor`
    ///   probes the bucket.
    /// - `file:///abs/path` or a plain path: a local folder, created if missing.
    /// - `memory://`: an in-memory store (tests).
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use jirafe_pipeline::Warehouse;
    /// let mut options = BTreeMap::new();
    /// options.insert("regoin".to_owned(), "eu-west-1".to_owned());
    /// let err = Warehouse::open_with_options("s3://bucket/jira", &options).unwrap_err();
    /// assert!(err.to_string().contains("'regoin'"), "{err}");
    /// let err = Warehouse::open_with_options("memory://", &options).unwrap_err();
    /// assert!(err.to_string().contains("warehouse.options"), "{err}");
    /// ```
    ///
    /// # Errors
    /// [`Error::Config`] naming `JIRAFE_WAREHOUSE` for an unsupported scheme, a malformed
    /// object-store URL, a scheme whose feature is not built in, or a folder that cannot be
    /// created; naming `warehouse.options` for an unknown, malformed or credential option,
    /// or for options given to a local or in-memory warehouse.
    pub fn open_with_options(url: &str, options: &BTreeMap<String, String>) -> Result<Warehouse> {
        if !is_object_store_url(url) && !options.is_empty() {
            return Err(Error::Config {
                key: "warehouse.options",
                reason: "applies to object-store warehouses (s3://, gs://, az://) only".into(),
            });
        }
        if url == "memory://" || url == "memory:" {
            return Ok(Warehouse {
                store: Arc::new(InMemory::new()),
                prefix: Path::default(),
                url: url.to_owned(),
                concurrency: Concurrency::Auto,
            });
        }
        if is_object_store_url(url) {
            return open_object_store(url, options);
        }
        let local = if let Some(rest) = url.strip_prefix("file://") {
            std::path::PathBuf::from(rest)
        } else if let Some((scheme, _)) = url.split_once("://") {
            return Err(bad(format!(
                "scheme '{scheme}://' is not supported (use s3://bucket/prefix, gs://, az://, file:///path or a local path)"
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
            concurrency: Concurrency::Auto,
        })
    }

    /// A warehouse on a store opened by `jirafe-sink-s3` (for callers that pass their own
    /// environment to `jirafe_sink_s3::open_with_env`, such as tests). `url` is recorded
    /// as given; it must not carry credentials.
    #[cfg(feature = "s3")]
    pub fn from_opened(url: &str, opened: jirafe_sink_s3::Opened) -> Warehouse {
        let concurrency = match opened.concurrency {
            jirafe_sink_s3::Concurrency::Lock { .. } => Concurrency::LockFile,
            _ => Concurrency::ConditionalPut,
        };
        Warehouse {
            store: opened.store,
            prefix: opened.prefix,
            url: url.to_owned(),
            concurrency,
        }
    }

    /// Is this warehouse an object store (S3, GCS, Azure) rather than a local folder or
    /// memory?
    pub fn is_object_store(&self) -> bool {
        is_object_store_url(&self.url)
    }

    /// A partition writer on this warehouse, with its [`concurrency`](Self::concurrency).
    /// Use it instead of `PartitionWriter::new`, so that an S3-compatible server opened
    /// with `concurrency = "lock"` gets partition locks.
    pub fn writer(&self) -> PartitionWriter {
        PartitionWriter::new(Arc::clone(&self.store), self.prefix.clone())
            .with_concurrency(self.concurrency)
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

/// `s3://`, `s3a://`, `gs://`, `az://`, `azure://` (whether or not the feature is built).
fn is_object_store_url(url: &str) -> bool {
    url.split_once("://").is_some_and(|(scheme, _)| {
        matches!(
            scheme.to_ascii_lowercase().as_str(),
            "s3" | "s3a" | "gs" | "az" | "azure"
        )
    })
}

#[cfg(feature = "s3")]
fn open_object_store(url: &str, options: &BTreeMap<String, String>) -> Result<Warehouse> {
    use jirafe_sink_s3::Error as S3Error;
    let opened = jirafe_sink_s3::open(url, options).map_err(|e| match e {
        S3Error::InvalidUrl { .. } | S3Error::FeatureDisabled { .. } => bad(e.to_string()),
        other => Error::Config {
            key: "warehouse.options",
            reason: other.to_string(),
        },
    })?;
    Ok(Warehouse::from_opened(url, opened))
}

#[cfg(not(feature = "s3"))]
fn open_object_store(url: &str, _options: &BTreeMap<String, String>) -> Result<Warehouse> {
    let scheme = url.split("://").next().unwrap_or_default();
    let feature = match scheme {
        "gs" => "gcp",
        "az" | "azure" => "azure",
        _ => "s3",
    };
    Err(bad(format!(
        "{scheme}:// needs the `{feature}` feature, which this build does not have (rebuild with --features {feature})"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn local_and_memory_refuse_options() {
        let dir = tempfile::tempdir().unwrap();
        let e = Warehouse::open_with_options(
            dir.path().to_str().unwrap(),
            &opts(&[("region", "eu-west-1")]),
        )
        .unwrap_err();
        assert!(e.to_string().contains("warehouse.options"), "{e}");
        let w = Warehouse::open(dir.path().to_str().unwrap()).unwrap();
        assert_eq!(w.concurrency, Concurrency::Auto);
        assert!(!w.is_object_store());
    }

    #[test]
    fn unknown_schemes_are_named() {
        let e = Warehouse::open("ftp://host/dir").unwrap_err().to_string();
        assert!(
            e.contains("JIRAFE_WAREHOUSE") && e.contains("ftp://"),
            "{e}"
        );
    }

    #[cfg(feature = "s3")]
    #[test]
    fn s3_urls_open_with_options_and_map_concurrency() {
        let w = Warehouse::open_with_options(
            "s3://bucket/jira/prod",
            &opts(&[
                ("region", "eu-west-1"),
                ("endpoint", "http://127.0.0.1:9"),
                ("concurrency", "lock"),
            ]),
        )
        .unwrap();
        assert_eq!(w.prefix.as_ref(), "jira/prod");
        assert_eq!(w.concurrency, Concurrency::LockFile);
        assert!(w.is_object_store());
        assert_eq!(
            w.path("_state/cursors.json").as_ref(),
            "jira/prod/_state/cursors.json"
        );
        let w = Warehouse::open("s3://bucket").unwrap();
        assert_eq!(w.concurrency, Concurrency::ConditionalPut);

        let e = Warehouse::open_with_options("s3://bucket/p", &opts(&[("secret_access_key", "x")]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("warehouse.options") && e.contains("AWS_SECRET_ACCESS_KEY"),
            "{e}"
        );
        let e = Warehouse::open("s3://user:pw@bucket/p")
            .unwrap_err()
            .to_string();
        assert!(e.contains("JIRAFE_WAREHOUSE") && !e.contains("pw@"), "{e}");
    }

    #[cfg(all(feature = "s3", not(feature = "gcp")))]
    #[test]
    fn gcs_without_the_feature_says_which() {
        let e = Warehouse::open("gs://bucket/p").unwrap_err().to_string();
        assert!(e.contains("--features gcp"), "{e}");
    }
}
