//! The kinds of personal data and secrets the scrubber finds.

use serde::{Deserialize, Serialize};

/// A kind of finding. Each has a typed placeholder and its own pseudonym domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Kind {
    /// E-mail addresses.
    Email,
    /// Phone numbers (international and national formats, extensions).
    Phone,
    /// Person names: the run's directory of users and non-users found by context.
    Person,
    /// API tokens, cloud keys, JWTs, private keys, `password=` assignments,
    /// `Authorization:` headers, high-entropy strings in secret-like context.
    Secret,
    /// Payment card numbers (Luhn-valid, known issuer prefixes).
    Card,
    /// International bank account numbers (mod-97 valid).
    Iban,
    /// IPv4 and IPv6 addresses.
    Ip,
    /// National identifiers: US SSN, UK NINO.
    NationalId,
    /// Credentials in URLs (`user:pass@`) and token-like query parameter values.
    UrlCredentials,
}

impl Kind {
    /// Number of kinds.
    pub const COUNT: usize = 9;

    /// Every kind, in a stable order (the order of [`Kind::index`]).
    pub const ALL: [Kind; Kind::COUNT] = [
        Kind::Email,
        Kind::Phone,
        Kind::Person,
        Kind::Secret,
        Kind::Card,
        Kind::Iban,
        Kind::Ip,
        Kind::NationalId,
        Kind::UrlCredentials,
    ];

    /// A dense index in `0..Kind::COUNT`.
    ///
    /// ```
    /// use jirafe_pii_scrub::Kind;
    /// assert_eq!(Kind::Email.index(), 0);
    /// assert!(Kind::ALL.iter().enumerate().all(|(i, k)| k.index() == i));
    /// ```
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The typed placeholder that replaces a finding of this kind.
    ///
    /// ```
    /// use jirafe_pii_scrub::Kind;
    /// assert_eq!(Kind::Email.placeholder(), "[EMAIL]");
    /// assert_eq!(Kind::UrlCredentials.placeholder(), "[URL_CREDENTIALS]");
    /// ```
    pub const fn placeholder(self) -> &'static str {
        match self {
            Kind::Email => "[EMAIL]",
            Kind::Phone => "[PHONE]",
            Kind::Person => "[PERSON]",
            Kind::Secret => "[SECRET]",
            Kind::Card => "[CARD]",
            Kind::Iban => "[IBAN]",
            Kind::Ip => "[IP]",
            Kind::NationalId => "[NATIONAL_ID]",
            Kind::UrlCredentials => "[URL_CREDENTIALS]",
        }
    }

    /// The placeholder's tag without brackets (`EMAIL`, `PERSON`, …).
    pub const fn tag(self) -> &'static str {
        match self {
            Kind::Email => "EMAIL",
            Kind::Phone => "PHONE",
            Kind::Person => "PERSON",
            Kind::Secret => "SECRET",
            Kind::Card => "CARD",
            Kind::Iban => "IBAN",
            Kind::Ip => "IP",
            Kind::NationalId => "NATIONAL_ID",
            Kind::UrlCredentials => "URL_CREDENTIALS",
        }
    }

    /// The snake_case name used in configuration, metrics and the audit log.
    pub const fn name(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Person => "person",
            Kind::Secret => "secret",
            Kind::Card => "card",
            Kind::Iban => "iban",
            Kind::Ip => "ip",
            Kind::NationalId => "national_id",
            Kind::UrlCredentials => "url_credentials",
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
