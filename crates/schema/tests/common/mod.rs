//! Shared test support: fixtures, a marking `Privacy`, and a batch renderer for snapshots.
#![allow(dead_code, unreachable_pub)]

use std::borrow::Cow;
use std::collections::{BTreeSet, HashSet};
use std::fmt::Write as _;

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use arrow::datatypes::{DataType, TimeUnit, TimestampMicrosecondType};
use arrow::util::display::{ArrayFormatter, FormatOptions};
use jirafe_jira_client::models::{
    ChangelogHistory, Comment, Field, Issue, RemoteLink, User, Worklog,
};
use jirafe_schema::{Mention, Privacy, TableBatches};
use serde_json::Value;

pub const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures/jira");
pub const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

pub fn load(path: &str) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn shared(rel: &str) -> Value {
    load(&format!("{SHARED}/{rel}"))
}

pub fn data(rel: &str) -> Value {
    load(&format!("{DATA}/{rel}"))
}

pub fn parse<T: serde::de::DeserializeOwned>(v: &Value) -> T {
    serde_json::from_value(v.clone()).expect("fixture parses into the client model")
}

/// The hand-written Cloud issue with all its child records.
pub struct Bundle {
    pub issue: Issue,
    pub comments: Vec<Comment>,
    pub worklogs: Vec<Worklog>,
    pub changelog: Vec<ChangelogHistory>,
    pub remote_links: Vec<RemoteLink>,
}

pub fn cloud_bundle() -> (Bundle, Value) {
    let raw = data("cloud_issue.json");
    let bundle = Bundle {
        issue: parse(&raw["issue"]),
        comments: parse(&raw["comments"]),
        worklogs: parse(&raw["worklogs"]),
        changelog: parse(&raw["changelog"]),
        remote_links: parse(&raw["remote_links"]),
    };
    (bundle, raw)
}

pub fn cloud_fields() -> Vec<Field> {
    parse(&data("cloud_fields.json"))
}

/// The mattermost recording: a Cloud issue with many custom fields, its changelog (the
/// webhook's actor as the history author), and the catalog from the project's create
/// metadata (the same custom field ids).
pub fn mattermost() -> (Issue, Vec<ChangelogHistory>, Vec<Field>, Value) {
    let hook = shared(
        "mattermost__mattermost-plugin-jira/server/testdata/webhook-cloud-issue-created-many-fields.json",
    );
    let issue: Issue = parse(&hook["issue"]);
    let mut history: ChangelogHistory = parse(&hook["changelog"]);
    history.author = Some(parse(&hook["user"]));
    history.created = issue.fields.created;
    let meta = shared(
        "mattermost__mattermost-plugin-jira/webapp/src/testdata/cloud-get-create-issue-metadata-for-project-many-fields.json",
    );
    let mut fields = Vec::new();
    for issue_type in meta["projects"][0]["issuetypes"]
        .as_array()
        .into_iter()
        .flatten()
    {
        for (id, f) in issue_type["fields"].as_object().into_iter().flatten() {
            if fields.iter().any(|x: &Field| &x.id == id) {
                continue;
            }
            let mut field: Field = parse(f);
            field.id = id.clone();
            field.custom = Some(id.starts_with("customfield_"));
            fields.push(field);
        }
    }
    fields.sort_by(|a, b| a.id.cmp(&b.id));
    (issue, vec![history], fields, hook)
}

