//! # jirafe-jira-client
//!
//! An async client for the parts of the Jira REST API an analytics warehouse needs:
//! Jira Cloud REST v3 and Agile 1.0, and Data Center REST v2.
//!
//! ## A guided tour
//!
//! **Connect.** [`ClientBuilder`] takes the site URL and credentials ([`Auth::basic`] with
//! an email and API token on Cloud, [`Auth::bearer`] with a personal access token on Data
//! Center), or reads them from the environment with [`ClientBuilder::from_env`]. Tokens
//! live in [`Secret`], whose `Debug` and `Display` print `**REDACTED**`. Plain `http://`
//! is refused unless the host is loopback.
//!
//! ```
//! use jirafe_jira_client::{Auth, ClientBuilder, Flavor};
//! let client = ClientBuilder::new("https://example.atlassian.net")
//!     .with_auth(Auth::basic("me@example.com", "api-token"))
//!     .with_flavor(Flavor::Cloud)
//!     .with_requests_per_minute(Some(300))
//!     .build()?;
//! # Ok::<(), jirafe_jira_client::Error>(())
//! ```
//!
//! **Read.** [`JiraClient::myself`], [`JiraClient::server_info`], [`JiraClient::fields`] are
//! single requests. Paginated endpoints — [`JiraClient::projects`], [`JiraClient::search`],
//! [`JiraClient::census`], [`JiraClient::comments`], [`JiraClient::worklogs`],
//! [`JiraClient::boards`], [`JiraClient::sprints`] — are `futures` streams: page tokens
//! and `startAt` arithmetic stay inside.
//!
//! **Extract efficiently.** [`JiraClient::search_complete`] returns each page of issues with
//! *all* their comments, worklogs and changelog histories ([`IssueBundle`]), spending extra
//! requests only where the inline first page is incomplete, and fetching long changelogs
//! for up to 1000 issues per `changelog/bulkfetch` call.
//!
//! **Bound time safely.** [`Jql`] writes `updated >= <epoch ms>` bounds, never quoted local
//! dates (which Jira reads in the token owner's time zone).
//!
//! **Survive Jira.** 429 and 503 answers are retried after the `Retry-After` (or
//! `X-RateLimit-Reset`) Jira gives, and every request waits while a pause is in force; 5xx,
//! timeouts and truncated bodies back off with full jitter; concurrency is capped and an
//! optional per-minute request budget paces requests. 401 and 403 are errors that name the
//! endpoint and say what to check — never an empty result. [`JiraClient::metrics`] counts
//! requests per endpoint and status, retries and rate-limit waits.
//!
//! **Errors carry no user content.** [`Error`] never holds a response body or a serde
//! message (which can quote values), only endpoints, statuses and positions.
//!
//! ## Models without HTTP
//!
//! With `default-features = false` the crate offers only [`models`], [`Jql`], [`Timestamp`]
//! and [`Error`], so a transformation crate can depend on the models without the HTTP stack.
#![deny(missing_docs)]

#[cfg(feature = "http")]
mod api;
mod auth;
#[cfg(feature = "http")]
mod client;
mod error;
mod jql;
pub mod models;
mod time_fmt;

#[cfg(all(test, feature = "http"))]
mod contract_tests;

#[cfg(feature = "http")]
pub use api::{
    ALL_FIELDS, BULK_CHANGELOG_ISSUES_MAX, BULK_ISSUES_MAX, CENSUS_PAGE_MAX, IssueBundle,
    SEARCH_PAGE_MAX, SearchRequest, WORKLOG_LIST_MAX, WorklogChanges,
};
pub use auth::{Auth, Secret};
#[cfg(feature = "http")]
pub use client::{ClientBuilder, Flavor, JiraClient, MetricsSnapshot, USER_AGENT};
pub use error::{Error, Result};
pub use jql::Jql;
pub use models::Id;
pub use time_fmt::{JiraDate, ParseTimeError, Timestamp};
