//! What to do with each table and column, which detectors run, and how findings
//! are replaced. Plain data, read from the `[privacy]` part of `jirafe.toml`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Kind, Redaction};

/// What happens to one column of one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnAction {
    /// Stored as is (ids, timestamps, enum-like values).
    Keep,
    /// Replaced by its keyed pseudonym ([`crate::Domain::Column`]).
    Pseudonymize,
    /// Free text: run through the [`crate::Scrubber`]. The safe default.
    #[default]
    Scrub,
    /// Not stored at all (the column is written as null).
    Drop,
}

/// Which detectors run. Every detector is on unless switched off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[allow(clippy::struct_excessive_bools)]
pub struct Detectors {
    /// [`Kind::Email`].
    pub email: bool,
    /// [`Kind::Phone`].
    pub phone: bool,
    /// [`Kind::Person`] (directory and non-user names).
    pub person: bool,
    /// [`Kind::Secret`].
    pub secret: bool,
    /// [`Kind::Card`].
    pub card: bool,
    /// [`Kind::Iban`].
    pub iban: bool,
    /// [`Kind::Ip`].
    pub ip: bool,
    /// [`Kind::NationalId`].
    pub national_id: bool,
    /// [`Kind::UrlCredentials`].
    pub url_credentials: bool,
}

impl Default for Detectors {
    fn default() -> Self {
        Self::all()
    }
}

impl Detectors {
    /// Every detector on.
    pub const fn all() -> Self {
        Self {
            email: true,
            phone: true,
            person: true,
            secret: true,
            card: true,
            iban: true,
            ip: true,
            national_id: true,
            url_credentials: true,
        }
    }

    /// Every detector off.
    pub const fn none() -> Self {
        Self {
            email: false,
            phone: false,
            person: false,
            secret: false,
            card: false,
            iban: false,
            ip: false,
            national_id: false,
            url_credentials: false,
        }
    }

    /// Whether the detector for `kind` runs.
    pub const fn is_enabled(&self, kind: Kind) -> bool {
        match kind {
            Kind::Email => self.email,
            Kind::Phone => self.phone,
            Kind::Person => self.person,
            Kind::Secret => self.secret,
            Kind::Card => self.card,
            Kind::Iban => self.iban,
            Kind::Ip => self.ip,
            Kind::NationalId => self.national_id,
            Kind::UrlCredentials => self.url_credentials,
        }
    }

    /// Switches the detector for `kind` on or off.
    pub fn set(&mut self, kind: Kind, on: bool) {
        let slot = match kind {
            Kind::Email => &mut self.email,
            Kind::Phone => &mut self.phone,
            Kind::Person => &mut self.person,
            Kind::Secret => &mut self.secret,
            Kind::Card => &mut self.card,
            Kind::Iban => &mut self.iban,
            Kind::Ip => &mut self.ip,
            Kind::NationalId => &mut self.national_id,
            Kind::UrlCredentials => &mut self.url_credentials,
        };
        *slot = on;
    }
}

/// The privacy policy: per table and column actions, detectors, redaction style,
/// an allow-list and the opt-out list.
///
/// Unknown keys are rejected (`deny_unknown_fields`); everything missing takes
/// the safe default: all detectors on, typed placeholders, unknown columns scrubbed.
///
/// ```
/// use jirafe_pii_scrub::{ColumnAction, Kind, Policy, Redaction};
/// let policy: Policy = serde_json::from_str(r#"{
///     "allow": ["support@example.com"],
///     "opt_out": ["5b10ac8d82e05b22cc7d4ef5"],
///     "detectors": { "phone": false },
///     "redaction": { "email": "pseudonym" },
///     "tables": {
///         "issues": { "id": "keep", "key": "keep", "environment": "drop", "*": "scrub" },
///         "users": { "account_id": "pseudonymize" }
///     }
/// }"#)?;
/// assert_eq!(policy.action("issues", "key"), ColumnAction::Keep);
/// assert_eq!(policy.action("issues", "summary"), ColumnAction::Scrub);
/// assert_eq!(policy.action("comments", "body"), ColumnAction::Scrub);
/// assert!(!policy.detectors.phone && policy.detectors.email);
/// assert_eq!(policy.redaction_for(Kind::Email), Redaction::Pseudonym);
/// assert!(serde_json::from_str::<Policy>(r#"{"detector": {}}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// Which detectors run (all by default).
    pub detectors: Detectors,
    /// How findings of a kind are replaced (typed placeholders by default).
    pub redaction: BTreeMap<Kind, Redaction>,
    /// Exact values that are never redacted (compared case-insensitively), for
    /// example a public support address.
    pub allow: Vec<String>,
    /// Account ids or e-mail addresses of people who opted out.
    pub opt_out: Vec<String>,
    /// The action for columns not listed in `tables` (default: scrub).
    pub default_action: ColumnAction,
    /// Per table, per column actions. A column named `*` sets the table's default.
    pub tables: BTreeMap<String, BTreeMap<String, ColumnAction>>,
}

impl Policy {
    /// The action for `column` of `table`: the column's own entry, else the
    /// table's `*` entry, else [`Policy::default_action`].
    pub fn action(&self, table: &str, column: &str) -> ColumnAction {
        self.tables
            .get(table)
            .and_then(|cols| cols.get(column).or_else(|| cols.get("*")))
            .copied()
            .unwrap_or(self.default_action)
    }

    /// The redaction style for findings of `kind`.
    pub fn redaction_for(&self, kind: Kind) -> Redaction {
        self.redaction.get(&kind).copied().unwrap_or_default()
    }
}
