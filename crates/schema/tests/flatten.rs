//! Flattening recorded and hand-written Jira data into the warehouse tables.

mod common;

use std::collections::BTreeSet;

use arrow::array::AsArray;
use common::*;
use jirafe_jira_client::Timestamp;
use jirafe_jira_client::models::{Board, Comment, Field, Issue, Project, Sprint};
use jirafe_schema::{
    Deletion, DeletionReason, Error, FieldCatalog, Flattener, IssueRecord, Table, TableBatches,
    ValueKind,
};
use serde_json::Value;

const AIRBYTE: &str =
    "airbytehq__airbyte/airbyte-integrations/connectors/source-jira/unit_tests/responses";
const MOBITEL_ISSUE: &str =
    "mobitel-ltd__jira-to-matrix/test/fixtures/jira-api-requests/issue.json";
const OPTED_OUT: &str = "70121:opted-out-person";

fn flatten_cloud(privacy: &Marking) -> TableBatches {
    let (b, _) = cloud_bundle();
    let mut f = Flattener::new(privacy, FieldCatalog::new(&cloud_fields()));
    f.append_issue(
        IssueRecord::new(&b.issue)
            .with_comments(&b.comments)
            .with_worklogs(&b.worklogs)
            .with_changelog(&b.changelog)
            .with_remote_links(&b.remote_links),
    )
    .expect("issue flattens");
    f.finish().expect("batches build")
}

fn cloud_privacy() -> Marking {
    let (_, raw) = cloud_bundle();
    let mut pii = BTreeSet::new();
    personal_strings(&raw, &mut pii);
    Marking::new(pii).with_opt_out(OPTED_OUT)
}

fn airbyte() -> (Issue, Vec<Comment>, Vec<Sprint>, Value) {
    let issues = shared(&format!("{AIRBYTE}/issues.json"));
    let comments = shared(&format!("{AIRBYTE}/issue_comments.json"));
    let sprints = shared(&format!("{AIRBYTE}/sprints.json"));
    let raw = serde_json::json!([issues, comments, sprints]);
    (
        parse(&issues["issues"][0]),
        parse(&comments["comments"]),
        parse(&sprints["values"]),
        raw,
    )
}

fn flatten_airbyte(privacy: &Marking) -> TableBatches {
    let (issue, comments, sprints, _) = airbyte();
    let fields: Vec<Field> = parse(&data("airbyte_fields.json"));
    let mut f = Flattener::new(privacy, FieldCatalog::new(&fields));
    f.append_issue(IssueRecord::inline(&issue).with_comments(&comments))
        .expect("issue flattens");
    for s in &sprints {
        f.append_sprint(s);
    }
    for field in &fields {
        f.append_field(field);
    }
    if let Some(p) = &issue.fields.project {
        f.append_project(p);
    }
    f.finish().expect("batches build")
}

fn flatten_mobitel(privacy: &Marking) -> TableBatches {
    let issue: Issue = parse(&shared(MOBITEL_ISSUE));
    let mut f = Flattener::new(privacy, FieldCatalog::default());
    f.append_issue(IssueRecord::inline(&issue))
        .expect("issue flattens");
    f.finish().expect("batches build")
}

fn flatten_mattermost(privacy: &Marking) -> TableBatches {
    let (issue, changelog, fields, _) = mattermost();
    let mut f = Flattener::new(privacy, FieldCatalog::new(&fields));
    f.append_issue(IssueRecord::new(&issue).with_changelog(&changelog))
        .expect("issue flattens");
    f.finish().expect("batches build")
}

fn privacy_for(raw: &Value) -> Marking {
    let mut pii = BTreeSet::new();
    personal_strings(raw, &mut pii);
    Marking::new(pii)
}

#[test]
fn airbyte_cloud_issue_snapshot() {
    let (_, _, _, raw) = airbyte();
    let batches = flatten_airbyte(&privacy_for(&raw));
    insta::assert_snapshot!(render(&batches));
}

#[test]
fn mobitel_wiki_issue_snapshot() {
    let batches = flatten_mobitel(&privacy_for(&shared(MOBITEL_ISSUE)));
    insta::assert_snapshot!(render(&batches));
}

