//! The benchmark's data: realistic issues (ADF description with a mention, a link and a
//! list; 3 comments, 1 worklog, 4 changelog histories of 2 items; custom fields), as
//! parsed client models, and the pass-through privacy that measures flattening alone.
//! Shared by `benches/flatten.rs` and `examples/profile_flatten.rs`.
#![allow(dead_code)] // each user takes what it needs

use std::borrow::Cow;

use jirafe_jira_client::models::{ChangelogHistory, Comment, Field, Issue, User, Worklog};
use jirafe_schema::{FieldCatalog, Flattener, IssueRecord, Mention, Privacy};
use serde_json::{Value, json};

/// Pseudonym = the id, text kept: the flattening cost alone.
pub(crate) struct PassThrough;

impl Privacy for PassThrough {
    fn pseudonym(&self, user: &User) -> Option<String> {
        user.stable_id().map(str::to_owned)
    }
    fn scrub<'a>(&self, _table: &str, _column: &str, text: &'a str) -> Option<Cow<'a, str>> {
        Some(Cow::Borrowed(text))
    }
    fn mention(&self, _mention: &Mention<'_>, out: &mut String) {
        out.push_str("@user");
    }
    fn is_opted_out(&self, _user: &User) -> bool {
        false
    }
}

pub(crate) struct Bundle {
    issue: Issue,
    comments: Vec<Comment>,
    worklogs: Vec<Worklog>,
    changelog: Vec<ChangelogHistory>,
}

impl Bundle {
    /// The rich-text values of the issue and its children (description, comment bodies,
    /// worklog comments).
    pub(crate) fn rich_text(&self) -> impl Iterator<Item = &Value> {
        self.issue
            .fields
            .description
            .iter()
            .chain(self.comments.iter().filter_map(|c| c.body.as_ref()))
            .chain(self.worklogs.iter().filter_map(|w| w.comment.as_ref()))
    }
}

fn user(n: usize) -> Value {
    json!({"accountId": format!("5b10ac8d82e05b22cc7d{n:04}"), "displayName": format!("Person {n}"),
           "emailAddress": format!("person{n}@example.com"), "accountType": "atlassian", "active": true})
}

fn adf(paragraphs: &[&str], mention: usize) -> Value {
    let mut content = vec![json!({"type": "paragraph", "content": [
        {"type": "mention", "attrs": {"id": format!("5b10ac8d82e05b22cc7d{mention:04}"), "text": "@Person"}},
        {"type": "text", "text": " could you take a look at this?"}]})];
    for p in paragraphs {
        content.push(json!({"type": "paragraph", "content": [
            {"type": "text", "text": *p},
            {"type": "text", "text": " see the runbook", "marks": [{"type": "link", "attrs": {"href": "https://wiki.example.com/runbook"}}]}]}));
    }
    content.push(json!({"type": "bulletList", "content": [
        {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Steps to reproduce: open the checkout page"}]}]},
        {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Expected: the order is placed", "marks": [{"type": "strong"}]}]}]}]}));
    json!({"type": "doc", "version": 1, "content": content})
}

pub(crate) fn bundle(i: usize) -> Bundle {
    let month = 1 + i % 12;
    let day = 1 + i % 28;
    let created = format!("2024-{month:02}-{day:02}T10:{:02}:00.000+0000", i % 60);
    let updated = format!("2025-01-{day:02}T10:00:00.000+0000");
    let issue = json!({
        "id": (100_000 + i).to_string(), "key": format!("DEMO-{i}"),
        "fields": {
            "summary": format!("Checkout fails intermittently on step {i}"),
            "created": created, "updated": updated,
            "issuetype": {"id": "10001", "name": "Bug", "subtask": false, "hierarchyLevel": 0},
            "project": {"id": "10000", "key": "DEMO", "name": "Demo"},
            "status": {"id": "3", "name": "In Progress", "statusCategory": {"id": 4, "key": "indeterminate"}},
            "priority": {"id": "3", "name": "Medium"},
            "labels": ["checkout", "web"],
            "components": [{"id": "10", "name": "Payments"}],
            "fixVersions": [{"id": "200", "name": "2025.1"}],
            "reporter": user(i % 50), "assignee": user((i + 7) % 50), "creator": user(i % 50),
            "votes": {"votes": 1}, "watches": {"watchCount": 3},
            "timetracking": {"originalEstimateSeconds": 3600, "timeSpentSeconds": 1800},
            "description": adf(&["The payment form throws a validation error when the card expires this month.",
                                 "It started after the last deploy; the logs show a timeout in the tokenizer."], (i + 3) % 50),
            "customfield_10016": (i % 8) as f64,
            "customfield_10020": [{"id": 1 + i % 20, "name": format!("Sprint {}", 1 + i % 20), "state": "closed"}],
            "customfield_10033": {"value": "Major", "id": "10100"},
            "customfield_10037": ["hotfix"],
        }
    });
    let comments = (0..3)
        .map(|c| {
            json!({"id": (i * 10 + c).to_string(), "author": user((i + c) % 50),
            "body": adf(&["Reproduced on staging with a fresh account."], (i + c + 1) % 50),
            "created": updated, "updated": updated})
        })
        .collect::<Vec<_>>();
    let worklogs = vec![
        json!({"id": i.to_string(), "author": user(i % 50), "timeSpentSeconds": 1800,
        "started": updated, "created": updated, "updated": updated,
        "comment": adf(&["Investigated the tokenizer timeout."], i % 50)}),
    ];
    let changelog = (0..4)
        .map(|h| json!({"id": (i * 10 + h).to_string(), "author": user((i + h) % 50), "created": updated,
            "items": [
                {"field": "status", "fieldtype": "jira", "fieldId": "status", "from": "1", "fromString": "Open", "to": "3", "toString": "In Progress"},
                {"field": "assignee", "fieldtype": "jira", "fieldId": "assignee", "from": format!("5b10ac8d82e05b22cc7d{:04}", h), "fromString": "Person A",
                 "to": format!("5b10ac8d82e05b22cc7d{:04}", h + 1), "toString": "Person B"}]}))
        .collect::<Vec<_>>();
    Bundle {
        issue: parse(issue),
        comments: parse(Value::Array(comments)),
        worklogs: parse(Value::Array(worklogs)),
        changelog: parse(Value::Array(changelog)),
    }
}

fn parse<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("generated models parse")
}

pub(crate) fn catalog() -> FieldCatalog {
    let fields: Vec<Field> = serde_json::from_value(json!([
        {"id": "customfield_10016", "name": "Story point estimate", "schema": {"type": "number"}},
        {"id": "customfield_10020", "name": "Sprint", "schema": {"type": "array", "items": "json", "custom": "com.pyxis.greenhopper.jira:gh-sprint"}},
        {"id": "customfield_10033", "name": "Customer impact", "schema": {"type": "option"}},
        {"id": "customfield_10037", "name": "Tags", "schema": {"type": "array", "items": "string"}}
    ]))
    .expect("catalog parses");
    FieldCatalog::new(&fields)
}

pub(crate) fn flatten_all(
    bundles: &[Bundle],
    catalog: &FieldCatalog,
) -> jirafe_schema::TableBatches {
    let mut f = Flattener::new(&PassThrough, catalog.clone());
    for b in bundles {
        f.append_issue(
            IssueRecord::new(&b.issue)
                .with_comments(&b.comments)
                .with_worklogs(&b.worklogs)
                .with_changelog(&b.changelog),
        )
        .expect("flattens");
    }
    f.finish().expect("batches build")
}
