//! The privacy gate: implements `jirafe-schema`'s [`Privacy`] with `jirafe-pii-scrub`.
//!
//! Every person becomes a keyed pseudonym; every free-text column goes through the
//! scrubber (or the column policy's keep / pseudonymize / drop); opted-out people get the
//! constant pseudonym, their authored text is dropped and mentions of them become
//! `[PERSON]`. The scrubber's name directory grows with the people seen in the run and is
//! rebuilt (cheaply, once per batch) when someone new appears.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::Mutex;

use jirafe_adf_to_text::Mention;
use jirafe_jira_client::models::User;
use jirafe_pii_scrub::{
    ColumnAction, Findings, HashKey, OPTED_OUT_PSEUDONYM, Person, Policy, Scrubber,
};
use jirafe_schema::Privacy;

use crate::error::Result;

/// What the gate knows about a person: enough to build the scrubber's directory and to
/// run the post-write leak scan. Held in memory only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownPerson {
    /// Display name.
    pub display_name: Option<String>,
    /// Email, when Jira showed it.
    pub email: Option<String>,
}

/// The run's privacy gate.
pub struct RunPrivacy {
    key: HashKey,
    policy: Policy,
    opt_out: BTreeSet<String>,
    people: BTreeMap<String, KnownPerson>,
    dirty: bool,
    scrubber: Arc<Scrubber>,
    findings: Mutex<Findings>,
}

impl std::fmt::Debug for RunPrivacy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunPrivacy")
            .field("people", &self.people.len())
            .field("opt_out", &self.opt_out.len())
            .finish_non_exhaustive()
    }
}

impl RunPrivacy {
    /// A gate with the key, the column policy and the opt-out list (account ids or emails).
    ///
    /// # Errors
    /// When the scrubber cannot be built.
    pub fn new(
        key: HashKey,
        policy: Policy,
        opt_out: impl IntoIterator<Item = String>,
    ) -> Result<RunPrivacy> {
        let opt_out: BTreeSet<String> = opt_out
            .into_iter()
            .chain(policy.opt_out.iter().cloned())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        let scrubber = Arc::new(Self::build(&key, &policy, &opt_out, &BTreeMap::new())?);
        Ok(RunPrivacy {
            key,
            policy,
            opt_out,
            people: BTreeMap::new(),
            dirty: false,
            scrubber,
            findings: Mutex::default(),
        })
    }

    fn build(
        key: &HashKey,
        policy: &Policy,
        opt_out: &BTreeSet<String>,
        people: &BTreeMap<String, KnownPerson>,
    ) -> Result<Scrubber> {
        // Detectors, redactions, allow-list and the policy's own opt-outs.
        let mut b = jirafe_pii_scrub::ScrubberBuilder::from_policy(policy).with_key(key.clone());
        for o in opt_out {
            b = b.with_opt_out(o.clone());
        }
        let directory = people.iter().filter_map(|(id, p)| {
            let name = p.display_name.as_deref()?.trim();
            if name.is_empty() {
                return None;
            }
            let mut person = Person::new(name).with_account_id(id.clone());
            if let Some(e) = &p.email {
                person = person.with_email(e.clone());
            }
            Some(person)
        });
        Ok(b.with_people(directory).build()?)
    }

    /// Learns a person seen in the run (for the name directory and the leak scan).
    pub fn observe(&mut self, user: &User) {
        let Some(id) = user.stable_id() else { return };
        let entry = self.people.entry(id.to_owned()).or_default();
        let mut changed = false;
        if entry.display_name.is_none() && user.display_name.is_some() {
            entry.display_name.clone_from(&user.display_name);
            changed = true;
        }
        if entry.email.is_none() && user.email_address.is_some() {
            entry.email.clone_from(&user.email_address);
            changed = true;
        }
        self.dirty |= changed;
    }

    /// Rebuilds the scrubber if new people were observed since the last call.
    ///
    /// # Errors
    /// When the scrubber cannot be built.
    pub fn refresh(&mut self) -> Result<()> {
        if self.dirty {
            self.scrubber = Arc::new(Self::build(
                &self.key,
                &self.policy,
                &self.opt_out,
                &self.people,
            )?);
            self.dirty = false;
        }
        Ok(())
    }

    /// The current scrubber (for the leak scan).
    pub fn scrubber(&self) -> Arc<Scrubber> {
        Arc::clone(&self.scrubber)
    }

    /// Everyone seen so far: account id → name and email. In memory only.
    pub fn people(&self) -> &BTreeMap<String, KnownPerson> {
        &self.people
    }

    /// PII findings so far, per kind.
    pub fn findings(&self) -> Findings {
        self.findings.lock().map(|f| *f).unwrap_or_default()
    }

    /// The pseudonym of an account id.
    pub fn pseudonym_of(&self, id: &str) -> Option<String> {
        self.scrubber
            .account_pseudonym(id)
            .map(|p| p.as_str().to_owned())
    }

    fn opted_out_id(&self, id: &str) -> bool {
        self.opt_out.contains(id)
            || self
                .people
                .get(id)
                .and_then(|p| p.email.as_deref())
                .is_some_and(|e| self.opt_out.iter().any(|o| o.eq_ignore_ascii_case(e)))
    }
}

impl Privacy for RunPrivacy {
    fn pseudonym(&self, user: &User) -> Option<String> {
        let id = user.stable_id()?;
        if self.opted_out_id(id) {
            return Some(OPTED_OUT_PSEUDONYM.to_owned());
        }
        self.pseudonym_of(id)
    }

    fn scrub<'a>(&self, table: &str, column: &str, text: &'a str) -> Option<Cow<'a, str>> {
        match self.policy.action(table, column) {
            ColumnAction::Keep => Some(Cow::Borrowed(text)),
            ColumnAction::Drop => None,
            ColumnAction::Pseudonymize => self
                .scrubber
                .column_pseudonym(column, text)
                .map(|p| Cow::Owned(p.as_str().to_owned())),
            // Scrub, and anything a future policy adds: the safe choice.
            _ => {
                let mut local = Findings::default();
                let out = self.scrubber.scrub_counting(text, &mut local);
                if let Ok(mut f) = self.findings.lock() {
                    f.merge(&local);
                }
                Some(out)
            }
        }
    }

    fn mention(&self, mention: &Mention<'_>, out: &mut String) {
        match mention.id {
            Some(id) if !self.opted_out_id(id) => match self.pseudonym_of(id) {
                Some(p) => {
                    out.push_str("@user:");
                    out.push_str(&p);
                }
                None => out.push_str("[PERSON]"),
            },
            _ => out.push_str("[PERSON]"),
        }
    }

    fn is_opted_out(&self, user: &User) -> bool {
        user.stable_id().is_some_and(|id| self.opted_out_id(id))
            || user
                .email_address
                .as_deref()
                .is_some_and(|e| self.opt_out.iter().any(|o| o.eq_ignore_ascii_case(e)))
    }
}
