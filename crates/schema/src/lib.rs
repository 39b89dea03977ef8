//! The jirafe warehouse tables: explicit Arrow schemas, and Jira client models flattened
//! into one [`RecordBatch`](arrow_array::RecordBatch) per table — with every person
//! pseudonymized and every free-text value scrubbed by a [`Privacy`] step the caller
//! supplies.
//!
//! This crate does no I/O and knows no scrubber: the pipeline hands it client models and
//! an implementation of [`Privacy`] (built on `pii-scrub`), and hands the batches it gets
//! back to the partition writer together with each table's [`TableSpec`].
//! The column-by-column reference is `docs/tables.md`.
//!
//! # A guided tour
//!
//! ## 1. The tables
//!
//! [`Table`] lists the warehouse tables. Each has an explicit Arrow schema, a primary key
//! of Jira ids, a month column that decides its partition (the parent issue's `created`
//! for child tables), an optional version column, and an owner column (the issue id) so
//! deleting an issue removes its rows everywhere. [`Table::spec`] turns that into the
//! partition writer's [`TableSpec`]:
//!
//! ```
//! use jirafe_schema::Table;
//!
//! for table in Table::ALL {
//!     let spec = table.spec()?;
//!     assert_eq!(spec.schema().as_ref(), table.schema().as_ref());
//! }
//! let comments = Table::Comments.spec()?;
//! assert_eq!(comments.month_column(), "issue_created");
//! assert_eq!(comments.owner_column(), Some("issue_id"));
//! # Ok::<(), jirafe_schema::Error>(())
//! ```
//!
//! ## 2. The privacy step
//!
//! Flattening takes a [`Privacy`] implementation: pseudonyms for people, a scrubber for
//! free text, the text written for mentions, and the opt-out list. Here, a toy one that
//! marks what it touched (the pipeline's uses keyed HMACs and `pii-scrub`):
//!
//! ```
//! use std::borrow::Cow;
//! use jirafe_schema::{Mention, Privacy, User};
//!
//! struct Marking;
//!
//! impl Privacy for Marking {
//!     fn pseudonym(&self, user: &User) -> Option<String> {
//!         user.stable_id().map(|id| format!("p{}", id.len()))
//!     }
//!     fn scrub<'a>(&self, _table: &str, _column: &str, text: &'a str) -> Option<Cow<'a, str>> {
//!         Some(Cow::Owned(format!("«{text}»")))
//!     }
//!     fn mention(&self, _mention: &Mention<'_>, out: &mut String) {
//!         out.push_str("@user:p");
//!     }
//!     fn is_opted_out(&self, _user: &User) -> bool {
//!         false
//!     }
//! }
//! # let _ = Marking;
//! ```
//!
//! ## 3. Flatten
//!
//! A [`FieldCatalog`] (from the fields endpoint) resolves custom fields by name and type.
//! A [`Flattener`] accumulates rows for as many issues as you like ([`IssueRecord`] holds an
//! issue and its comments, worklogs, changelog and remote links); [`Flattener::finish`]
//! emits one batch per table and starts afresh, so memory is bounded by your batch size.
//!
//! ```
//! # use std::borrow::Cow;
//! # use jirafe_schema::{Mention, Privacy, User};
//! # struct Marking;
//! # impl Privacy for Marking {
//! #     fn pseudonym(&self, user: &User) -> Option<String> { user.stable_id().map(|id| format!("p{}", id.len())) }
//! #     fn scrub<'a>(&self, _t: &str, _c: &str, text: &'a str) -> Option<Cow<'a, str>> { Some(Cow::Owned(format!("«{text}»"))) }
//! #     fn mention(&self, _m: &Mention<'_>, out: &mut String) { out.push_str("@user:p"); }
//! #     fn is_opted_out(&self, _user: &User) -> bool { false }
//! # }
//! use arrow_array::{Array, StringArray};
//! use jirafe_jira_client::models::{Field, Issue};
//! use jirafe_schema::{FieldCatalog, Flattener, IssueRecord, Table};
//!
//! let fields: Vec<Field> = serde_json::from_str(r#"[{"id": "customfield_10016",
//!     "name": "Story Points", "custom": true, "schema": {"type": "number"}}]"#)?;
//! let issue: Issue = serde_json::from_str(r#"{"id": "10001", "key": "DEMO-1", "fields": {
//!     "summary": "Login fails",
//!     "created": "2025-03-04T10:00:00.000+0100",
//!     "updated": "2025-03-05T09:00:00.000+0100",
//!     "reporter": {"accountId": "5b10ac8d82e05b22cc7d4ef5", "displayName": "Jane Doe"},
//!     "description": {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [
//!         {"type": "mention", "attrs": {"id": "5b10ac8d82e05b22cc7d4ef5", "text": "@Jane Doe"}},
//!         {"type": "text", "text": " can reproduce"}]}]},
//!     "customfield_10016": 3
//! }}"#)?;
//!
//! let privacy = Marking;
//! let mut flattener = Flattener::new(&privacy, FieldCatalog::new(&fields));
//! flattener.append_issue(IssueRecord::inline(&issue))?;
//! let batches = flattener.finish()?;
//!
//! let issues = batches.get(Table::Issues).unwrap();
//! let text = |name: &str| issues.column_by_name(name).unwrap()
//!     .as_any().downcast_ref::<StringArray>().unwrap().value(0).to_owned();
//! assert_eq!(text("summary"), "«Login fails»");
//! assert_eq!(text("description"), "«@user:p can reproduce»");
//! assert_eq!(text("reporter"), "p24");
//!
//! let custom = batches.get(Table::IssueCustomFields).unwrap();
//! assert_eq!(custom.num_rows(), 1); // field_name "Story Points", value_kind "number"
//! assert_eq!(batches.get(Table::Users).unwrap().num_rows(), 1); // the reporter, pseudonymized
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## 4. Write
//!
//! Each batch goes to `jirafe-partition-writer` with its table's spec:
//! `writer.upsert(&table.spec()?, [batch])`. Child tables should be written after their
//! issues' deletions are applied; see `docs/tables.md` for what "replace an issue's child
//! rows" means per table.
//!
//! # What is never stored
//!
//! Display names, emails, avatars, time zones and raw account ids (people become
//! [`Privacy::pseudonym`]s); changelog `fromString`/`toString` of user-valued fields (only
//! the pseudonyms of their ids); text authored by people who opted out; attachment
//! content; issue security levels (such issues are refused with
//! [`Error::SecurityLevel`] — the pipeline skips and counts them first).
#![deny(missing_docs)]

mod catalog;
mod columns;
mod error;
mod flatten;
mod privacy;
mod tables;

pub use catalog::{FieldCatalog, FieldInfo, SPRINT_FIELD_TYPE, STORY_POINT_FIELD_NAMES, ValueKind};
pub use error::{Error, Result};
pub use flatten::{Deletion, DeletionReason, Flattener, IssueRecord, TableBatches};
pub use jirafe_adf_to_text::{Mention, MentionKind};
pub use jirafe_jira_client::models::User;
pub use jirafe_partition_writer::TableSpec;
pub use privacy::Privacy;
pub use tables::{DIMENSION_MONTH, Table, table_specs};
