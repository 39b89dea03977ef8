//! # jirafe-sink-s3
//!
//! Object-store warehouses for jirafe: turns a warehouse URL, a map of options and the
//! standard environment into an [`ObjectStore`] and the prefix the tables live under.
//! It knows `object_store` only — nothing of Jira, Arrow or the partition writer.
//!
//! ## A guided tour
//!
//! 1. [`open`] takes `s3://bucket/prefix` (also `s3a://`), `gs://bucket/prefix` (feature
//!    `gcp`) or `az://container/prefix` (feature `azure`), plus the `[warehouse.options]`
//!    map. Every option key is checked: an unknown key is [`Error::UnknownOption`] listing
//!    the accepted ones; a credential key is [`Error::CredentialOption`] — credentials come
//!    only from the environment, the container/instance role or web identity, never from a
//!    configuration file.
//! 2. For S3 it sets region, endpoint (path-style addressing for S3-compatible servers,
//!    virtual-hosted for AWS), plain HTTP only for loopback endpoints unless `allow_http`,
//!    server-side encryption (SSE-S3, SSE-KMS with a key id, DSSE-KMS), retries with
//!    exponential backoff for 5xx / 429 / timeouts / connection resets, and conditional
//!    put (`If-None-Match: *` / `If-Match: <etag>`).
//! 3. [`Opened::concurrency`] tells the partition writer how to keep concurrent writers
//!    apart: [`Concurrency::ConditionalPut`] for stores whose conditional writes are atomic
//!    (AWS S3, GCS, Azure, MinIO), [`Concurrency::Lock`] for servers whose checks are not
//!    (`s3s-fs`): partition locks, verified after a settle delay.
//! 4. [`probe`] is what `jirafe doctor` runs: list, put, get, conditional create, delete.
//!
//! ```
//! use std::collections::BTreeMap;
//! use jirafe_sink_s3::{Concurrency, Error, open_with_env};
//!
//! let mut options = BTreeMap::new();
//! options.insert("region".to_owned(), "eu-west-1".to_owned());
//! options.insert("sse".to_owned(), "aws:kms".to_owned());
//! options.insert("sse_kms_key_id".to_owned(), "alias/warehouse".to_owned());
//! let env = [
//!     ("AWS_ACCESS_KEY_ID".to_owned(), "AKIDEXAMPLE".to_owned()),
//!     ("AWS_SECRET_ACCESS_KEY".to_owned(), "wJalrXUtnFEMI/EXAMPLEKEY".to_owned()),
//! ];
//! let opened = open_with_env("s3://analytics/jira/prod", &options, env.clone())?;
//! assert_eq!(opened.prefix.as_ref(), "jira/prod");
//! assert_eq!(opened.concurrency, Concurrency::ConditionalPut);
//! let shown = format!("{opened:?}");
//! assert!(!shown.contains("AKIDEXAMPLE") && !shown.contains("EXAMPLEKEY"));
//!
//! options.insert("regoin".to_owned(), "eu-west-1".to_owned());
//! let err = open_with_env("s3://analytics/jira", &options, env).unwrap_err();
//! assert!(matches!(err, Error::UnknownOption { .. }));
//! assert!(err.to_string().contains("accepted keys: addressing_style, allow_http"));
//! # Ok::<(), Error>(())
//! ```
#![deny(missing_docs)]

mod error;
mod guard;
mod options;
mod probe;
mod s3;
#[cfg(feature = "testing")]
pub mod testing;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use object_store::ObjectStore;
use object_store::path::Path;

pub use error::{Error, Result};
pub use probe::{ProbeError, ProbeReport, ProbeStep, probe};

use crate::options::Options;

/// Default wait before a lock-mode create is read back (`lock_settle_ms`).
pub const DEFAULT_LOCK_SETTLE: Duration = Duration::from_millis(1000);

/// How concurrent writers to one warehouse are kept from losing each other's rows.
///
/// The `concurrency` option: `conditional_put` (default) or `lock`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Concurrency {
    /// Trust the store's conditional writes: a partition is created with
    /// `If-None-Match: *` and replaced with `If-Match: <etag read>`. Correct when the store
    /// evaluates the condition atomically with the write: AWS S3, GCS, Azure, MinIO, R2.
    #[default]
    ConditionalPut,
    /// Do not trust `If-Match`: every partition write takes a partition lock object. A
    /// lock is created with `If-None-Match: *`, then, after `settle`, read back; it is held
    /// only if it still holds this writer's token. Every other create-only write (a new
    /// partition, an audit record) is verified the same way. Correct on servers that honour
    /// `If-None-Match` but check it apart from the write (`s3s-fs`), as long as the time
    /// between the server's check and its write of a lock (a few hundred bytes) stays
    /// under `settle`.
    Lock {
        /// Wait before the read-back (`lock_settle_ms`, default 1000).
        settle: Duration,
    },
}