#[test]
fn mattermost_many_fields_snapshot() {
    let (_, _, _, raw) = mattermost();
    let batches = flatten_mattermost(&privacy_for(&raw));
    insta::assert_snapshot!(render(&batches));
}

#[test]
fn cloud_issue_snapshot() {
    insta::assert_snapshot!(render(&flatten_cloud(&cloud_privacy())));
}

#[test]
fn issue_columns_from_a_cloud_issue() {
    let batches = flatten_cloud(&cloud_privacy());
    let issues = batches.get(Table::Issues).unwrap();
    assert_eq!(issues.num_rows(), 1);
    assert_eq!(cell(issues, "id", 0), "20001");
    // Created 2025-01-31T23:30-02:00 is February in UTC: the partition month follows UTC.
    assert_eq!(cell(issues, "created", 0), "2025-02-01T01:30:00.000Z");
    assert_eq!(cell(issues, "due", 0), "2025-02-14");
    assert_eq!(cell(issues, "status_category", 0), "indeterminate");
    assert_eq!(cell(issues, "sprint_ids", 0), "[31, 32]");
    assert_eq!(cell(issues, "story_points", 0), "5.0");
    assert_eq!(cell(issues, "original_estimate_seconds", 0), "28800");
    assert_eq!(cell(issues, "components", 0), "[Payments]");
    assert_eq!(cell(issues, "fix_versions", 0), "[2025.2]");
    assert_eq!(cell(issues, "affected_versions", 0), "[2025.1]");
    assert_eq!(cell(issues, "parent_key", 0), "OPS-40");
    assert_eq!(cell(issues, "subtask_count", 0), "1");
    assert_eq!(cell(issues, "watch_count", 0), "5");
    // Labels are free text: scrubbed one by one.
    assert_eq!(
        cell(issues, "labels", 0),
        "[«checkout», «petra-escalation»]"
    );
    // ADF rendered, mentions through the privacy step, opted-out mention as [PERSON].
    let description = text(issues, "description", 0).unwrap();
    assert!(description.starts_with("«@user:psn_"), "{description}");
    assert!(description.contains("[PERSON]"), "{description}");
    assert!(description.contains("- Safari 17"), "{description}");
    // Wiki markup string rendered.
    assert_eq!(
        text(issues, "environment", 0).unwrap(),
        "«production, eu-west-1»"
    );
    assert_eq!(
        text(issues, "summary", 0).unwrap(),
        "«Checkout fails for [PERSON] ([PERSON])»"
    );
    let reporter = text(issues, "reporter", 0).unwrap();
    assert!(reporter.starts_with("psn_"));
    assert_eq!(text(issues, "creator", 0), Some(reporter));
}

