//! Credentials, kept in types whose `Debug` and `Display` never show the secret.

use std::fmt;

/// A secret string (API token, personal access token). `Debug` and `Display` print
/// `**REDACTED**`; the value is reachable only through [`Secret::expose`].
///
/// ```
/// use jirafe_jira_client::Secret;
/// let token = Secret::new("s3cr3t-token");
/// assert_eq!(format!("{token:?}"), "**REDACTED**");
/// assert_eq!(token.to_string(), "**REDACTED**");
/// assert_eq!(token.expose(), "s3cr3t-token");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself. Call this only where the value is sent to Jira.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("**REDACTED**")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("**REDACTED**")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

/// How the client authenticates.
///
/// `Debug` shows the scheme only: neither the email nor the token.
#[derive(Clone)]
#[non_exhaustive]
pub enum Auth {
    /// Jira Cloud: the account's email and an API token (HTTP Basic).
    Basic {
        /// The Atlassian account email.
        email: String,
        /// The API token.
        token: Secret,
    },
    /// Data Center personal access token, or any OAuth bearer token.
    Bearer {
        /// The token.
        token: Secret,
    },
}

impl Auth {
    /// Basic authentication with an email and an API token (Jira Cloud).
    pub fn basic(email: impl Into<String>, token: impl Into<Secret>) -> Self {
        Auth::Basic {
            email: email.into(),
            token: token.into(),
        }
    }

    /// Bearer authentication with a personal access token (Data Center).
    pub fn bearer(token: impl Into<Secret>) -> Self {
        Auth::Bearer {
            token: token.into(),
        }
    }

    /// The scheme's name, for logs and diagnostics.
    pub fn scheme(&self) -> &'static str {
        match self {
            Auth::Basic { .. } => "basic",
            Auth::Bearer { .. } => "bearer",
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Basic { .. } => f.write_str("Auth::Basic(**REDACTED**)"),
            Auth::Bearer { .. } => f.write_str("Auth::Bearer(**REDACTED**)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_credentials() {
        let a = Auth::basic("someone@example.com", "tok-123");
        let shown = format!("{a:?}");
        assert!(!shown.contains("someone"), "{shown}");
        assert!(!shown.contains("tok-123"), "{shown}");
        let b = Auth::bearer("pat-456");
        assert!(!format!("{b:?}").contains("pat-456"));
    }
}