impl Concurrency {
    /// `conditional_put` or `lock`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Concurrency::ConditionalPut => "conditional_put",
            Concurrency::Lock { .. } => "lock",
        }
    }
}

/// An opened warehouse store.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Opened {
    /// The store. Its `Debug` and `Display` name the bucket only.
    pub store: Arc<dyn ObjectStore>,
    /// The prefix inside the bucket (from the URL's path; empty for the bucket root).
    pub prefix: Path,
    /// What the partition writer should use.
    pub concurrency: Concurrency,
}

impl Opened {
    /// The store and the prefix.
    pub fn into_parts(self) -> (Arc<dyn ObjectStore>, Path) {
        (self.store, self.prefix)
    }
}

/// The store kinds this crate knows, by URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    S3,
    Gcs,
    Azure,
}

impl Kind {
    fn from_scheme(scheme: &str) -> Option<Kind> {
        match scheme {
            "s3" | "s3a" => Some(Kind::S3),
            "gs" => Some(Kind::Gcs),
            "az" | "azure" => Some(Kind::Azure),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::S3 => "s3",
            Kind::Gcs => "gs",
            Kind::Azure => "az",
        }
    }

    fn keys(self) -> &'static [&'static str] {
        match self {
            Kind::S3 => options::S3_KEYS,
            Kind::Gcs => options::GCS_KEYS,
            Kind::Azure => options::AZURE_KEYS,
        }
    }
}

/// True when `url` names an object-store warehouse this crate handles (`s3://`, `s3a://`,
/// `gs://`, `az://`, `azure://`), whether or not this build has the feature for it.
///
/// ```
/// assert!(jirafe_sink_s3::is_object_store_url("s3://bucket/prefix"));
/// assert!(jirafe_sink_s3::is_object_store_url("gs://bucket"));
/// assert!(!jirafe_sink_s3::is_object_store_url("file:///srv/warehouse"));
/// assert!(!jirafe_sink_s3::is_object_store_url("/srv/warehouse"));
/// ```
pub fn is_object_store_url(url: &str) -> bool {
    url.split_once("://")
        .is_some_and(|(scheme, _)| Kind::from_scheme(&scheme.to_ascii_lowercase()).is_some())
}

/// The option keys accepted for a URL's scheme, sorted (`None` for a scheme this crate
/// does not handle).
///
/// ```
/// let keys = jirafe_sink_s3::accepted_options("s3://bucket").unwrap();
/// assert!(keys.contains(&"sse_kms_key_id") && keys.contains(&"concurrency"));
/// ```
pub fn accepted_options(url: &str) -> Option<Vec<&'static str>> {
    let (scheme, _) = url.split_once("://")?;
    let kind = Kind::from_scheme(&scheme.to_ascii_lowercase())?;
    let mut keys: Vec<&'static str> = kind
        .keys()
        .iter()
        .chain(options::COMMON_KEYS)
        .copied()
        .collect();
    keys.sort_unstable();
    Some(keys)
}

/// Opens a warehouse store from its URL, options and the process environment.
///
/// Same as [`open_with_env`] with `std::env::vars()`.
///
/// # Errors
/// As [`open_with_env`].
pub fn open(url: &str, options: &BTreeMap<String, String>) -> Result<Opened> {
    open_with_env(url, options, std::env::vars())
}

