//! `s3://bucket/prefix`: an `AmazonS3` store from options and the environment.

use std::sync::Arc;

use object_store::ObjectStore;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey, S3ConditionalPut};
use object_store::{ClientConfigKey, RetryConfig};

use crate::error::{Error, Result};
use crate::options::{Options, parse_bool};

/// Server-side encryption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sse {
    /// SSE-S3 (`AES256`).
    S3,
    /// SSE-KMS (`aws:kms`).
    Kms,
    /// DSSE-KMS (`aws:kms:dsse`).
    DsseKms,
}

impl Sse {
    fn parse(v: &str) -> Result<Option<Sse>> {
        match v.to_ascii_lowercase().as_str() {
            "none" | "off" => Ok(None),
            "aes256" | "sse-s3" | "s3" => Ok(Some(Sse::S3)),
            "aws:kms" | "sse-kms" | "kms" => Ok(Some(Sse::Kms)),
            "aws:kms:dsse" | "dsse-kms" => Ok(Some(Sse::DsseKms)),
            _ => Err(Error::InvalidOption {
                key: "sse",
                reason: "must be one of none, AES256 (sse-s3), aws:kms (sse-kms), aws:kms:dsse (dsse-kms)"
                    .into(),
            }),
        }
    }

    fn header_value(self) -> &'static str {
        match self {
            Sse::S3 => "AES256",
            Sse::Kms => "aws:kms",
            Sse::DsseKms => "aws:kms:dsse",
        }
    }
}

/// Is `endpoint` a plain-HTTP URL whose host is loopback?
pub(crate) fn is_loopback_http(endpoint: &str) -> bool {
    let Ok(u) = url::Url::parse(endpoint) else {
        return false;
    };
    if u.scheme() != "http" {
        return false;
    }
    match u.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Variables [`build`] reads itself, so that options take precedence over them.
const HANDLED_HERE: &[&str] = &[
    "AWS_ALLOW_HTTP",
    "AWS_ENDPOINT",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_VIRTUAL_HOSTED_STYLE_REQUEST",
    "AWS_CONDITIONAL_PUT",
];

/// The builder before options: every `AWS_*` variable `object_store` knows, from `env`.
fn from_env(env: &[(String, String)]) -> AmazonS3Builder {
    let mut b = AmazonS3Builder::new();
    for (key, value) in env {
        if key.starts_with("AWS_")
            && !HANDLED_HERE.contains(&key.as_str())
            && let Ok(k) = key.to_ascii_lowercase().parse::<AmazonS3ConfigKey>()
        {
            b = b.with_config(k, value);
        }
    }
    b
}

fn env_value<'e>(env: &'e [(String, String)], key: &str) -> Option<&'e str> {
    env.iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

