//! Option keys: which are accepted per store, how values are parsed, and which are refused
//! because they are credentials.

use std::collections::BTreeMap;
use std::time::Duration;

use object_store::{BackoffConfig, RetryConfig};

use crate::Concurrency;
use crate::error::{Error, Result};

/// Keys every store accepts.
pub(crate) const COMMON_KEYS: &[&str] = &[
    "concurrency",
    "connect_timeout_secs",
    "lock_settle_ms",
    "max_retries",
    "retry_initial_backoff_ms",
    "retry_max_backoff_secs",
    "retry_timeout_secs",
    "timeout_secs",
];

/// Keys `s3://` accepts (besides [`COMMON_KEYS`]).
pub(crate) const S3_KEYS: &[&str] = &[
    "addressing_style",
    "allow_http",
    "endpoint",
    "region",
    "sse",
    "sse_bucket_key",
    "sse_kms_key_id",
];

/// Keys `gs://` accepts (besides [`COMMON_KEYS`]).
#[cfg_attr(not(feature = "gcp"), allow(dead_code))]
pub(crate) const GCS_KEYS: &[&str] = &[];

/// Keys `az://` accepts (besides [`COMMON_KEYS`]).
#[cfg_attr(not(feature = "azure"), allow(dead_code))]
pub(crate) const AZURE_KEYS: &[&str] = &["account", "allow_http", "endpoint"];

/// Keys that would put a credential into the configuration, with the variable to use.
const CREDENTIAL_KEYS: &[(&str, &str)] = &[
    ("access_key_id", "AWS_ACCESS_KEY_ID"),
    ("aws_access_key_id", "AWS_ACCESS_KEY_ID"),
    ("secret_access_key", "AWS_SECRET_ACCESS_KEY"),
    ("aws_secret_access_key", "AWS_SECRET_ACCESS_KEY"),
    ("session_token", "AWS_SESSION_TOKEN"),
    ("aws_session_token", "AWS_SESSION_TOKEN"),
    ("token", "AWS_SESSION_TOKEN"),
    ("sse_customer_key_base64", "AWS_SSE_CUSTOMER_KEY_BASE64"),
    ("access_key", "AZURE_STORAGE_ACCOUNT_KEY"),
    ("account_key", "AZURE_STORAGE_ACCOUNT_KEY"),
    ("sas_token", "AZURE_STORAGE_SAS_TOKEN"),
    ("client_secret", "AZURE_STORAGE_CLIENT_SECRET"),
    ("service_account_key", "GOOGLE_SERVICE_ACCOUNT_KEY"),
];

/// The options of one store, checked against its accepted keys. Values are read once;
/// every key must be consumed or it is reported as unknown.
#[derive(Debug)]
pub(crate) struct Options<'a> {
    values: &'a BTreeMap<String, String>,
}

impl<'a> Options<'a> {
    /// Checks every key against `own` and [`COMMON_KEYS`].
    pub(crate) fn check(
        scheme: &'static str,
        own: &[&str],
        values: &'a BTreeMap<String, String>,
    ) -> Result<Self> {
        for key in values.keys() {
            let k = key.as_str();
            if own.contains(&k) || COMMON_KEYS.contains(&k) {
                continue;
            }
            if let Some((_, variable)) = CREDENTIAL_KEYS.iter().find(|(c, _)| *c == k) {
                return Err(Error::CredentialOption {
                    key: key.clone(),
                    variable,
                });
            }
            let mut accepted: Vec<&str> = own.iter().chain(COMMON_KEYS).copied().collect();
            accepted.sort_unstable();
            return Err(Error::UnknownOption {
                key: key.clone(),
                scheme,
                accepted: accepted.join(", "),
            });
        }
        Ok(Options { values })
    }

