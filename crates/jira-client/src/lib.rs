//! Async Jira REST client (work in progress).
#![deny(missing_docs)]