/// Opens a warehouse store from its URL, options and the given environment (the standard
/// `AWS_*` variables for S3, `GOOGLE_*` / `SERVICE_ACCOUNT` for GCS, `AZURE_*` for Azure).
/// Options take precedence over the environment. Nothing is contacted: the first request
/// happens on first use (see [`probe`]).
///
/// # Errors
/// - [`Error::InvalidUrl`]: not `scheme://bucket[/prefix]`, or with user-info, a port, a
///   query or a fragment.
/// - [`Error::FeatureDisabled`]: `gs://` without feature `gcp`, `az://` without `azure`.
/// - [`Error::UnknownOption`], [`Error::CredentialOption`], [`Error::InvalidOption`].
/// - [`Error::Build`]: `object_store` refused the result (for example a malformed `AWS_*`
///   variable).
pub fn open_with_env(
    url: &str,
    options: &BTreeMap<String, String>,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Opened> {
    let (kind, bucket, prefix) = parse_url(url)?;
    let env: Vec<(String, String)> = env.into_iter().collect();
    let opts = Options::check(kind.name(), kind.keys(), options)?;
    let retry = opts.retry()?;
    let concurrency = opts.concurrency()?;
    let inner: Arc<dyn ObjectStore> = match kind {
        Kind::S3 => s3::build(&bucket, &opts, retry, &env)?,
        Kind::Gcs => cloud::gcs(&bucket, &opts, retry, &env)?,
        Kind::Azure => cloud::azure(&bucket, &opts, retry, &env)?,
    };
    let settle = match concurrency {
        Concurrency::Lock { settle } => Some(settle),
        Concurrency::ConditionalPut => None,
    };
    let label = format!("{}://{bucket}", kind.name());
    tracing::debug!(store = %label, concurrency = concurrency.as_str(), "warehouse store opened");
    Ok(Opened {
        store: Arc::new(guard::Guarded::new(inner, label, settle)),
        prefix,
        concurrency,
    })
}

fn invalid(reason: &str) -> Error {
    Error::InvalidUrl {
        reason: reason.to_owned(),
    }
}

fn parse_url(url: &str) -> Result<(Kind, String, Path)> {
    let (scheme, _) = url
        .split_once("://")
        .ok_or_else(|| invalid("expected scheme://bucket/prefix, for example s3://bucket/jira"))?;
    let kind = Kind::from_scheme(&scheme.to_ascii_lowercase()).ok_or_else(|| {
        invalid("the scheme must be s3://, s3a://, gs://, az:// (or file:// for local disk)")
    })?;
    match kind {
        Kind::Gcs if !cfg!(feature = "gcp") => {
            return Err(Error::FeatureDisabled {
                scheme: "gs",
                feature: "gcp",
            });
        }
        Kind::Azure if !cfg!(feature = "azure") => {
            return Err(Error::FeatureDisabled {
                scheme: "az",
                feature: "azure",
            });
        }
        _ => {}
    }
    let u = url::Url::parse(url).map_err(|_| invalid("not a valid URL"))?;
    if !u.username().is_empty() || u.password().is_some() {
        return Err(invalid(
            "must not contain user-info (credentials come from the environment)",
        ));
    }
    if u.port().is_some() {
        return Err(invalid(
            "must not contain a port (set the `endpoint` option for an S3-compatible server)",
        ));
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err(invalid(
            "must not contain '?' or '#' (settings go in [warehouse.options])",
        ));
    }
    let bucket = u.host_str().unwrap_or_default();
    if bucket.is_empty() {
        return Err(invalid("names no bucket: expected scheme://bucket/prefix"));
    }
    if kind == Kind::S3 && !valid_s3_bucket(bucket) {
        return Err(invalid(
            "the bucket name must be 3-63 characters of lower-case letters, digits, '.' and '-'",
        ));
    }
    let prefix = Path::from_url_path(u.path())
        .map_err(|_| invalid("the prefix is not a valid object path (empty or '.' segments?)"))?;
    Ok((kind, bucket.to_owned(), prefix))
}

fn valid_s3_bucket(b: &str) -> bool {
    (3..=63).contains(&b.len())
        && b.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'.' || c == b'-')
        && b.bytes().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && b.bytes().last().is_some_and(|c| c.is_ascii_alphanumeric())
}

/// GCS and Azure, behind their features.
mod cloud {
    use super::*;
    use object_store::RetryConfig;

