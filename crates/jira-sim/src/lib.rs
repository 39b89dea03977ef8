//! A simulated Jira Cloud server for tests, the demo and API-efficiency benchmarks.
//!
//! `jirafe-jira-sim` serves a deterministic, generated organisation over the real Jira
//! Cloud REST v3 and Agile 1.0 shapes, on loopback, with no network. It is what the
//! jirafe client, pipeline and demo run against when there is no Jira.
//!
//! # A guided tour
//!
//! **1. Generate an organisation.** [`Org::generate`] builds users (several locales, app
//! and customer accounts, inactive users), projects (one `isPrivate`, one the owner
//! cannot browse), boards and sprints, a field catalog with custom fields of many types,
//! and issues spread over 20 months with comments, changelog histories, worklogs, links,
//! remote links and attachment metadata. The same [`OrgConfig`] always gives the same
//! organisation ([`Org::digest`]). Personal data and secrets of every [`PiiKind`] are
//! planted in free text and recorded in [`Org::planted`] — the ground truth for scrubber
//! and leak-scan tests.
//!
//! ```
//! use jirafe_jira_sim::{Org, OrgConfig, PiiKind};
//! let org = Org::generate(&OrgConfig::default()); // seed 42, 3000 issues
//! assert_eq!(org.issues.len(), 3000);
//! for kind in PiiKind::ALL {
//!     assert!(org.planted.iter().any(|p| p.kind == kind), "{kind:?}");
//! }
//! // Some issues need paging beyond the inline first pages.
//! assert!(org.issues.iter().any(|i| i.comments.len() > 20));
//! assert!(org.issues.iter().any(|i| i.histories.len() > 100));
//! ```
//!
//! **2. Serve it.** [`SimServer::start`] binds `127.0.0.1:0`; [`SimServer::base_url`]
//! and [`SimServer::credentials`] are what a client needs. Every endpoint requires
//! Basic (`email:api_token`) or Bearer (PAT) auth.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> jirafe_jira_sim::Result<()> {
//! use jirafe_jira_sim::{OrgConfig, SimConfig, SimServer};
//! let sim = SimServer::start(SimConfig { org: OrgConfig::new(7, 200), ..Default::default() }).await?;
//! let creds = sim.credentials();
//! assert!(sim.base_url().starts_with("http://127.0.0.1:"));
//! assert!(!creds.api_token.is_empty());
//! assert_eq!(format!("{creds:?}").contains(&creds.api_token), false);
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! **3. Make it hostile.** [`Faults`] injects 429/503 with `Retry-After` and
//! `X-RateLimit-*`, 500/502/503, truncated bodies and latency, deterministically by
//! request count. A faulted request has no side effect. [`SimServer::stats`] counts
//! requests per endpoint and status, so a test can compute requests per 1,000 issues.
//!
//! **4. Change it.** [`SimServer::mutate`] applies a [`Mutation`] (update, comment,
//! worklog, delete, create, revoke browse permission) stamped on the simulator clock,
//! which starts at the organisation's "now" and only moves forward
//! ([`SimServer::advance_clock`]).
//!
//! # Jira semantics reproduced
//!
//! * `POST|GET /rest/api/3/search/jql`: `nextPageToken` + `isLast`, no `total`; `fields`
//!   defaults to `id` only; pages of up to 100 issues when any field is requested, up to
//!   5000 for `id`/`key` only; default `maxResults` 50; a token from another query is a 400.
//!   Without `ORDER BY` results are ordered by `id DESC`.
//! * The old `/rest/api/3/search` answers 410 Gone.
//! * JQL: see [the subset](#jql). Quoted dates are read in the owner's time zone
//!   (`Europe/Berlin`); epoch milliseconds are exact.
//! * Inline caps: `expand=changelog` carries the 100 most recent histories (newest
//!   first; 40 on `/issue/bulkfetch`) with `total`; `fields.comment` the first 20
//!   comments (oldest first, `maxResults` = number returned) with `total`;
//!   `fields.worklog` the first 20 worklogs with `maxResults: 20` and `total`.
//! * `POST /rest/api/3/changelog/bulkfetch`: up to 1000 issues, `maxResults` ≤ 10000
//!   histories per page (default 1000), ordered by issue id then history date,
//!   `fieldIds` ≤ 10.
//! * `POST /rest/api/3/issue/bulkfetch`: up to 100 ids; unknown or invisible issues are
//!   left out silently, as Jira does.
//! * `/worklog/updated` and `/worklog/deleted`: 1000 per page, oldest first, `since`
//!   inclusive; nothing from the last 60 s of the simulator clock. On the last page
//!   `until` is that cut-off; otherwise the last item's time, and `nextPage` continues
//!   from it.
//! * Comments: `maxResults` ≤ 100; worklogs per issue ≤ 5000; changelog per issue ≤ 100.
//! * Projects the owner cannot browse are invisible everywhere (not listed, 404, a JQL
//!   400 "does not exist"); issues at a security level the owner lacks are invisible;
//!   issues at a level the owner has carry `fields.security`.
//! * Errors are Jira's `{"errorMessages": [...], "errors": {}}`.
//!
//! # JQL
//!
//! Clauses joined by `AND` (parentheses allowed): `project = KEY|"KEY"|ID`,
//! `project in (...)`, `updated|created` with `= > >= < <=` against epoch ms, a date
//! (`"yyyy-MM-dd"`, `"yyyy/MM/dd"`, optionally ` HH:mm`) or a relative offset (`-5d`),
//! `id|key|issuekey = X` or `in (...)`, `ORDER BY updated|created|id|key [ASC|DESC], ...`.
//! Anything else is a 400 naming the unsupported part.
//!
//! # Data Center
//!
//! With [`Flavor::DataCenter`] the same organisation is served the Data Center way:
//! `GET|POST /rest/api/2/search` with `startAt`/`maxResults` (≤ 1000) and `total`,
//! fields defaulting to `*navigable`, every comment and every changelog history inline;
//! `GET /rest/api/2/issue/{id}` (+ `/comment`, `/worklog`, `/remotelink`), `/myself`,
//! `/serverInfo` (`deploymentType: "Server"`), `/project` (an array), `/field`, and the
//! Agile board/sprint endpoints. Text is wiki markup ([`RichText::to_wiki`]); users
//! carry `name`/`key` ([`Org::dc_user_name`], [`Org::dc_user_key`]) and no `accountId`.
//! Cloud-only endpoints (`/search/jql`, bulk fetches, `/worklog/updated`) are 404.

#![deny(missing_docs)]

mod config;
mod error;
mod generate;
mod jql;
mod model;
mod mutate;
mod org;
mod pii;
mod render;
mod server;
mod text;
mod tz;

pub use config::{Credentials, Faults, Flavor, OrgConfig, SimConfig};
pub use error::{Error, Result};
pub use model::{
    AccountType, Attachment, Board, ChangeItem, Comment, FieldDef, History, Issue, IssueLink,
    LinkDirection, PiiKind, PiiLocation, Place, PlantedPii, Project, RemoteLink, SecurityLevel,
    Sprint, User, Worklog,
};
pub use mutate::{Applied, Mutation};
pub use org::Org;
pub use pii::{iban_valid, luhn_valid};
pub use server::{RequestStats, SimServer, SimState, router};
pub use text::{Block, Inline, RichText};
pub use tz::jira_timestamp;

/// The IANA time zone of the token owner; quoted JQL dates are read in it.
pub const OWNER_TIME_ZONE: &str = tz::OWNER_TZ;