pub(crate) fn build(
    bucket: &str,
    opts: &Options<'_>,
    retry: RetryConfig,
    env: &[(String, String)],
) -> Result<Arc<dyn ObjectStore>> {
    let mut b = from_env(env).with_bucket_name(bucket).with_retry(retry);

    if let Some(region) = opts.get("region") {
        b = b.with_region(region);
    } else if env_value(env, "AWS_REGION").is_none()
        && let Some(region) = env_value(env, "AWS_DEFAULT_REGION")
    {
        b = b.with_region(region);
    }

    let endpoint = opts
        .get("endpoint")
        .or_else(|| env_value(env, "AWS_ENDPOINT_URL_S3"))
        .or_else(|| env_value(env, "AWS_ENDPOINT_URL"))
        .or_else(|| env_value(env, "AWS_ENDPOINT"));
    if let Some(e) = endpoint {
        let parsed = url::Url::parse(e).map_err(|_| Error::InvalidOption {
            key: "endpoint",
            reason: "must be an absolute http(s) URL such as https://s3.example.net".into(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https")
            || parsed.host().is_none()
            || !parsed.username().is_empty()
            || parsed.password().is_some()
        {
            return Err(Error::InvalidOption {
                key: "endpoint",
                reason: "must be an http(s) URL with a host and no user-info".into(),
            });
        }
    }

    // Path style for S3-compatible servers (an endpoint is set), virtual-hosted for AWS.
    let virtual_hosted = match opts.get("addressing_style") {
        None => endpoint.is_none(),
        Some(v) => match v.to_ascii_lowercase().as_str() {
            "path" => false,
            "virtual" | "virtual-hosted" | "virtual_hosted" => true,
            _ => {
                return Err(Error::InvalidOption {
                    key: "addressing_style",
                    reason: "must be 'path' or 'virtual'".into(),
                });
            }
        },
    };
    if let Some(e) = endpoint {
        let e = if virtual_hosted {
            // object_store wants the bucket in a virtual-hosted endpoint's host name.
            let mut u = url::Url::parse(e).map_err(|_| Error::InvalidOption {
                key: "endpoint",
                reason: "must be an absolute http(s) URL".into(),
            })?;
            let host = u.host_str().unwrap_or_default().to_owned();
            if !host.starts_with(&format!("{bucket}.")) {
                u.set_host(Some(&format!("{bucket}.{host}"))).map_err(|_| {
                    Error::InvalidOption {
                        key: "addressing_style",
                        reason: "'virtual' needs an endpoint with a host name".into(),
                    }
                })?;
            }
            u.as_str().trim_end_matches('/').to_owned()
        } else {
            e.trim_end_matches('/').to_owned()
        };
        b = b.with_endpoint(e);
    }
    b = b.with_virtual_hosted_style_request(virtual_hosted);

    // Plain HTTP: explicit `allow_http`, else `AWS_ALLOW_HTTP`, else only for loopback.
    let allow_http = match opts.bool("allow_http")? {
        Some(v) => v,
        None => match env_value(env, "AWS_ALLOW_HTTP") {
            Some(v) => parse_bool("allow_http", v)?,
            None => endpoint.is_some_and(is_loopback_http),
        },
    };
    b = b.with_allow_http(allow_http);

    // Partition writes rely on If-None-Match / If-Match; never let the environment
    // switch them off (AWS_CONDITIONAL_PUT is ignored).
    b = b.with_conditional_put(S3ConditionalPut::ETagMatch);

    let sse = opts.get("sse").map(Sse::parse).transpose()?.flatten();
    let kms_key = opts.get("sse_kms_key_id");
    let bucket_key = opts.bool("sse_bucket_key")?;
    match (sse, kms_key) {
        (Some(Sse::S3), Some(_)) => {
            return Err(Error::InvalidOption {
                key: "sse_kms_key_id",
                reason: "needs sse = aws:kms or aws:kms:dsse (AES256 uses S3-managed keys)".into(),
            });
        }
        (None, Some(_)) if opts.get("sse").is_some() => {
            return Err(Error::InvalidOption {
                key: "sse_kms_key_id",
                reason: "is set but sse = none".into(),
            });
        }
        (None, Some(k)) | (Some(Sse::Kms), Some(k)) => b = b.with_sse_kms_encryption(k),
        (Some(Sse::DsseKms), Some(k)) => b = b.with_dsse_kms_encryption(k),
        (Some(s), None) => {
            let key: AmazonS3ConfigKey = "aws_server_side_encryption"
                .parse()
                .map_err(|source| Error::Build { source })?;
            b = b.with_config(key, s.header_value());
        }
        (None, None) => {}
    }
    if let Some(enabled) = bucket_key {
        if !matches!(sse, Some(Sse::Kms | Sse::DsseKms)) && kms_key.is_none() {
            return Err(Error::InvalidOption {
                key: "sse_bucket_key",
                reason: "applies to SSE-KMS only (set sse = aws:kms)".into(),
            });
        }
        b = b.with_bucket_key(enabled);
    }

    for (key, value) in opts.client_timeouts()? {
        let k: ClientConfigKey = key.parse().map_err(|source| Error::Build { source })?;
        b = b.with_config(AmazonS3ConfigKey::Client(k), value);
    }

    let store = b.build().map_err(|source| Error::Build { source })?;
    Ok(Arc::new(store))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_http_is_recognised() {
        assert!(is_loopback_http("http://127.0.0.1:9000"));
        assert!(is_loopback_http("http://localhost:9000/"));
        assert!(is_loopback_http("http://[::1]:9000"));
        assert!(!is_loopback_http("https://127.0.0.1:9000"));
        assert!(!is_loopback_http("http://10.0.0.1:9000"));
        assert!(!is_loopback_http("http://s3.example.net"));
    }

    #[test]
    fn sse_spellings() {
        assert_eq!(Sse::parse("AES256").unwrap(), Some(Sse::S3));
        assert_eq!(Sse::parse("sse-kms").unwrap(), Some(Sse::Kms));
        assert_eq!(Sse::parse("aws:kms:dsse").unwrap(), Some(Sse::DsseKms));
        assert_eq!(Sse::parse("none").unwrap(), None);
        assert!(Sse::parse("rot13").is_err());
    }
}
