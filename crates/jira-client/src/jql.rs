//! A small JQL builder that bounds time with epoch milliseconds.
//!
//! Jira reads a quoted date such as `updated >= "2025-01-01 00:00"` in the *token owner's*
//! time zone, which silently shifts an incremental window by hours. An epoch-millisecond
//! bound (`updated >= 1735689600000`) means the same instant everywhere, so this builder
//! only ever emits those.
//!
//! ```
//! use jirafe_jira_client::Jql;
//! let jql = Jql::new()
//!     .project("ENG")
//!     .updated_at_or_after_ms(1_735_689_600_000)
//!     .updated_before_ms(1_738_368_000_000)
//!     .order_by_updated()
//!     .build()
//!     .unwrap();
//! assert_eq!(
//!     jql,
//!     r#"project = "ENG" AND updated >= 1735689600000 AND updated < 1738368000000 ORDER BY updated ASC, id ASC"#
//! );
//! ```

use crate::error::{Error, Result};

/// Builds JQL from typed parts. Every part is validated; nothing is spliced in raw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Jql {
    projects: Vec<String>,
    clauses: Vec<String>,
    order: Option<&'static str>,
    error: Option<String>,
}

/// A project key is upper-case ASCII letters, digits and underscores, starting with a letter.
fn valid_project_key(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && key.len() <= 64
}

impl Jql {
    /// An empty query (matches every issue the account can browse).
    pub fn new() -> Self {
        Self::default()
    }

    /// Restricts to one project, by key (`ENG`) or numeric id (`10001`). Call again to
    /// add projects (`project in (...)`).
    pub fn project(mut self, key_or_id: &str) -> Self {
        if valid_project_key(key_or_id)
            || (!key_or_id.is_empty()
                && key_or_id.bytes().all(|b| b.is_ascii_digit())
                && key_or_id.len() <= 18)
        {
            self.projects.push(key_or_id.to_owned());
        } else {
            self.error.get_or_insert_with(|| {
                "a project must be a key like ENG or a numeric id".to_owned()
            });
        }
        self
    }

    /// `updated >= ms` (epoch milliseconds, inclusive).
    pub fn updated_at_or_after_ms(mut self, ms: i64) -> Self {
        self.clauses.push(format!("updated >= {ms}"));
        self
    }

    /// `updated < ms` (epoch milliseconds, exclusive).
    pub fn updated_before_ms(mut self, ms: i64) -> Self {
        self.clauses.push(format!("updated < {ms}"));
        self
    }

    /// `created >= ms` (epoch milliseconds, inclusive).
    pub fn created_at_or_after_ms(mut self, ms: i64) -> Self {
        self.clauses.push(format!("created >= {ms}"));
        self
    }

    /// `created < ms` (epoch milliseconds, exclusive).
    pub fn created_before_ms(mut self, ms: i64) -> Self {
        self.clauses.push(format!("created < {ms}"));
        self
    }

    /// `ORDER BY updated ASC, id ASC`: stable order for incremental sync.
    pub fn order_by_updated(mut self) -> Self {
        self.order = Some("updated ASC, id ASC");
        self
    }

    /// `ORDER BY id ASC`: the census order.
    pub fn order_by_id(mut self) -> Self {
        self.order = Some("id ASC");
        self
    }

    /// The JQL text.
    ///
    /// # Errors
    /// [`Error::Jql`] when a part was invalid (for example a project key with spaces).
    pub fn build(&self) -> Result<String> {
        if let Some(reason) = &self.error {
            return Err(Error::Jql {
                reason: reason.clone(),
            });
        }
        let mut parts = Vec::with_capacity(self.clauses.len() + 1);
        match self.projects.as_slice() {
            [] => {}
            [one] => parts.push(format!("project = \"{one}\"")),
            many => parts.push(format!(
                "project in ({})",
                many.iter()
                    .map(|p| format!("\"{p}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
        parts.extend(self.clauses.iter().cloned());
        let mut jql = parts.join(" AND ");
        if let Some(order) = self.order {
            if !jql.is_empty() {
                jql.push(' ');
            }
            jql.push_str("ORDER BY ");
            jql.push_str(order);
        }
        Ok(jql)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_injection_in_project() {
        for bad in ["ENG\" OR project = \"HR", "eng", "", "A B", "ENG)", "ДЕВ"] {
            assert!(Jql::new().project(bad).build().is_err(), "{bad}");
        }
    }

    #[test]
    fn several_projects_and_ids() {
        let q = Jql::new()
            .project("A")
            .project("10001")
            .order_by_id()
            .build()
            .unwrap();
        assert_eq!(q, r#"project in ("A", "10001") ORDER BY id ASC"#);
    }

    #[test]
    fn never_emits_quoted_dates() {
        let q = Jql::new()
            .created_at_or_after_ms(0)
            .created_before_ms(1)
            .build()
            .unwrap();
        assert!(!q.contains('"'), "{q}");
        assert_eq!(q, "created >= 0 AND created < 1");
    }
}
