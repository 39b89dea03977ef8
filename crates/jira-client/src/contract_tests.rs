//! Contract tests: every recorded Jira response in `shared/fixtures/jira/` that maps to an
//! endpoint this crate calls parses without error, and keeps the fields the warehouse uses.
//! The snapshots show those fields, so a model change that loses one is visible in review.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::api::StartAtPage;
use crate::models::*;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/jira")
}

fn load<T: DeserializeOwned>(rel: &str) -> T {
    let path = fixtures().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel} does not parse: {e}"))
}

fn user(u: &Option<User>) -> Value {
    u.as_ref().map_or(Value::Null, |u| json!(u.stable_id()))
}

fn issue_summary(i: &Issue) -> Value {
    let f = &i.fields;
    json!({
        "id": i.id,
        "key": i.key,
        "project": f.project.as_ref().map(|p| json!([p.id, p.key])),
        "type": f.issuetype.as_ref().and_then(|t| t.name.clone()),
        "status": f.status.as_ref().map(|s| json!([s.name, s.status_category.as_ref().and_then(|c| c.key.clone())])),
        "priority": f.priority.as_ref().and_then(|p| p.name.clone()),
        "resolution": f.resolution.as_ref().and_then(|p| p.name.clone()),
        "created": f.created.map(|t| t.unix_millis()),
        "updated": f.updated.map(|t| t.unix_millis()),
        "resolved": f.resolutiondate.map(|t| t.unix_millis()),
        "due": f.duedate.map(|d| d.to_string()),
        "labels": f.labels,
        "components": f.components.len(),
        "fix_versions": f.fix_versions.iter().map(|v| v.name.clone()).collect::<Vec<_>>(),
        "parent": f.parent.as_ref().and_then(|p| p.key.clone()),
        "reporter": user(&f.reporter),
        "assignee": user(&f.assignee),
        "creator": user(&f.creator),
        "has_summary": f.summary.is_some(),
        "description": f.description.as_ref().map(|d| if d.is_string() { "text" } else { "adf" }),
        "security": f.security.is_some(),
        "votes": f.votes.as_ref().and_then(|v| v.votes),
        "watchers": f.watches.as_ref().and_then(|w| w.watch_count),
        "time_spent": f.timespent,
        "links": f.issuelinks.len(),
        "attachments": f.attachment.len(),
        "subtasks": f.subtasks.len(),
        "comments": f.comment.as_ref().map(|c| json!([c.comments.len(), c.page.total])),
        "worklogs": f.worklog.as_ref().map(|w| json!([w.worklogs.len(), w.page.total])),
        "changelog": i.changelog.as_ref().map(|c| json!([c.histories.len(), c.page.total])),
        "custom_fields": f.custom_fields().count(),
    })
}

fn comment_summary(c: &Comment) -> Value {
    json!({
        "id": c.id, "author": user(&c.author), "update_author": user(&c.update_author),
        "body": c.body.as_ref().map(|b| if b.is_string() { "text" } else { "adf" }),
        "created": c.created.map(|t| t.unix_millis()), "updated": c.updated.map(|t| t.unix_millis()),
    })
}

#[test]
fn search_pages_cloud() {
    for rel in [
        "ankitpokhrel__jira-cli/pkg/jira/testdata/search.json",
        "airbytehq__airbyte/airbyte-integrations/connectors/source-jira/unit_tests/responses/issues.json",
    ] {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Page {
            issues: Vec<Issue>,
            is_last: Option<bool>,
        }
        let page: Page = load(rel);
        assert!(!page.issues.is_empty(), "{rel}");
        let summary: Vec<Value> = page.issues.iter().map(issue_summary).collect();
        insta::assert_json_snapshot!(
            format!("search_cloud__{}", rel.replace('/', "_")),
            json!({"is_last": page.is_last, "issues": summary})
        );
    }
}

#[test]
fn search_pages_start_at() {
    for rel in [
        "mobitel-ltd__jira-to-matrix/test/fixtures/jira-api-requests/project-gens/search-project.json",
        "atlassian-api__atlassian-python-api/tests/responses/jira/rest/agile/1.0/epic/BAR-22/issue/GET.0.json",
        "atlassian-api__atlassian-python-api/tests/responses/jira/rest/agile/1.0/epic/none/issue/GET.0.json",
        "andygrunwald__go-jira/testing/mock-data/issues_in_sprint.json",
        "ankitpokhrel__jira-cli/pkg/jira/testdata/epic.json",
    ] {
        let page: StartAtPage<Issue> = load(rel);
        assert!(!page.values.is_empty(), "{rel}");
        let summary: Vec<Value> = page.values.iter().map(issue_summary).collect();
        insta::assert_json_snapshot!(
            format!("search_start_at__{}", rel.replace('/', "_")),
            json!({"start_at": page.start_at, "total": page.total, "next": page.next(0), "issues": summary})
        );
    }
}

