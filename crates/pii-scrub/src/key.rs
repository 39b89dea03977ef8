//! Keyed pseudonyms: `HMAC-SHA256(key, domain || value)`.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::{Error, Kind, Result};

type HmacSha256 = Hmac<Sha256>;

/// Length of a rendered [`Pseudonym`] in characters (and bytes).
///
/// 16 bytes (128 bits) of the HMAC, base64url without padding: 22 characters from
/// `[A-Za-z0-9_-]`.
pub const PSEUDONYM_LEN: usize = 22;

/// The pseudonym given to every opted-out person: a constant of [`PSEUDONYM_LEN`]
/// characters, so opted-out people cannot be told apart from one another.
pub const OPTED_OUT_PSEUDONYM: &str = "opted-out-000000000000";

/// The secret key behind every pseudonym.
///
/// `Debug` prints `**REDACTED**`; the bytes are zeroed when the key is dropped.
/// Keys shorter than [`HashKey::MIN_LEN`] bytes are refused.
///
/// ```
/// use jirafe_pii_scrub::HashKey;
/// let key = HashKey::from_env_value(
///     "hex:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
/// )?;
/// assert_eq!(format!("{key:?}"), "HashKey(**REDACTED**)");
/// assert_eq!(key.key_id().len(), 16);
/// assert!(HashKey::from_bytes(b"too short").is_err());
/// # Ok::<(), jirafe_pii_scrub::Error>(())
/// ```
#[derive(Clone)]
pub struct HashKey {
    bytes: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for HashKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HashKey(**REDACTED**)")
    }
}

impl HashKey {
    /// Minimum key length in bytes (256 bits).
    pub const MIN_LEN: usize = 32;

    /// A key from raw bytes.
    ///
    /// # Errors
    /// [`Error::KeyTooShort`] if `bytes` is shorter than [`HashKey::MIN_LEN`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() < Self::MIN_LEN {
            return Err(Error::KeyTooShort { len: bytes.len() });
        }
        Ok(Self {
            bytes: Zeroizing::new(bytes.to_vec()),
        })
    }

    /// A key from the text of an environment variable such as `JIRAFE_HASH_KEY`.
    ///
    /// Surrounding whitespace is ignored. The text is read as:
    /// 1. `hex:<hex>` or `base64:<standard or URL-safe base64>` — explicit encodings;
    /// 2. otherwise, 64 or more hex digits (even count) — hex;
    /// 3. otherwise, base64 (standard or URL-safe, padded or not) that decodes to at
    ///    least 32 bytes;
    /// 4. otherwise, the UTF-8 bytes of the text itself (a passphrase of ≥ 32 bytes).
    ///
    /// # Errors
    /// [`Error::KeyEncoding`] when an explicit prefix does not decode;
    /// [`Error::KeyTooShort`] when the result is shorter than 32 bytes.
    pub fn from_env_value(value: &str) -> Result<Self> {
        let value = value.trim();
        if let Some(hex) = value.strip_prefix("hex:") {
            let bytes = Zeroizing::new(
                hex::decode(hex.trim()).map_err(|_| Error::KeyEncoding { encoding: "hex" })?,
            );
            return Self::from_bytes(&bytes);
        }
        if let Some(b64) = value.strip_prefix("base64:") {
            let bytes = Zeroizing::new(
                decode_base64(b64.trim()).ok_or(Error::KeyEncoding { encoding: "base64" })?,
            );
            return Self::from_bytes(&bytes);
        }
        if value.len() >= 64
            && value.len().is_multiple_of(2)
            && value.bytes().all(|b| b.is_ascii_hexdigit())
            && let Ok(bytes) = hex::decode(value)
        {
            return Self::from_bytes(&Zeroizing::new(bytes));
        }
        if let Some(bytes) = decode_base64(value).map(Zeroizing::new)
            && bytes.len() >= Self::MIN_LEN
        {
            return Self::from_bytes(&bytes);
        }
        Self::from_bytes(value.as_bytes())
    }

    /// A short, stable identifier of the key that reveals nothing about it: the
    /// first 8 bytes of `HMAC(key, "jirafe-key-id")` as 16 hex digits. Record it
    /// (in the audit log, beside the data) so key rotations are traceable.
    pub fn key_id(&self) -> String {
        let mut mac = self.mac();
        mac.update(b"jirafe-key-id");
        let out = mac.finalize().into_bytes();
        hex::encode(out.get(..8).unwrap_or_default())
    }

    /// The pseudonym of `value` in `domain`.
    ///
    /// Equal inputs give equal pseudonyms under one key; the same value in two
    /// domains gives unrelated pseudonyms.
    ///
    /// ```
    /// use jirafe_pii_scrub::{Domain, HashKey};
    /// let key = HashKey::from_bytes(&[7u8; 32])?;
    /// let a = key.pseudonym(Domain::AccountId, "5b10ac8d82e05b22cc7d4ef5");
    /// assert_eq!(a.as_str().len(), 22);
    /// assert_eq!(a, key.pseudonym(Domain::AccountId, "5b10ac8d82e05b22cc7d4ef5"));
    /// assert_ne!(a, key.pseudonym(Domain::Email, "5b10ac8d82e05b22cc7d4ef5"));
    /// # Ok::<(), jirafe_pii_scrub::Error>(())
    /// ```
    pub fn pseudonym(&self, domain: Domain<'_>, value: &str) -> Pseudonym {
        let mut mac = self.mac();
        domain.feed(&mut mac);
        mac.update(value.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut out = [0u8; PSEUDONYM_LEN];
        let first = digest.get(..16).unwrap_or_default();
        // 16 bytes encode to exactly 22 base64url characters without padding.
        let _ = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode_slice(first, &mut out);
        Pseudonym(out)
    }

    fn mac(&self) -> HmacSha256 {
        // RFC 2104: a key longer than the block is hashed first, then the key is
        // zero-padded to the block size. Doing this here makes construction infallible
        // and gives the same MAC as keying with the original bytes.
        let mut block = Zeroizing::new([0u8; 64]);
        if self.bytes.len() > block.len() {
            let digest = <Sha256 as sha2::Digest>::digest(self.bytes.as_slice());
            for (dst, src) in block.iter_mut().zip(digest.iter()) {
                *dst = *src;
            }
        } else {
            for (dst, src) in block.iter_mut().zip(self.bytes.iter()) {
                *dst = *src;
            }
        }
        <HmacSha256 as hmac::digest::KeyInit>::new(&(*block).into())
    }
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, URL_SAFE, STANDARD_NO_PAD, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(s).ok())
}