/// Every personal string in a raw JSON document: account ids, display names, emails,
/// Data Center names and keys of every user object.
pub fn personal_strings(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(o) => {
            let is_user = o.contains_key("accountId")
                || o.contains_key("emailAddress")
                || (o.contains_key("displayName")
                    && (o.contains_key("name") || o.contains_key("key")));
            if is_user {
                for key in ["accountId", "displayName", "emailAddress", "name", "key"] {
                    if let Some(s) = o.get(key).and_then(Value::as_str)
                        && s.len() >= 4
                    {
                        out.insert(s.to_owned());
                    }
                }
            }
            for v in o.values() {
                personal_strings(v, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| personal_strings(v, out)),
        _ => {}
    }
}

/// A `Privacy` that marks what it touches: pseudonyms `psn_<hash>`, scrubbed text wrapped
/// in `«…»` with every known personal string replaced by `[PERSON]` (what pii-scrub's
/// directory does), mentions `@user:psn_<hash>`, opt-outs by stable id.
pub struct Marking {
    pub directory: Vec<String>,
    pub opted_out: HashSet<String>,
}

pub const OPTED_OUT_PSEUDONYM: &str = "psn_opted_out";

impl Marking {
    pub fn new(directory: impl IntoIterator<Item = String>) -> Self {
        let mut directory: Vec<String> = directory.into_iter().collect();
        // Longest first, so "Petra Novak" goes before "Petra".
        directory.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Marking {
            directory,
            opted_out: HashSet::new(),
        }
    }

    pub fn with_opt_out(mut self, id: &str) -> Self {
        self.opted_out.insert(id.to_owned());
        self
    }

    fn hash(id: &str) -> String {
        // FNV-1a: stands in for the pipeline's keyed HMAC.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in id.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("psn_{h:016x}")
    }
}

impl Privacy for Marking {
    fn pseudonym(&self, user: &User) -> Option<String> {
        let id = user.stable_id()?;
        Some(if self.opted_out.contains(id) {
            OPTED_OUT_PSEUDONYM.to_owned()
        } else {
            Self::hash(id)
        })
    }

    fn scrub<'a>(&self, _table: &str, _column: &str, text: &'a str) -> Option<Cow<'a, str>> {
        let mut t = text.to_owned();
        for s in &self.directory {
            t = t.replace(s.as_str(), "[PERSON]");
        }
        Some(Cow::Owned(format!("«{t}»")))
    }

    fn mention(&self, mention: &Mention<'_>, out: &mut String) {
        match mention.id {
            Some(id) if !self.opted_out.contains(id) => {
                out.push_str("@user:");
                out.push_str(&Self::hash(id));
            }
            _ => out.push_str("[PERSON]"),
        }
    }

    fn is_opted_out(&self, user: &User) -> bool {
        user.stable_id()
            .is_some_and(|id| self.opted_out.contains(id))
    }
}

/// Every string (Utf8 values and List<Utf8> elements) of a batch, with its column name.
pub fn strings(batch: &RecordBatch) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (field, col) in batch.schema().fields().iter().zip(batch.columns()) {
        let name = field.name().clone();
        match field.data_type() {
            DataType::Utf8 => {
                for v in col.as_string::<i32>().iter().flatten() {
                    out.push((name.clone(), v.to_owned()));
                }
            }
            DataType::List(inner) if inner.data_type() == &DataType::Utf8 => {
                let list = col.as_list::<i32>();
                for i in 0..list.len() {
                    if list.is_valid(i) {
                        let values = list.value(i);
                        for v in values.as_string::<i32>().iter().flatten() {
                            out.push((name.clone(), v.to_owned()));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Arrow's display needs chrono-tz for named zones: show UTC timestamps as naive ones,
/// formatted with a `Z`.
fn displayable(col: &ArrayRef) -> ArrayRef {
    match col.data_type() {
        DataType::Timestamp(TimeUnit::Microsecond, Some(_)) => Arc::new(
            col.as_primitive::<TimestampMicrosecondType>()
                .clone()
                .with_timezone_opt(None::<Arc<str>>),
        ),
        _ => col.clone(),
    }
}

fn format_options() -> FormatOptions<'static> {
    FormatOptions::default()
        .with_null("∅")
        .with_timestamp_format(Some("%Y-%m-%dT%H:%M:%S%.3fZ"))
}

/// Renders every non-empty table row by row (`column: value`), for snapshots.
pub fn render(batches: &TableBatches) -> String {
    let mut out = String::new();
    let options = format_options();
    for (table, batch) in batches.non_empty() {
        let _ = writeln!(out, "## {table} ({} rows)", batch.num_rows());
        let columns: Vec<ArrayRef> = batch.columns().iter().map(displayable).collect();
        let formatters: Vec<_> = columns
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options).expect("formattable"))
            .collect();
        for row in 0..batch.num_rows() {
            let _ = writeln!(out, "- row {row}");
            for (field, f) in batch.schema().fields().iter().zip(&formatters) {
                let _ = writeln!(out, "    {}: {}", field.name(), f.value(row));
            }
        }
        out.push('\n');
    }
    out
}

/// The value of a Utf8 column at a row (None for null).
pub fn text(batch: &RecordBatch, column: &str, row: usize) -> Option<String> {
    let col = batch
        .column_by_name(column)
        .expect("column exists")
        .as_string::<i32>();
    col.is_valid(row).then(|| col.value(row).to_owned())
}

/// Finds the row whose Utf8 `column` equals `value`.
pub fn row_where(batch: &RecordBatch, column: &str, value: &str) -> usize {
    let col = batch
        .column_by_name(column)
        .expect("column exists")
        .as_string::<i32>();
    (0..col.len())
        .find(|&i| col.is_valid(i) && col.value(i) == value)
        .unwrap_or_else(|| panic!("no row with {column} = {value}"))
}

/// The formatted value of any column at a row.
pub fn cell(batch: &RecordBatch, column: &str, row: usize) -> String {
    let col = displayable(batch.column_by_name(column).expect("column exists"));
    let options = format_options();
    ArrayFormatter::try_new(col.as_ref(), &options)
        .expect("formattable")
        .value(row)
        .to_string()
}