#[test]
fn single_issues() {
    for rel in [
        "mobitel-ltd__jira-to-matrix/test/fixtures/jira-api-requests/issue.json",
        "mobitel-ltd__jira-to-matrix/test/fixtures/jira-api-requests/issue-rendered.json",
        "atlassian-api__atlassian-python-api/tests/responses/jira/rest/api/2/issue/FOO-123/GET.0.json",
        "ankitpokhrel__jira-cli/pkg/jira/testdata/issue.json",
        "ankitpokhrel__jira-cli/pkg/jira/testdata/issue-1.json",
        "ankitpokhrel__jira-cli/pkg/jira/testdata/issue-2.json",
    ] {
        let issue: Issue = load(rel);
        insta::assert_json_snapshot!(
            format!("issue__{}", rel.replace('/', "_")),
            issue_summary(&issue)
        );
    }
}

#[test]
fn comments() {
    for rel in [
        "atlassian-api__atlassian-python-api/tests/responses/jira/rest/api/2/issue/FOO-123/comment/GET.json",
        "airbytehq__airbyte/airbyte-integrations/connectors/source-jira/unit_tests/responses/issue_comments.json",
    ] {
        let page: StartAtPage<Comment> = load(rel);
        assert!(!page.values.is_empty(), "{rel}");
        let summary: Vec<Value> = page.values.iter().map(comment_summary).collect();
        insta::assert_json_snapshot!(format!("comments__{}", rel.replace('/', "_")), summary);
    }
    let one: Comment = load(
        "atlassian-api__atlassian-python-api/tests/responses/jira/rest/api/2/issue/FOO-123/comment/10000/GET.json",
    );
    assert_eq!(one.id, 10000);
    assert!(one.author.as_ref().and_then(User::stable_id).is_some());
}

#[test]
fn catalogs() {
    let projects: Vec<Project> = load("andygrunwald__go-jira/testing/mock-data/all_projects.json");
    assert_eq!(projects.len(), 567);
    assert!(projects.iter().all(|p| p.id > 0 && !p.key.is_empty()));
    let jcli_projects: Vec<Project> =
        load("ankitpokhrel__jira-cli/pkg/jira/testdata/projects.json");
    let single: Project =
        load("mobitel-ltd__jira-to-matrix/test/fixtures/jira-api-requests/project.json");
    let mut fields: Vec<Field> = load("ankitpokhrel__jira-cli/pkg/jira/testdata/fields.json");
    fields.extend(load::<Vec<Field>>(
        "andygrunwald__go-jira/testing/mock-data/all_fields.json",
    ));
    let myself: User = load("ankitpokhrel__jira-cli/pkg/jira/testdata/myself.json");
    let users: Vec<User> = load("ankitpokhrel__jira-cli/pkg/jira/testdata/users.json");
    let server: ServerInfo = load("ankitpokhrel__jira-cli/pkg/jira/testdata/serverinfo.json");
    let mut links: Vec<RemoteLink> = load(
        "atlassian-api__atlassian-python-api/tests/responses/jira/rest/api/2/issue/FOO-123/remotelink/GET.json",
    );
    links.extend(load::<Vec<RemoteLink>>(
        "andygrunwald__go-jira/testing/mock-data/remote_links.json",
    ));
    insta::assert_json_snapshot!(
        "catalogs",
        json!({
            "projects_first3": projects.iter().take(3).map(|p| json!([p.id, p.key, p.project_category.as_ref().and_then(|c| c.name.clone())])).collect::<Vec<_>>(),
            "jira_cli_projects": jcli_projects.iter().map(|p| p.key.clone()).collect::<Vec<_>>(),
            "project": [single.id, single.key],
            "fields": fields.iter().map(|f| json!([f.id, f.name, f.custom, f.schema.as_ref().and_then(|s| s.field_type.clone()), f.schema.as_ref().and_then(|s| s.custom.clone())])).collect::<Vec<_>>(),
            "myself_has_name": myself.display_name.is_some(),
            "users": users.iter().map(|u| json!([u.stable_id(), u.active])).collect::<Vec<_>>(),
            "server": [server.deployment_type, server.version, server.server_time.map(|t| t.unix_millis())],
            "remote_links": links.iter().map(|l| json!([l.id, l.global_id, l.object.as_ref().and_then(|o| o.url.clone())])).collect::<Vec<_>>(),
        })
    );
}