#[test]
fn custom_fields_are_typed_by_the_catalog() {
    let batches = flatten_cloud(&cloud_privacy());
    let cf = batches.get(Table::IssueCustomFields).unwrap();
    let row = |id: &str| row_where(cf, "field_id", id);
    let check = |id: &str, kind: ValueKind, name: &str, column: &str, expected: &str| {
        let r = row(id);
        assert_eq!(
            text(cf, "value_kind", r).as_deref(),
            Some(kind.as_str()),
            "{id}"
        );
        assert_eq!(text(cf, "field_name", r).as_deref(), Some(name), "{id}");
        assert_eq!(cell(cf, column, r), expected, "{id}.{column}");
    };
    check(
        "customfield_10016",
        ValueKind::Number,
        "Story point estimate",
        "value_number",
        "5.0",
    );
    check(
        "customfield_10039",
        ValueKind::Number,
        "Cost",
        "value_number",
        "12.5",
    );
    check(
        "customfield_10033",
        ValueKind::Option,
        "Customer impact",
        "value_options",
        "[«Major»]",
    );
    check(
        "customfield_10033",
        ValueKind::Option,
        "Customer impact",
        "value_ids",
        "[10100]",
    );
    check(
        "customfield_10034",
        ValueKind::Options,
        "Affected platforms",
        "value_options",
        "[«iOS», «Web»]",
    );
    check(
        "customfield_10038",
        ValueKind::Option,
        "Region / Site",
        "value_options",
        "[«EMEA», «Prague»]",
    );
    check(
        "customfield_10035",
        ValueKind::Date,
        "Go-live date",
        "value_date",
        "2025-03-01",
    );
    check(
        "customfield_10036",
        ValueKind::DateTime,
        "Incident start",
        "value_timestamp",
        "2025-01-31T21:15:00.000Z",
    );
    check(
        "customfield_10037",
        ValueKind::Labels,
        "Tags",
        "value_options",
        "[«hotfix», «omar-haddad»]",
    );
    check(
        "customfield_10020",
        ValueKind::Sprint,
        "Sprint",
        "value_ids",
        "[31, 32]",
    );
    check(
        "customfield_10020",
        ValueKind::Sprint,
        "Sprint",
        "value_options",
        "[«OPS Sprint 7», «OPS Sprint 8»]",
    );
    check(
        "customfield_10032",
        ValueKind::RichText,
        "Root cause",
        "value_text",
        "«Token expiry not handled; found by [PERSON]»",
    );
    let qa = row("customfield_10031");
    assert_eq!(text(cf, "value_kind", qa).as_deref(), Some("user"));
    let qa_users = cell(cf, "value_users", qa);
    assert!(qa_users.starts_with("[psn_"), "{qa_users}");
    let reviewers = cell(cf, "value_users", row("customfield_10030"));
    assert!(reviewers.contains(OPTED_OUT_PSEUDONYM), "{reviewers}");
    // Not in the catalog: kept as JSON, people pseudonymized, `self` dropped, scrubbed.
    let unknown = row("customfield_10099");
    assert_eq!(text(cf, "value_kind", unknown).as_deref(), Some("json"));
    assert_eq!(text(cf, "field_name", unknown), None);
    let json = text(cf, "value_text", unknown).unwrap();
    assert!(json.contains("\"approver\":\"@user:psn_"), "{json}");
    assert!(json.contains("\"decision\":\"approved\""), "{json}");
    assert!(!json.contains("\"self\""), "{json}");
    // Null and empty values make no rows.
    let ids: Vec<_> = cf
        .column_by_name("field_id")
        .unwrap()
        .as_string::<i32>()
        .iter()
        .flatten()
        .collect();
    assert!(!ids.contains(&"customfield_10100") && !ids.contains(&"customfield_10101"));
    assert_eq!(cf.num_rows(), 13);
}

#[test]
fn recorded_custom_fields_are_typed() {
    // Data Center-style sprint strings, cascading select, radio buttons, dates from a
    // real Cloud recording and its project's field metadata.
    let (_, _, _, raw) = mattermost();
    let batches = flatten_mattermost(&privacy_for(&raw));
    let cf = batches.get(Table::IssueCustomFields).unwrap();
    let r = |id: &str| row_where(cf, "field_id", id);
    assert_eq!(cell(cf, "value_number", r("customfield_10072")), "23.0");
    assert_eq!(cell(cf, "value_options", r("customfield_10073")), "[«1»]");
    assert_eq!(cell(cf, "value_ids", r("customfield_10073")), "[10035]");
    assert_eq!(cell(cf, "value_options", r("customfield_10074")), "[«A»]");
    assert_eq!(
        text(cf, "value_kind", r("customfield_10075")).as_deref(),
        Some("options")
    );
    assert_eq!(cell(cf, "value_date", r("customfield_10069")), "2019-08-12");
    assert_eq!(
        cell(cf, "value_timestamp", r("customfield_10070")),
        "2019-08-29T19:40:00.000Z"
    );
    assert_eq!(
        cell(cf, "value_options", r("customfield_10071")),
        "[«value1», «value2»]"
    );
    assert_eq!(cell(cf, "value_ids", r("customfield_10021")), "[1]");
    assert_eq!(
        cell(cf, "value_options", r("customfield_10021")),
        "[«SCRUM1 Sprint 1»]"
    );
    assert!(cell(cf, "value_users", r("customfield_10080")).starts_with("[psn_"));
    assert_eq!(
        text(cf, "field_name", r("customfield_10080")).as_deref(),
        Some("MJK - User Picker")
    );
    let issues = batches.get(Table::Issues).unwrap();
    assert_eq!(cell(issues, "sprint_ids", 0), "[1]");
}