    #[cfg(feature = "gcp")]
    pub(crate) fn gcs(
        bucket: &str,
        opts: &Options<'_>,
        retry: RetryConfig,
        env: &[(String, String)],
    ) -> Result<Arc<dyn ObjectStore>> {
        use object_store::gcp::{GoogleCloudStorageBuilder, GoogleConfigKey};
        let mut b = GoogleCloudStorageBuilder::new();
        for (key, value) in env {
            if key == "SERVICE_ACCOUNT" {
                b = b.with_service_account_path(value);
            } else if key.starts_with("GOOGLE_")
                && let Ok(k) = key.to_ascii_lowercase().parse::<GoogleConfigKey>()
            {
                b = b.with_config(k, value);
            }
        }
        b = b.with_bucket_name(bucket).with_retry(retry);
        for (key, value) in opts.client_timeouts()? {
            let k = key.parse().map_err(|source| Error::Build { source })?;
            b = b.with_config(GoogleConfigKey::Client(k), value);
        }
        Ok(Arc::new(
            b.build().map_err(|source| Error::Build { source })?,
        ))
    }

    #[cfg(not(feature = "gcp"))]
    pub(crate) fn gcs(
        _: &str,
        _: &Options<'_>,
        _: RetryConfig,
        _: &[(String, String)],
    ) -> Result<Arc<dyn ObjectStore>> {
        Err(Error::FeatureDisabled {
            scheme: "gs",
            feature: "gcp",
        })
    }

    #[cfg(feature = "azure")]
    pub(crate) fn azure(
        container: &str,
        opts: &Options<'_>,
        retry: RetryConfig,
        env: &[(String, String)],
    ) -> Result<Arc<dyn ObjectStore>> {
        use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
        let mut b = MicrosoftAzureBuilder::new();
        for (key, value) in env {
            if key.starts_with("AZURE_")
                && let Ok(k) = key.to_ascii_lowercase().parse::<AzureConfigKey>()
            {
                b = b.with_config(k, value);
            }
        }
        b = b.with_container_name(container).with_retry(retry);
        if let Some(account) = opts.get("account") {
            b = b.with_account(account);
        }
        if let Some(endpoint) = opts.get("endpoint") {
            b = b.with_endpoint(endpoint.to_owned());
            if opts.bool("allow_http")?.is_none() && s3::is_loopback_http(endpoint) {
                b = b.with_allow_http(true);
            }
        }
        if let Some(allow) = opts.bool("allow_http")? {
            b = b.with_allow_http(allow);
        }
        for (key, value) in opts.client_timeouts()? {
            let k = key.parse().map_err(|source| Error::Build { source })?;
            b = b.with_config(AzureConfigKey::Client(k), value);
        }
        Ok(Arc::new(
            b.build().map_err(|source| Error::Build { source })?,
        ))
    }

    #[cfg(not(feature = "azure"))]
    pub(crate) fn azure(
        _: &str,
        _: &Options<'_>,
        _: RetryConfig,
        _: &[(String, String)],
    ) -> Result<Arc<dyn ObjectStore>> {
        Err(Error::FeatureDisabled {
            scheme: "az",
            feature: "azure",
        })
    }
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

    fn no_env() -> Vec<(String, String)> {
        Vec::new()
    }

    #[test]
    fn urls_give_bucket_and_prefix() {
        let o = open_with_env("s3://my-bucket/a/b/", &opts(&[]), no_env()).unwrap();
        assert_eq!(o.prefix.as_ref(), "a/b");
        assert_eq!(o.store.to_string(), "s3://my-bucket");
        let o = open_with_env("s3a://my-bucket", &opts(&[]), no_env()).unwrap();
        assert_eq!(o.prefix.as_ref(), "");
    }

    #[test]
    fn bad_urls_are_refused_without_echoing_them() {
        for (url, needle) in [
            ("s3://AKIA:hunter2@bucket/p", "user-info"),
            ("s3://bucket:9000/p", "port"),
            ("s3://bucket/p?region=x", "warehouse.options"),
            ("s3:///p", "bucket"),
            ("s3://Bad_Bucket/p", "bucket name"),
            ("ftp://bucket/p", "scheme"),
            ("bucket/p", "scheme://"),
        ] {
            let e = open_with_env(url, &opts(&[]), no_env())
                .unwrap_err()
                .to_string();
            assert!(e.contains(needle), "{url}: {e}");
            assert!(!e.contains("hunter2"), "{e}");
        }
    }

    #[cfg(not(feature = "gcp"))]
    #[test]
    fn gcs_without_the_feature_names_it() {
        let e = open_with_env("gs://bucket/p", &opts(&[]), no_env()).unwrap_err();
        assert!(
            matches!(e, Error::FeatureDisabled { feature: "gcp", .. }),
            "{e}"
        );
        assert!(e.to_string().contains("--features gcp"), "{e}");
    }