#[test]
fn agile() {
    let mut boards: Vec<Value> = Vec::new();
    for rel in [
        "ankitpokhrel__jira-cli/pkg/jira/testdata/boards.json",
        "andygrunwald__go-jira/testing/mock-data/all_boards.json",
    ] {
        let page: StartAtPage<Board> = load(rel);
        assert!(!page.values.is_empty(), "{rel}");
        boards.extend(page.values.iter().map(|b| {
            json!([
                b.id,
                b.board_type,
                b.location.as_ref().and_then(|l| l.project_id)
            ])
        }));
    }
    let mut sprints: Vec<Value> = Vec::new();
    for rel in [
        "ankitpokhrel__jira-cli/pkg/jira/testdata/sprints.json",
        "ankitpokhrel__jira-cli/pkg/jira/testdata/sprints-0.json",
        "ankitpokhrel__jira-cli/pkg/jira/testdata/sprints-2.json",
        "ankitpokhrel__jira-cli/pkg/jira/testdata/sprints-3.json",
        "andygrunwald__go-jira/testing/mock-data/sprints.json",
        "airbytehq__airbyte/airbyte-integrations/connectors/source-jira/unit_tests/responses/sprints.json",
    ] {
        let page: StartAtPage<Sprint> = load(rel);
        sprints.extend(page.values.iter().map(|s| {
            json!([
                s.id,
                s.state,
                s.start_date.map(|t| t.unix_millis()),
                s.end_date.map(|t| t.unix_millis()),
                s.origin_board_id
            ])
        }));
    }
    let one: Sprint = load("ankitpokhrel__jira-cli/pkg/jira/testdata/sprint-get.json");
    assert!(one.id > 0 && one.complete_date.is_some());
    insta::assert_json_snapshot!("agile", json!({"boards": boards, "sprints": sprints}));
}

/// Webhook payloads carry the same issue, comment, worklog and changelog shapes.
#[test]
fn webhook_payload_shapes() {
    let mut seen = Vec::new();
    let mut stack = vec![fixtures()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            let Ok(v) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            if v.get("webhookEvent").is_none() {
                continue;
            }
            let name = p
                .strip_prefix(fixtures())
                .unwrap_or(&p)
                .display()
                .to_string();
            let issue = v.get("issue").filter(|i| !i.is_null()).map(|i| {
                serde_json::from_value::<Issue>(i.clone())
                    .unwrap_or_else(|e| panic!("{name}: issue: {e}"))
            });
            let comment = v.get("comment").filter(|i| !i.is_null()).map(|c| {
                serde_json::from_value::<Comment>(c.clone())
                    .unwrap_or_else(|e| panic!("{name}: comment: {e}"))
            });
            let worklog = v.get("worklog").filter(|i| !i.is_null()).map(|w| {
                serde_json::from_value::<Worklog>(w.clone())
                    .unwrap_or_else(|e| panic!("{name}: worklog: {e}"))
            });
            let changelog = v.get("changelog").filter(|i| !i.is_null()).map(|c| {
                serde_json::from_value::<ChangelogHistory>(c.clone())
                    .unwrap_or_else(|e| panic!("{name}: changelog: {e}"))
            });
            seen.push(json!({
                "file": name,
                "event": v["webhookEvent"],
                "issue": issue.as_ref().map(|i| json!([i.id, i.key, i.fields.updated.map(|t| t.unix_millis()), i.has_security_level()])),
                "comment": comment.as_ref().map(|c| c.id),
                "worklog": worklog.as_ref().map(|w| [w.id, w.issue_id.unwrap_or_default()]),
                "changelog_items": changelog.as_ref().map(|c| c.items.iter().map(|i| i.field_id.clone().or(i.field.clone())).collect::<Vec<_>>()),
            }));
        }
    }
    seen.sort_by(|a, b| a["file"].as_str().cmp(&b["file"].as_str()));
    assert!(
        seen.len() >= 30,
        "expected the recorded webhook payloads, found {}",
        seen.len()
    );
    insta::assert_json_snapshot!("webhooks", seen);
}