#[test]
fn changelog_user_items_become_pseudonyms() {
    let batches = flatten_cloud(&cloud_privacy());
    let cl = batches.get(Table::Changelog).unwrap();
    assert_eq!(cl.num_rows(), 5);
    let assignee = row_where(cl, "field_id", "assignee");
    assert_eq!(cell(cl, "history_id", assignee), "60001");
    assert_eq!(cell(cl, "item_index", assignee), "0");
    assert_eq!(text(cl, "to_string", assignee), None);
    assert_eq!(text(cl, "to_value", assignee), None);
    assert!(cell(cl, "to_users", assignee).starts_with("[psn_"));
    assert_eq!(cell(cl, "from_users", assignee), "[]");
    let reviewers = row_where(cl, "field_id", "customfield_10030");
    let to = cell(cl, "to_users", reviewers);
    assert!(
        to.starts_with("[psn_") && to.ends_with(&format!("{OPTED_OUT_PSEUDONYM}]")),
        "{to}"
    );
    assert_eq!(text(cl, "to_string", reviewers), None);
    let status = row_where(cl, "field_id", "status");
    assert_eq!(
        text(cl, "to_string", status).as_deref(),
        Some("«In Progress»")
    );
    assert_eq!(cell(cl, "to_users", status), "∅");
    // The opted-out author's free text is dropped; their structured changes are kept.
    let description = row_where(cl, "field_id", "description");
    assert_eq!(
        text(cl, "author", description).as_deref(),
        Some(OPTED_OUT_PSEUDONYM)
    );
    assert_eq!(text(cl, "from_string", description), None);
    assert_eq!(text(cl, "to_string", description), None);
    let priority = row_where(cl, "field_id", "priority");
    assert_eq!(text(cl, "to_string", priority).as_deref(), Some("«High»"));
}

#[test]
fn opted_out_authors_text_is_dropped() {
    let batches = flatten_cloud(&cloud_privacy());
    let comments = batches.get(Table::Comments).unwrap();
    assert_eq!(comments.num_rows(), 2);
    assert_eq!(
        text(comments, "author", 1).as_deref(),
        Some(OPTED_OUT_PSEUDONYM)
    );
    assert_eq!(text(comments, "body", 1), None);
    assert_eq!(cell(comments, "visibility_restricted", 1), "true");
    let body = text(comments, "body", 0).unwrap();
    assert!(
        body.starts_with("«Reproduced. @user:psn_") && body.ends_with(" can you confirm?»"),
        "{body}"
    );
    let users = batches.get(Table::Users).unwrap();
    let opted = row_where(users, "pseudonym", OPTED_OUT_PSEUDONYM);
    assert_eq!(text(users, "account_type", opted), None);
    assert_eq!(cell(users, "active", opted), "∅");
    // Each person once per batch: reporter, assignee, opted-out person.
    assert_eq!(users.num_rows(), 3);
}

#[test]
fn child_rows_carry_the_parent_month_and_owner() {
    let batches = flatten_cloud(&cloud_privacy());
    for (table, batch) in batches.non_empty() {
        if !table.is_issue_child() {
            continue;
        }
        for row in 0..batch.num_rows() {
            assert_eq!(cell(batch, "issue_id", row), "20001", "{table}");
            assert_eq!(
                cell(batch, "issue_created", row),
                "2025-02-01T01:30:00.000Z",
                "{table}"
            );
        }
    }
    let links = batches.get(Table::IssueLinks).unwrap();
    assert_eq!(cell(links, "direction", 0), "outward");
    assert_eq!(cell(links, "relation", 0), "blocks");
    assert_eq!(cell(links, "other_issue_key", 1), "OPS-51");
    assert_eq!(cell(links, "direction", 1), "inward");
    let att = batches.get(Table::Attachments).unwrap();
    assert_eq!(
        text(att, "filename", 0).as_deref(),
        Some("«petra-novak-screenshot.png»")
    );
    assert_eq!(cell(att, "size_bytes", 0), "48213");
    let remote = batches.get(Table::RemoteLinks).unwrap();
    assert_eq!(
        text(remote, "title", 0).as_deref(),
        Some("«Postmortem by [PERSON]»")
    );
    assert_eq!(
        text(remote, "application_type", 0).as_deref(),
        Some("com.atlassian.confluence")
    );
}

