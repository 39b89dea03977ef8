//! The shared webhook secret and the signature check.

use std::fmt;

use hmac::{Hmac, Mac};
use http::HeaderMap;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::error::{Error, Result};

/// The environment variable [`WebhookSecret::from_env`] reads.
pub const SECRET_ENV: &str = "JIRAFE_WEBHOOK_SECRET";

/// The headers that carry the signature. Jira sends `X-Hub-Signature`; the `-256` form
/// is accepted too. When both are present, both must verify.
pub const SIGNATURE_HEADERS: [&str; 2] = ["x-hub-signature", "x-hub-signature-256"];

/// The secret a Jira admin enters when registering the webhook.
///
/// Its `Debug` and `Display` print `**REDACTED**`; it is never logged, stored or
/// reported by `/health` (which only says whether one is set).
///
/// ```
/// use jirafe_webhook::WebhookSecret;
/// let s = WebhookSecret::new("b3a7c1e9f0d24c5e8a6b1f2d3c4e5a6b").unwrap();
/// assert_eq!(format!("{s:?}"), "WebhookSecret(**REDACTED**)");
/// assert!(WebhookSecret::new("short").is_err());
/// ```
#[derive(Clone)]
pub struct WebhookSecret {
    /// The HMAC state after absorbing the key; cloned per request.
    keyed: Hmac<Sha256>,
}

impl WebhookSecret {
    /// The shortest secret accepted, in bytes.
    pub const MIN_LEN: usize = 16;

    /// Wraps a secret.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] if it is shorter than [`WebhookSecret::MIN_LEN`] bytes:
    /// generate one with `openssl rand -hex 32`.
    pub fn new(secret: impl AsRef<[u8]>) -> Result<Self> {
        let bytes = secret.as_ref();
        if bytes.len() < Self::MIN_LEN {
            return Err(Error::InvalidConfig {
                key: SECRET_ENV,
                reason: "the webhook secret must be at least 16 bytes (try `openssl rand -hex 32`)",
            });
        }
        let keyed =
            <Hmac<Sha256> as Mac>::new_from_slice(bytes).map_err(|_| Error::InvalidConfig {
                key: SECRET_ENV,
                reason: "the webhook secret cannot be used as an HMAC key",
            })?;
        Ok(Self { keyed })
    }

    /// Reads [`SECRET_ENV`]. Unset or empty is `Ok(None)`: the receiver then answers
    /// every delivery with 503 until a secret is configured.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] if it is set but too short or not valid Unicode.
    pub fn from_env() -> Result<Option<Self>> {
        match std::env::var(SECRET_ENV) {
            Ok(v) if v.is_empty() => Ok(None),
            Ok(v) => Self::new(v).map(Some),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(Error::InvalidConfig {
                key: SECRET_ENV,
                reason: "is not valid Unicode",
            }),
        }
    }

    /// `sha256=<hex>` over `body`: what Jira puts in `X-Hub-Signature`. For tests and
    /// load generators that play Jira.
    ///
    /// ```
    /// use jirafe_webhook::WebhookSecret;
    /// let s = WebhookSecret::new("0123456789abcdef0123456789abcdef").unwrap();
    /// let sig = s.sign(b"{}");
    /// assert!(sig.starts_with("sha256=") && sig.len() == 7 + 64);
    /// ```
    pub fn sign(&self, body: &[u8]) -> String {
        let mut mac = self.mac();
        mac.update(body);
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    }

    pub(crate) fn mac(&self) -> Hmac<Sha256> {
        self.keyed.clone()
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(**REDACTED**)")
    }
}

impl fmt::Display for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("**REDACTED**")
    }
}

/// The signatures a request claims, decoded; `None` if any header is missing its
/// `sha256=` prefix, repeated, not 64 hex digits, or if there is none.
pub(crate) fn claimed_signatures(headers: &HeaderMap) -> Option<Vec<[u8; 32]>> {
    let mut out = Vec::with_capacity(2);
    for name in SIGNATURE_HEADERS {
        let mut values = headers.get_all(name).iter();
        let Some(value) = values.next() else { continue };
        if values.next().is_some() {
            return None;
        }
        let hex_part = value.as_bytes().strip_prefix(b"sha256=")?;
        let mut sig = [0u8; 32];
        hex::decode_to_slice(hex_part, &mut sig).ok()?;
        out.push(sig);
    }
    (!out.is_empty()).then_some(out)
}

/// Verifies every claimed signature against `body`, comparing in constant time.
pub(crate) fn verify(secret: &WebhookSecret, body: &[u8], claimed: &[[u8; 32]]) -> bool {
    let mut mac = secret.mac();
    mac.update(body);
    let tag = mac.finalize().into_bytes();
    let mut all = subtle::Choice::from(u8::from(!claimed.is_empty()));
    for sig in claimed {
        all &= tag.as_slice().ct_eq(sig.as_slice());
    }
    bool::from(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> WebhookSecret {
        WebhookSecret::new("0123456789abcdef0123456789abcdef").unwrap()
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                http::HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn known_vector() {
        // Computed independently (Python's hmac module).
        let s = secret();
        let sig = s.sign(b"hello");
        assert_eq!(
            sig,
            "sha256=db68b47b63c2397eac785025b1c9c2103ae06c28998234a783b3eb6453d1ad70"
        );
        let h = headers(&[("X-Hub-Signature", &sig)]);
        let claimed = claimed_signatures(&h).unwrap();
        assert!(verify(&s, b"hello", &claimed));
        assert!(!verify(&s, b"hellO", &claimed));
        assert!(!verify(&s, b"hello", &[]));
    }

    #[test]
    fn header_forms() {
        let s = secret();
        let sig = s.sign(b"x");
        let upper = format!("sha256={}", sig["sha256=".len()..].to_uppercase());
        assert!(claimed_signatures(&headers(&[("x-hub-signature-256", &sig)])).is_some());
        assert!(claimed_signatures(&headers(&[("x-hub-signature", &upper)])).is_some());
        for bad in [
            "",
            "sha256=",
            "sha1=0123456789abcdef0123456789abcdef01234567",
            "SHA256=0000000000000000000000000000000000000000000000000000000000000000",
            "sha256=000000000000000000000000000000000000000000000000000000000000000",
            "sha256=00000000000000000000000000000000000000000000000000000000000000000",
            "sha256=000000000000000000000000000000000000000000000000000000000000000g",
            " sha256=0000000000000000000000000000000000000000000000000000000000000000",
            "sha256=0000000000000000000000000000000000000000000000000000000000000000 ",
        ] {
            assert!(
                claimed_signatures(&headers(&[("x-hub-signature", bad)])).is_none(),
                "{bad:?}"
            );
        }
        assert!(
            claimed_signatures(&headers(&[
                ("x-hub-signature", &sig),
                ("x-hub-signature", &sig)
            ]))
            .is_none()
        );
        assert!(claimed_signatures(&HeaderMap::new()).is_none());
    }

    #[test]
    fn both_headers_must_verify() {
        let s = secret();
        let good = s.sign(b"x");
        let other = s.sign(b"y");
        let h = headers(&[("x-hub-signature", &good), ("x-hub-signature-256", &other)]);
        assert!(!verify(&s, b"x", &claimed_signatures(&h).unwrap()));
        let h = headers(&[("x-hub-signature", &good), ("x-hub-signature-256", &good)]);
        assert!(verify(&s, b"x", &claimed_signatures(&h).unwrap()));
    }
}