    #[cfg(not(feature = "azure"))]
    #[test]
    fn azure_without_the_feature_names_it() {
        let e = open_with_env("az://container/p", &opts(&[]), no_env()).unwrap_err();
        assert!(e.to_string().contains("--features azure"), "{e}");
    }

    #[cfg(feature = "gcp")]
    #[test]
    fn gcs_opens_with_its_options() {
        let o = open_with_env(
            "gs://bucket/p/q",
            &opts(&[("timeout_secs", "10")]),
            no_env(),
        )
        .unwrap();
        assert_eq!(o.prefix.as_ref(), "p/q");
        assert_eq!(o.store.to_string(), "gs://bucket");
        let e = open_with_env("gs://bucket/p", &opts(&[("region", "x")]), no_env()).unwrap_err();
        assert!(
            matches!(e, Error::UnknownOption { scheme: "gs", .. }),
            "{e}"
        );
    }

    #[cfg(feature = "azure")]
    #[test]
    fn azure_opens_with_an_account() {
        let env = vec![(
            "AZURE_STORAGE_ACCOUNT_KEY".to_owned(),
            "c2VjcmV0LWtleS1zaG91bGQtbm90LXNob3c=".to_owned(),
        )];
        let o = open_with_env("az://container/p", &opts(&[("account", "acct")]), env).unwrap();
        assert_eq!(o.prefix.as_ref(), "p");
        assert!(!format!("{o:?}").contains("c2VjcmV0"));
        let e = open_with_env("az://container/p", &opts(&[("account_key", "k")]), no_env())
            .unwrap_err();
        assert!(e.to_string().contains("AZURE_STORAGE_ACCOUNT_KEY"), "{e}");
    }

    #[test]
    fn debug_shows_no_credentials() {
        let env = vec![
            (
                "AWS_ACCESS_KEY_ID".to_owned(),
                "AKIDSHOULDNOTSHOW".to_owned(),
            ),
            (
                "AWS_SECRET_ACCESS_KEY".to_owned(),
                "secret-should-not-show".to_owned(),
            ),
            (
                "AWS_SESSION_TOKEN".to_owned(),
                "token-should-not-show".to_owned(),
            ),
        ];
        let o = open_with_env("s3://bucket/p", &opts(&[]), env).unwrap();
        let dbg = format!("{o:?} {}", o.store);
        for secret in [
            "AKIDSHOULDNOTSHOW",
            "secret-should-not-show",
            "token-should-not-show",
        ] {
            assert!(!dbg.contains(secret), "{dbg}");
        }
    }

    #[test]
    fn option_conflicts_are_named() {
        for (pairs, key) in [
            (
                &[("sse", "AES256"), ("sse_kms_key_id", "k")][..],
                "sse_kms_key_id",
            ),
            (&[("sse_bucket_key", "true")][..], "sse_bucket_key"),
            (&[("addressing_style", "sideways")][..], "addressing_style"),
            (&[("endpoint", "not a url")][..], "endpoint"),
            (&[("endpoint", "http://u:p@127.0.0.1:9000")][..], "endpoint"),
            (&[("concurrency", "yolo")][..], "concurrency"),
            (&[("lock_settle_ms", "20")][..], "lock_settle_ms"),
        ] {
            let e = open_with_env("s3://bucket/p", &opts(pairs), no_env())
                .unwrap_err()
                .to_string();
            assert!(e.contains(key), "{pairs:?}: {e}");
            assert!(!e.contains("u:p@"), "{e}");
        }
    }

    #[test]
    fn concurrency_option() {
        let o = open_with_env(
            "s3://bucket/p",
            &opts(&[("concurrency", "lock"), ("lock_settle_ms", "250")]),
            no_env(),
        )
        .unwrap();
        assert_eq!(
            o.concurrency,
            Concurrency::Lock {
                settle: Duration::from_millis(250)
            }
        );
        let o =
            open_with_env("s3://bucket/p", &opts(&[("concurrency", "lock")]), no_env()).unwrap();
        assert_eq!(
            o.concurrency,
            Concurrency::Lock {
                settle: DEFAULT_LOCK_SETTLE
            }
        );
    }

    #[test]
    fn object_store_urls() {
        assert!(is_object_store_url("S3://b/p"));
        assert!(is_object_store_url("az://c/p"));
        assert!(!is_object_store_url("memory://"));
        assert!(accepted_options("file:///x").is_none());
    }
}