    /// A trimmed, non-empty value.
    pub(crate) fn get(&self, key: &'static str) -> Option<&'a str> {
        self.values
            .get(key)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// A boolean (`true`/`false`, `yes`/`no`, `1`/`0`, `on`/`off`).
    pub(crate) fn bool(&self, key: &'static str) -> Result<Option<bool>> {
        self.get(key).map(|v| parse_bool(key, v)).transpose()
    }

    /// A whole number.
    pub(crate) fn u64(&self, key: &'static str) -> Result<Option<u64>> {
        self.get(key)
            .map(|v| {
                v.parse::<u64>().map_err(|_| Error::InvalidOption {
                    key,
                    reason: "must be a whole number".into(),
                })
            })
            .transpose()
    }

    /// The retry policy: `max_retries` (default 10), `retry_initial_backoff_ms` (100),
    /// `retry_max_backoff_secs` (15), `retry_timeout_secs` (180).
    pub(crate) fn retry(&self) -> Result<RetryConfig> {
        let default = RetryConfig::default();
        let backoff = BackoffConfig {
            init_backoff: self
                .u64("retry_initial_backoff_ms")?
                .map_or(default.backoff.init_backoff, Duration::from_millis),
            max_backoff: self
                .u64("retry_max_backoff_secs")?
                .map_or(default.backoff.max_backoff, Duration::from_secs),
            base: default.backoff.base,
        };
        if backoff.init_backoff.is_zero() {
            return Err(Error::InvalidOption {
                key: "retry_initial_backoff_ms",
                reason: "must be at least 1".into(),
            });
        }
        if backoff.max_backoff < backoff.init_backoff {
            return Err(Error::InvalidOption {
                key: "retry_max_backoff_secs",
                reason: "must not be shorter than retry_initial_backoff_ms".into(),
            });
        }
        let max_retries = match self.u64("max_retries")? {
            Some(n) => usize::try_from(n).map_err(|_| Error::InvalidOption {
                key: "max_retries",
                reason: "is too large".into(),
            })?,
            None => default.max_retries,
        };
        Ok(RetryConfig {
            backoff,
            max_retries,
            retry_timeout: self
                .u64("retry_timeout_secs")?
                .map_or(default.retry_timeout, Duration::from_secs),
        })
    }

    /// `concurrency` (`conditional_put` or `lock`) and `lock_settle_ms` (lock only,
    /// 10 ms to 60 s, default 1000).
    pub(crate) fn concurrency(&self) -> Result<Concurrency> {
        let settle = self.u64("lock_settle_ms")?;
        match self.get("concurrency").map(str::to_ascii_lowercase).as_deref() {
            None | Some("conditional_put") => match settle {
                Some(_) => Err(Error::InvalidOption {
                    key: "lock_settle_ms",
                    reason: "applies only with concurrency = lock".into(),
                }),
                None => Ok(Concurrency::ConditionalPut),
            },
            Some("lock") => {
                let settle = match settle {
                    None => crate::DEFAULT_LOCK_SETTLE,
                    Some(ms) if (10..=60_000).contains(&ms) => Duration::from_millis(ms),
                    Some(_) => {
                        return Err(Error::InvalidOption {
                            key: "lock_settle_ms",
                            reason: "must be between 10 and 60000".into(),
                        });
                    }
                };
                Ok(Concurrency::Lock { settle })
            }
            Some(_) => Err(Error::InvalidOption {
                key: "concurrency",
                reason: "must be 'conditional_put' (the default: the store's If-Match is atomic) or 'lock'"
                    .into(),
            }),
        }
    }

    /// `(key, value)` pairs for the HTTP client: `timeout_secs`, `connect_timeout_secs`,
    /// rendered as `object_store` durations.
    pub(crate) fn client_timeouts(&self) -> Result<Vec<(&'static str, String)>> {
        let mut out = Vec::new();
        for (key, client_key) in [
            ("timeout_secs", "timeout"),
            ("connect_timeout_secs", "connect_timeout"),
        ] {
            if let Some(secs) = self.u64(key)? {
                if secs == 0 {
                    return Err(Error::InvalidOption {
                        key,
                        reason: "must be at least 1 second".into(),
                    });
                }
                out.push((client_key, format!("{secs}s")));
            }
        }
        Ok(out)
    }
}

pub(crate) fn parse_bool(key: &'static str, v: &str) -> Result<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "on" => Ok(true),
        "false" | "no" | "0" | "off" => Ok(false),
        _ => Err(Error::InvalidOption {
            key,
            reason: "must be true or false".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn unknown_keys_are_named_with_the_accepted_ones() {
        let m = map(&[("regoin", "eu-west-1")]);
        let e = Options::check("s3", S3_KEYS, &m).unwrap_err().to_string();
        assert!(e.contains("'regoin'"), "{e}");
        assert!(e.contains("region, retry_initial_backoff_ms"), "{e}");
        assert!(e.contains("sse_kms_key_id"), "{e}");
    }

    #[test]
    fn credential_keys_point_to_the_environment_and_are_not_echoed() {
        let m = map(&[("secret_access_key", "do-not-print-me")]);
        let e = Options::check("s3", S3_KEYS, &m).unwrap_err().to_string();
        assert!(e.contains("AWS_SECRET_ACCESS_KEY"), "{e}");
        assert!(!e.contains("do-not-print-me"), "{e}");
    }

    #[test]
    fn retry_settings_are_parsed_and_checked() {
        let m = map(&[
            ("max_retries", "3"),
            ("retry_initial_backoff_ms", "20"),
            ("retry_max_backoff_secs", "2"),
            ("retry_timeout_secs", "30"),
        ]);
        let r = Options::check("s3", S3_KEYS, &m).unwrap().retry().unwrap();
        assert_eq!(r.max_retries, 3);
        assert_eq!(r.backoff.init_backoff, Duration::from_millis(20));
        assert_eq!(r.backoff.max_backoff, Duration::from_secs(2));
        assert_eq!(r.retry_timeout, Duration::from_secs(30));

        let m = map(&[("max_retries", "three")]);
        let e = Options::check("s3", S3_KEYS, &m)
            .unwrap()
            .retry()
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("max_retries") && e.contains("whole number"),
            "{e}"
        );
        let m = map(&[("retry_initial_backoff_ms", "0")]);
        assert!(Options::check("s3", S3_KEYS, &m).unwrap().retry().is_err());
    }

    #[test]
    fn booleans_take_the_usual_spellings() {
        for (v, want) in [("true", true), ("Yes", true), ("0", false), ("off", false)] {
            assert_eq!(parse_bool("allow_http", v).unwrap(), want, "{v}");
        }
        assert!(parse_bool("allow_http", "maybe").is_err());
    }
}