/// The privacy property: nothing personal from the input reaches any string column, and
/// every free-text column went through `scrub`.
#[test]
fn no_personal_data_reaches_any_column() {
    let free_text = [
        "summary",
        "description",
        "environment",
        "body",
        "comment",
        "labels",
        "from_value",
        "from_string",
        "to_value",
        "to_string",
        "global_id",
        "relationship",
        "url",
        "title",
        "filename",
        "value_text",
        "value_options",
        "goal",
    ];
    let cases: Vec<(&str, Value, TableBatches)> = vec![
        ("cloud", cloud_bundle().1, flatten_cloud(&cloud_privacy())),
        ("airbyte", airbyte().3, {
            let (_, _, _, raw) = airbyte();
            flatten_airbyte(&privacy_for(&raw))
        }),
        (
            "mobitel",
            shared(MOBITEL_ISSUE),
            flatten_mobitel(&privacy_for(&shared(MOBITEL_ISSUE))),
        ),
        ("mattermost", mattermost().3, {
            let (_, _, _, raw) = mattermost();
            flatten_mattermost(&privacy_for(&raw))
        }),
    ];
    for (case, raw, batches) in cases {
        let mut pii = BTreeSet::new();
        personal_strings(&raw, &mut pii);
        assert!(!pii.is_empty(), "{case}: the fixture has people");
        let mut checked = 0;
        for (table, batch) in batches.iter() {
            for (column, value) in strings(batch) {
                checked += 1;
                let lower = value.to_lowercase();
                for p in &pii {
                    assert!(
                        !lower.contains(&p.to_lowercase()),
                        "{case}: {table}.{column} leaks a personal string"
                    );
                }
                if free_text.contains(&column.as_str()) {
                    assert!(
                        value.starts_with('«'),
                        "{case}: {table}.{column} was not scrubbed"
                    );
                }
            }
        }
        assert!(checked > 20, "{case}: only {checked} strings checked");
    }
}

#[test]
fn restricted_and_undated_issues_are_refused() {
    let privacy = Marking::new([]);
    let mut f = Flattener::new(&privacy, FieldCatalog::default());
    let restricted: Issue = serde_json::from_value(serde_json::json!({
        "id": "1", "fields": {"created": "2025-01-01T00:00:00.000Z", "security": {"id": "10000", "name": "Staff"}}
    }))
    .unwrap();
    assert!(matches!(
        f.append_issue(IssueRecord::new(&restricted)),
        Err(Error::SecurityLevel { issue_id: 1 })
    ));
    let undated: Issue =
        serde_json::from_value(serde_json::json!({"id": "2", "fields": {"summary": "x"}})).unwrap();
    let err = f.append_issue(IssueRecord::new(&undated)).unwrap_err();
    assert!(matches!(err, Error::MissingCreated { issue_id: 2 }));
    assert!(err.to_string().contains("issue 2 "), "{err}");
    // Nothing was appended.
    assert_eq!(f.finish().unwrap().total_rows(), 0);
}

#[test]
fn finish_starts_a_new_batch() {
    let privacy = cloud_privacy();
    let (b, _) = cloud_bundle();
    let mut f = Flattener::new(&privacy, FieldCatalog::new(&cloud_fields()));
    f.append_issue(IssueRecord::new(&b.issue).with_comments(&b.comments))
        .unwrap();
    assert_eq!(f.pending_rows(Table::Issues), 1);
    assert_eq!(f.pending_rows(Table::Comments), 2);
    let first = f.finish().unwrap();
    assert_eq!(f.pending_rows(Table::Issues), 0);
    f.append_issue(IssueRecord::new(&b.issue)).unwrap();
    let second = f.finish().unwrap();
    assert_eq!(first.get(Table::Comments).unwrap().num_rows(), 2);
    assert_eq!(second.get(Table::Comments).unwrap().num_rows(), 0);
    // Users are listed again in the new batch.
    assert_eq!(second.get(Table::Users).unwrap().num_rows(), 3);
    for (table, batch) in second.iter() {
        assert_eq!(batch.schema(), table.schema(), "{table}");
    }
}

