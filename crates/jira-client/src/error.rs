//! The crate's error type.
//!
//! Errors never carry user content: no response bodies, no issue text, no names.
//! They name the endpoint (a route template such as `GET /rest/api/3/issue/{id}`),
//! the HTTP status and, where it helps, what to check.

use std::time::Duration;

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong talking to Jira.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value is missing or malformed.
    ///
    /// Fix the setting named by `key` (for example `JIRA_BASE_URL`).
    #[error("invalid configuration {key}: {reason}")]
    InvalidConfig {
        /// The setting (environment variable or builder method) at fault.
        key: &'static str,
        /// What is wrong with it.
        reason: String,
    },

    /// Jira rejected the credentials (HTTP 401).
    ///
    /// Check `JIRA_EMAIL` + `JIRA_API_TOKEN` (Cloud) or `JIRA_PAT` (Data Center), and
    /// that the token has not expired or been revoked.
    #[error(
        "{endpoint}: 401 Unauthorized: Jira rejected the credentials; check JIRA_EMAIL and \
         JIRA_API_TOKEN (Cloud) or JIRA_PAT (Data Center), and that the token has not expired"
    )]
    Unauthorized {
        /// The endpoint that answered 401.
        endpoint: &'static str,
    },

    /// The credentials are valid but may not do this (HTTP 403).
    ///
    /// jirafe needs only the "Browse projects" permission on the projects it reads.
    #[error(
        "{endpoint}: 403 Forbidden: the account may not read this; check it has 'Browse \
         projects' on the project, or remove the project from the allow-list"
    )]
    Forbidden {
        /// The endpoint that answered 403.
        endpoint: &'static str,
    },

    /// The resource does not exist or is not visible to these credentials (HTTP 404).
    ///
    /// Jira answers 404 both for deleted issues and for issues the account lost access to.
    #[error("{endpoint}: 404 Not Found (deleted, or not visible to these credentials)")]
    NotFound {
        /// The endpoint that answered 404.
        endpoint: &'static str,
    },

    /// The endpoint has been removed (HTTP 410), like the old `/rest/api/3/search`.
    #[error("{endpoint}: 410 Gone: this Jira no longer offers the endpoint")]
    Gone {
        /// The endpoint that answered 410.
        endpoint: &'static str,
    },

    /// Jira refused the request as malformed (HTTP 400), for example bad JQL.
    ///
    /// The body of Jira's answer is not kept: it can quote user content.
    #[error("{endpoint}: 400 Bad Request ({messages} message(s) from Jira withheld)")]
    BadRequest {
        /// The endpoint that answered 400.
        endpoint: &'static str,
        /// How many error messages Jira returned.
        messages: usize,
    },

    /// Still rate limited after every retry.
    #[error(
        "{endpoint}: still rate limited after {attempts} attempts (last Retry-After {retry_after:?})"
    )]
    RateLimited {
        /// The endpoint.
        endpoint: &'static str,
        /// How many attempts were made.
        attempts: u32,
        /// The last wait Jira asked for, if it said.
        retry_after: Option<Duration>,
    },

    /// Any other HTTP status, after retries where the status is retryable.
    #[error("{endpoint}: HTTP {status} after {attempts} attempt(s)")]
    Http {
        /// The endpoint.
        endpoint: &'static str,
        /// The HTTP status code.
        status: u16,
        /// How many attempts were made.
        attempts: u32,
    },

    /// The request could not be sent or the answer not received (DNS, TLS, connection reset,
    /// timeout), after retries.
    #[cfg(feature = "http")]
    #[error("{endpoint}: transport error after {attempts} attempt(s)")]
    Transport {
        /// The endpoint.
        endpoint: &'static str,
        /// How many attempts were made.
        attempts: u32,
        /// The underlying error, with the URL removed.
        #[source]
        source: reqwest::Error,
    },

    /// The answer was not the JSON this endpoint returns.
    ///
    /// Only the position and category are kept: serde's own message can quote values.
    #[error(
        "{endpoint}: could not decode the response ({category} error at line {line}, column {column})"
    )]
    Decode {
        /// The endpoint.
        endpoint: &'static str,
        /// `syntax`, `data`, `eof` or `io`.
        category: &'static str,
        /// Line of the error in the body.
        line: usize,
        /// Column of the error in the body.
        column: usize,
    },

    /// A JQL query could not be built from the given parts.
    #[error("invalid JQL: {reason}")]
    Jql {
        /// What is wrong.
        reason: String,
    },
}

impl Error {
    /// Builds a [`Error::Decode`] from a serde error without keeping its message.
    pub fn decode(endpoint: &'static str, err: &serde_json::Error) -> Self {
        let category = match err.classify() {
            serde_json::error::Category::Io => "io",
            serde_json::error::Category::Syntax => "syntax",
            serde_json::error::Category::Data => "data",
            serde_json::error::Category::Eof => "eof",
        };
        Error::Decode {
            endpoint,
            category,
            line: err.line(),
            column: err.column(),
        }
    }

    /// The HTTP status this error came from, if any.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Unauthorized { .. } => Some(401),
            Error::Forbidden { .. } => Some(403),
            Error::NotFound { .. } => Some(404),
            Error::Gone { .. } => Some(410),
            Error::BadRequest { .. } => Some(400),
            Error::RateLimited { .. } => Some(429),
            Error::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// True for 404: the resource is deleted or no longer visible.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }
}
