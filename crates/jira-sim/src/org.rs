//! The organisation: ground truth plus lookups.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::{Credentials, OrgConfig};
use crate::model::{
    Board, FieldDef, Index, Issue, PlantedPii, Project, SecurityLevel, Sprint, User,
};

/// A generated Jira organisation: the ground truth the server serves.
///
/// ```
/// use jirafe_jira_sim::{Org, OrgConfig};
/// let org = Org::generate(&OrgConfig::new(1, 120));
/// assert_eq!(org.issues.len(), 120);
/// assert!(org.issues.iter().any(|i| !i.visible_to_owner));
/// assert_eq!(org.digest(), Org::generate(&OrgConfig::new(1, 120)).digest());
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Org {
    /// The configuration it was generated from.
    #[serde(skip)]
    pub config: OrgConfig,
    /// The simulated "now" the generated history ends at.
    pub now_ms: i64,
    /// Account id of the token owner (the engineer running the collector).
    pub owner_account_id: String,
    /// All users, the owner first.
    pub users: Vec<User>,
    /// All projects, including those the owner cannot browse.
    pub projects: Vec<Project>,
    /// Issue security levels.
    pub security_levels: Vec<SecurityLevel>,
    /// Boards, including those of projects the owner cannot browse.
    pub boards: Vec<Board>,
    /// Sprints of the scrum boards.
    pub sprints: Vec<Sprint>,
    /// The field catalog (system and custom fields).
    pub fields: Vec<FieldDef>,
    /// All issues (visible or not), ascending by id.
    pub issues: Vec<Issue>,
    /// Deleted worklogs `(worklog id, deletion time)`, for `/worklog/deleted`.
    pub deleted_worklogs: Vec<(u64, i64)>,
    /// Every planted PII value or secret, with its location.
    pub planted: Vec<PlantedPii>,
    pub(crate) next_id: NextIds,
    #[serde(skip)]
    pub(crate) index: Index,
}

/// Id counters, so mutations continue the sequences.
#[derive(Debug, Clone, Serialize, Default)]
pub(crate) struct NextIds {
    pub(crate) issue: u64,
    pub(crate) comment: u64,
    pub(crate) history: u64,
    pub(crate) worklog: u64,
}

impl Org {
    /// Generates the organisation for `cfg`. Deterministic: the same config gives the
    /// same organisation (see [`Org::digest`]).
    pub fn generate(cfg: &OrgConfig) -> Org {
        crate::generate::generate(cfg)
    }

    /// SHA-256 (hex) of the whole ground truth, for determinism checks.
    pub fn digest(&self) -> String {
        let mut h = Sha256::new();
        // Serializing plain data structures into a Vec cannot fail.
        if let Ok(bytes) = serde_json::to_vec(self) {
            h.update(bytes);
        }
        hex::encode(h.finalize())
    }

    /// The token owner's credentials, derived from the seed.
    pub fn credentials(&self) -> Credentials {
        let email = self
            .users
            .first()
            .and_then(|u| u.email.clone())
            .unwrap_or_default();
        let s = self.config.seed;
        Credentials {
            email,
            api_token: format!(
                "ATATT3xFfGF0sim{:016x}",
                s.wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ),
            pat: format!(
                "NjQ4sim{:016x}",
                s.wrapping_mul(0xC2B2_AE3D_27D4_EB4F) ^ 0x5555
            ),
        }
    }

    /// The token owner.
    pub fn owner(&self) -> Option<&User> {
        self.user(&self.owner_account_id)
    }

    /// A user by account id.
    pub fn user(&self, account_id: &str) -> Option<&User> {
        self.index
            .users
            .get(account_id)
            .and_then(|&i| self.users.get(i))
    }

    /// A project by id.
    pub fn project(&self, id: u64) -> Option<&Project> {
        self.index
            .projects
            .get(&id)
            .and_then(|&i| self.projects.get(i))
    }

    /// An issue by numeric id or key (visible or not).
    pub fn issue(&self, id_or_key: &str) -> Option<&Issue> {
        self.issue_index(id_or_key).and_then(|i| self.issues.get(i))
    }

    pub(crate) fn issue_index(&self, id_or_key: &str) -> Option<usize> {
        if let Ok(id) = id_or_key.parse::<u64>() {
            return self.index.by_id.get(&id).copied();
        }
        self.index
            .by_key
            .get(&id_or_key.to_ascii_uppercase())
            .copied()
    }

    /// Issues the token owner can see (what a complete extraction must return).
    pub fn visible_issues(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(|i| i.visible_to_owner)
    }

    /// Projects the token owner can browse.
    pub fn visible_projects(&self) -> impl Iterator<Item = &Project> {
        self.projects.iter().filter(|p| p.browsable)
    }

    /// The Data Center user name of an account (`name`, used in `[~name]` mentions):
    /// the email's local part, or the lower-cased display name for accounts without one.
    pub fn dc_user_name(&self, account_id: &str) -> Option<String> {
        let u = self.user(account_id)?;
        Some(match &u.email {
            Some(e) => e.split('@').next().unwrap_or(e).to_owned(),
            None => u
                .display_name
                .to_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join("-"),
        })
    }

    /// The Data Center user key of an account (`JIRAUSER10000`, ...).
    pub fn dc_user_key(&self, account_id: &str) -> Option<String> {
        self.index
            .users
            .get(account_id)
            .map(|i| format!("JIRAUSER{}", 10000 + i))
    }

    pub(crate) fn rebuild_index(&mut self) {
        let mut ix = Index::default();
        for (i, issue) in self.issues.iter().enumerate() {
            ix.by_id.insert(issue.id, i);
            ix.by_key.insert(issue.key.clone(), i);
        }
        for (i, u) in self.users.iter().enumerate() {
            ix.users.insert(u.account_id.clone(), i);
        }
        for (i, p) in self.projects.iter().enumerate() {
            ix.projects.insert(p.id, i);
        }
        self.index = ix;
    }

    /// Recomputes `visible_to_owner` for every issue from project and level permissions.
    pub(crate) fn recompute_visibility(&mut self) {
        let browsable: std::collections::HashMap<u64, bool> =
            self.projects.iter().map(|p| (p.id, p.browsable)).collect();
        let levels: std::collections::HashMap<u64, bool> = self
            .security_levels
            .iter()
            .map(|l| (l.id, l.owner_can_see))
            .collect();
        for i in &mut self.issues {
            let p = browsable.get(&i.project_id).copied().unwrap_or(false);
            let l = i
                .security_level
                .map(|id| levels.get(&id).copied().unwrap_or(false))
                .unwrap_or(true);
            i.visible_to_owner = p && l;
        }
    }
}