#[test]
fn dimension_tables_and_deletions() {
    let privacy = Marking::new(["Ana Board-Owner".to_owned()]);
    let mut f = Flattener::new(&privacy, FieldCatalog::default());
    let board: Board = serde_json::from_value(serde_json::json!({
        "id": 4, "name": "Ana Board-Owner's board", "type": "scrum",
        "location": {"projectId": 10100, "projectKey": "OPS", "displayName": "Operations (OPS)"}
    }))
    .unwrap();
    f.append_board(&board);
    let project: Project = serde_json::from_value(serde_json::json!({
        "id": "10100", "key": "OPS", "name": "Operations", "projectTypeKey": "software",
        "isPrivate": false, "projectCategory": {"id": "1", "name": "Internal"}
    }))
    .unwrap();
    f.append_project(&project);
    f.append_deletion(&Deletion {
        issue_id: 20001,
        project_id: Some(10100),
        detected_at: "2025-03-01T12:00:00Z".parse::<Timestamp>().unwrap(),
        reason: DeletionReason::AccessLost,
    });
    let batches = f.finish().unwrap();
    let boards = batches.get(Table::Boards).unwrap();
    assert_eq!(
        text(boards, "name", 0).as_deref(),
        Some("«[PERSON]'s board»")
    );
    assert_eq!(
        text(boards, "partition_month", 0).as_deref(),
        Some(jirafe_schema::DIMENSION_MONTH)
    );
    let projects = batches.get(Table::Projects).unwrap();
    assert_eq!(text(projects, "category", 0).as_deref(), Some("Internal"));
    let del = batches.get(Table::Deletions).unwrap();
    assert_eq!(cell(del, "reason", 0), "access_lost");
    assert_eq!(cell(del, "detected_at", 0), "2025-03-01T12:00:00.000Z");
}

#[test]
fn batches_load_into_the_partition_writer() {
    use jirafe_partition_writer::PartitionWriter;
    use object_store::{memory::InMemory, path::Path};

    let batches = flatten_cloud(&cloud_privacy());
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let writer = PartitionWriter::new(std::sync::Arc::new(InMemory::new()), Path::from("wh"));
        for (table, batch) in batches.non_empty() {
            let spec = table.spec().unwrap();
            writer.upsert(&spec, [batch.clone()]).await.unwrap();
        }
        for table in [
            Table::Issues,
            Table::Comments,
            Table::Changelog,
            Table::IssueCustomFields,
        ] {
            let months = writer.list_partitions(table.name()).await.unwrap();
            assert_eq!(months, ["2025-02".parse().unwrap()], "{table}");
        }
        let users = writer.list_partitions("users").await.unwrap();
        assert_eq!(users, [jirafe_schema::DIMENSION_MONTH.parse().unwrap()]);
        // Deleting the issue by owner empties every child table.
        for table in Table::ALL
            .into_iter()
            .filter(|t| t.owner_column().is_some())
        {
            writer
                .delete(&table.spec().unwrap(), &[20001])
                .await
                .unwrap();
            let month = "2025-02".parse().unwrap();
            let rows: usize = writer
                .read_partition(table.name(), month)
                .await
                .unwrap()
                .unwrap_or_default()
                .iter()
                .map(|b| b.num_rows())
                .sum();
            assert_eq!(rows, 0, "{table}");
        }
    });
}

#[test]
fn catalog_finds_story_points_and_sprints_by_type_and_name() {
    let fields: Vec<Field> = serde_json::from_value(serde_json::json!([
        {"id": "customfield_1", "name": "Story Points", "schema": {"type": "number"}},
        {"id": "customfield_2", "name": "Story point estimate", "schema": {"type": "number"}},
        {"id": "customfield_3", "name": "Story Points", "schema": {"type": "string"}},
        {"id": "customfield_4", "name": "Iteration", "schema": {"type": "array", "items": "json", "custom": "com.pyxis.greenhopper.jira:gh-sprint"}}
    ]))
    .unwrap();
    let catalog = FieldCatalog::new(&fields);
    assert_eq!(
        catalog.story_point_fields(),
        ["customfield_1", "customfield_2"]
    );
    assert_eq!(catalog.sprint_fields(), ["customfield_4"]);
    assert_eq!(
        catalog.get("customfield_3").map(|f| f.kind),
        Some(ValueKind::Text)
    );
    let json_kind = catalog.get("customfield_4").map(|f| f.kind.as_str());
    assert_eq!(json_kind, Some("sprint"));
    assert!(catalog.get("customfield_9").is_none());
}