/// The domain a value is pseudonymized in, so equal strings of different kinds
/// never share a pseudonym. The domain tag is fed to the HMAC before the value,
/// followed by a zero byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Domain<'a> {
    /// Jira account ids (and Data Center user keys).
    AccountId,
    /// E-mail addresses (lower-case them first so case variants share a pseudonym).
    Email,
    /// A value found by a detector of this kind.
    Detected(Kind),
    /// A column value pseudonymized by policy, domain-separated by the column name.
    Column(&'a str),
}

impl Domain<'_> {
    fn feed(&self, mac: &mut HmacSha256) {
        mac.update(b"jirafe/v1/");
        match self {
            Domain::AccountId => mac.update(b"account-id"),
            Domain::Email => mac.update(b"email"),
            Domain::Detected(kind) => {
                mac.update(b"detected/");
                mac.update(kind.name().as_bytes());
            }
            Domain::Column(name) => {
                mac.update(b"column/");
                mac.update(name.as_bytes());
            }
        }
        mac.update(&[0]);
    }
}

/// A fixed-length, URL-safe pseudonym ([`PSEUDONYM_LEN`] characters of base64url).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pseudonym([u8; PSEUDONYM_LEN]);

impl Pseudonym {
    /// The constant pseudonym of opted-out people ([`OPTED_OUT_PSEUDONYM`]).
    pub fn opted_out() -> Self {
        let mut out = [0u8; PSEUDONYM_LEN];
        out.copy_from_slice(OPTED_OUT_PSEUDONYM.as_bytes());
        Pseudonym(out)
    }

    /// The pseudonym as text.
    pub fn as_str(&self) -> &str {
        // Always ASCII: base64url output or the opted-out constant.
        std::str::from_utf8(&self.0).unwrap_or(OPTED_OUT_PSEUDONYM)
    }
}

impl std::fmt::Display for Pseudonym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for Pseudonym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pseudonym({})", self.as_str())
    }
}

impl serde::Serialize for Pseudonym {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_value_forms_agree() {
        let raw = [0xabu8; 32];
        let hex = hex::encode(raw);
        let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
        let a = HashKey::from_env_value(&hex).unwrap();
        let b = HashKey::from_env_value(&format!("hex:{hex}")).unwrap();
        let c = HashKey::from_env_value(&b64).unwrap();
        let d = HashKey::from_env_value(&format!("base64:{b64}")).unwrap();
        let id = a.key_id();
        assert!([&b, &c, &d].iter().all(|k| k.key_id() == id));
    }

    #[test]
    fn short_keys_are_refused_with_length() {
        match HashKey::from_env_value("deadbeef") {
            Err(Error::KeyTooShort { len }) => assert!(len < 32),
            other => panic!("unexpected: {other:?}"),
        }
        assert!(matches!(
            HashKey::from_env_value("hex:zz"),
            Err(Error::KeyEncoding { encoding: "hex" })
        ));
    }

    #[test]
    fn passphrase_is_accepted_when_long_enough() {
        let k = HashKey::from_env_value("correct horse battery staple, twice over!").unwrap();
        assert_eq!(k.key_id().len(), 16);
    }

    #[test]
    fn pseudonyms_are_url_safe_and_key_dependent() {
        let k1 = HashKey::from_bytes(&[1u8; 32]).unwrap();
        let k2 = HashKey::from_bytes(&[2u8; 32]).unwrap();
        let p1 = k1.pseudonym(Domain::AccountId, "abc");
        let p2 = k2.pseudonym(Domain::AccountId, "abc");
        assert_ne!(p1, p2);
        assert!(
            p1.as_str()
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_ne!(k1.key_id(), k2.key_id());
        assert_ne!(
            k1.pseudonym(Domain::Column("a"), "bc"),
            k1.pseudonym(Domain::Column("ab"), "c")
        );
    }
}