#[test]
fn people_known_only_by_id_are_listed_and_enriched_later() {
    let privacy = Marking::new([]);
    let mut f = Flattener::new(&privacy, FieldCatalog::default());
    let issue: Issue = serde_json::from_value(serde_json::json!({
        "id": "7", "fields": {"created": "2025-01-01T00:00:00.000Z",
            "assignee": {"accountId": "acc-new", "accountType": "app", "active": false}}
    }))
    .unwrap();
    let history: Vec<jirafe_jira_client::models::ChangelogHistory> =
        serde_json::from_value(serde_json::json!([{"id": "1", "items": [
            {"field": "assignee", "fieldtype": "jira", "fieldId": "assignee",
             "from": "acc-old", "fromString": "Old Person", "to": "acc-new", "toString": "New Person"}]}]))
        .unwrap();
    f.append_issue(IssueRecord::new(&issue).with_changelog(&history))
        .unwrap();
    let batches = f.finish().unwrap();
    let users = batches.get(Table::Users).unwrap();
    assert_eq!(users.num_rows(), 2);
    let cl = batches.get(Table::Changelog).unwrap();
    let from = cell(cl, "from_users", 0);
    let old = row_where(users, "pseudonym", from.trim_matches(['[', ']']));
    assert_eq!(text(users, "account_type", old), None);
    let to = cell(cl, "to_users", 0);
    let new = row_where(users, "pseudonym", to.trim_matches(['[', ']']));
    assert_eq!(text(users, "account_type", new).as_deref(), Some("app"));
    assert_eq!(cell(users, "active", new), "false");
}

#[test]
fn an_opted_out_creators_issue_text_is_dropped() {
    let privacy = Marking::new([]).with_opt_out("acc-quiet");
    let mut f = Flattener::new(&privacy, FieldCatalog::default());
    let issue: Issue = serde_json::from_value(serde_json::json!({
        "id": "8", "key": "Q-1", "fields": {"created": "2025-01-01T00:00:00.000Z",
            "summary": "written by a person who opted out", "description": "also theirs",
            "labels": ["kept"],
            "creator": {"accountId": "acc-quiet"}, "reporter": {"accountId": "acc-other"}}
    }))
    .unwrap();
    f.append_issue(IssueRecord::new(&issue)).unwrap();
    let batches = f.finish().unwrap();
    let issues = batches.get(Table::Issues).unwrap();
    assert_eq!(text(issues, "summary", 0), None);
    assert_eq!(text(issues, "description", 0), None);
    assert_eq!(
        text(issues, "creator", 0).as_deref(),
        Some(OPTED_OUT_PSEUDONYM)
    );
    assert!(text(issues, "reporter", 0).unwrap().starts_with("psn_"));
    assert_eq!(cell(issues, "labels", 0), "[«kept»]");
}

#[test]
fn free_text_columns_are_exactly_the_scrubbed_ones() {
    // Every value Privacy::scrub produced (marked «…») sits in a column listed as free
    // text, and every listed column is a string column: the leak scan relies on both.
    let all = [
        flatten_cloud(&cloud_privacy()),
        flatten_airbyte(&privacy_for(&airbyte().3)),
        flatten_mobitel(&privacy_for(&shared(MOBITEL_ISSUE))),
        flatten_mattermost(&privacy_for(&mattermost().3)),
    ];
    let mut seen = BTreeSet::new();
    for batches in &all {
        for (table, batch) in batches.non_empty() {
            for (column, value) in strings(batch) {
                if value.starts_with('«') {
                    assert!(
                        table.free_text_columns().contains(&column.as_str()),
                        "{table}.{column} is scrubbed but not listed as free text"
                    );
                    seen.insert((table, column));
                }
            }
        }
    }
    assert!(
        seen.len() >= 8,
        "fixtures exercise the scrubbed columns: {seen:?}"
    );
    for table in Table::ALL {
        let schema = table.schema();
        for column in table.free_text_columns() {
            let field = schema
                .field_with_name(column)
                .unwrap_or_else(|_| panic!("{table}.{column} is not a column"));
            assert!(
                matches!(field.data_type(), arrow::datatypes::DataType::Utf8)
                    || matches!(field.data_type(), arrow::datatypes::DataType::List(f) if f.data_type() == &arrow::datatypes::DataType::Utf8),
                "{table}.{column} is not a string column"
            );
        }
    }
}
