//! Mutations for incremental-sync tests: they change the ground truth and move
//! `updated` forward on the simulator's clock.

use serde_json::Value;

use crate::error::{Error, Result};
use crate::generate::cf;
use crate::model::{ChangeItem, Comment, History, Issue, Worklog};
use crate::org::Org;
use crate::text::RichText;

/// A change to the organisation, applied with [`crate::SimServer::mutate`].
///
/// Issues are named by id or key. Every change is authored by the token owner and
/// stamped with the simulator clock, which never goes backwards.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Mutation {
    /// Change the summary (adds a changelog history).
    UpdateSummary {
        /// Issue id or key.
        issue: String,
        /// New summary.
        summary: String,
    },
    /// Set (or clear with `Value::Null`) a custom field, in Jira's JSON shape.
    SetCustomField {
        /// Issue id or key.
        issue: String,
        /// `customfield_NNNNN` from the catalog.
        field_id: String,
        /// New value.
        value: Value,
    },
    /// Add a comment.
    AddComment {
        /// Issue id or key.
        issue: String,
        /// Comment body.
        body: RichText,
    },
    /// Log work.
    AddWorklog {
        /// Issue id or key.
        issue: String,
        /// Seconds spent.
        time_spent_seconds: u64,
        /// Optional comment.
        comment: Option<RichText>,
    },
    /// Delete a worklog (it then shows in `/worklog/deleted`).
    DeleteWorklog {
        /// Issue id or key.
        issue: String,
        /// Worklog id.
        worklog_id: u64,
    },
    /// Delete an issue with all its children. Search no longer returns it; GET is 404.
    DeleteIssue {
        /// Issue id or key.
        issue: String,
    },
    /// Create an issue in a project.
    CreateIssue {
        /// Project key or id.
        project: String,
        /// Issue type name (`Task`, `Bug`, `Story`, ...).
        issue_type: String,
        /// Summary.
        summary: String,
    },
    /// The owner loses the Browse permission on a project: its issues become 404 and
    /// drop out of search, the project out of `/project/search`.
    RevokeBrowse {
        /// Project key or id.
        project: String,
    },
}

/// What a [`Mutation`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Applied {
    /// Fields changed; `updated` is now `updated_ms`.
    IssueUpdated {
        /// Issue id.
        issue_id: u64,
        /// New `updated`.
        updated_ms: i64,
    },
    /// A comment was added.
    CommentAdded {
        /// Issue id.
        issue_id: u64,
        /// New comment id.
        comment_id: u64,
        /// New `updated`.
        updated_ms: i64,
    },
    /// A worklog was added.
    WorklogAdded {
        /// Issue id.
        issue_id: u64,
        /// New worklog id.
        worklog_id: u64,
        /// New `updated`.
        updated_ms: i64,
    },
    /// A worklog was deleted.
    WorklogDeleted {
        /// Issue id.
        issue_id: u64,
        /// Deleted worklog id.
        worklog_id: u64,
    },
    /// An issue was deleted.
    IssueDeleted {
        /// Deleted issue id.
        issue_id: u64,
    },
    /// An issue was created.
    IssueCreated {
        /// New issue id.
        issue_id: u64,
        /// New key.
        key: String,
    },
    /// Browse permission was revoked.
    BrowseRevoked {
        /// Project id.
        project_id: u64,
    },
}

fn issue_mut<'a>(org: &'a mut Org, issue: &str) -> Result<&'a mut Issue> {
    let idx = org.issue_index(issue).ok_or_else(|| Error::IssueNotFound {
        issue: issue.to_owned(),
    })?;
    org.issues.get_mut(idx).ok_or_else(|| Error::IssueNotFound {
        issue: issue.to_owned(),
    })
}

fn project_id(org: &Org, project: &str) -> Result<u64> {
    org.projects
        .iter()
        .find(|p| p.key.eq_ignore_ascii_case(project) || p.id.to_string() == project)
        .map(|p| p.id)
        .ok_or_else(|| Error::ProjectNotFound {
            project: project.to_owned(),
        })
}

/// Applies `m` at time `now` (strictly later than any earlier stamp).
pub(crate) fn apply(org: &mut Org, m: Mutation, now: i64) -> Result<Applied> {
    let actor = org.owner_account_id.clone();
    match m {
        Mutation::UpdateSummary { issue, summary } => {
            if summary.trim().is_empty() {
                return Err(Error::InvalidMutation {
                    reason: "summary must not be empty",
                });
            }
            let hid = org.next_id.history;
            org.next_id.history += 1;
            let i = issue_mut(org, &issue)?;
            i.histories.push(History {
                id: hid,
                author: actor,
                created_ms: now,
                items: vec![ChangeItem {
                    field: "summary".into(),
                    fieldtype: "jira".into(),
                    field_id: "summary".into(),
                    from: None,
                    from_string: Some(i.summary.clone()),
                    to: None,
                    to_string: Some(summary.clone()),
                }],
            });
            i.summary = summary;
            i.updated_ms = now;
            Ok(Applied::IssueUpdated {
                issue_id: i.id,
                updated_ms: now,
            })
        }
        Mutation::SetCustomField {
            issue,
            field_id,
            value,
        } => {
            let Some(f) = org.fields.iter().find(|f| f.custom && f.id == field_id) else {
                return Err(Error::UnknownField { field_id });
            };
            let name = f.name.clone();
            let hid = org.next_id.history;
            org.next_id.history += 1;
            let i = issue_mut(org, &issue)?;
            let old = i.custom_field(&field_id).cloned();
            i.custom_fields.retain(|(k, _)| *k != field_id);
            let display = |v: &Option<Value>| match v {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(v) => Some(v.to_string()),
            };
            let new_v = if value.is_null() {
                None
            } else {
                Some(value.clone())
            };
            i.histories.push(History {
                id: hid,
                author: actor,
                created_ms: now,
                items: vec![ChangeItem {
                    field: name,
                    fieldtype: "custom".into(),
                    field_id: field_id.clone(),
                    from: None,
                    from_string: display(&old),
                    to: None,
                    to_string: display(&new_v),
                }],
            });
            if let Some(v) = new_v {
                i.custom_fields.push((field_id, v));
                i.custom_fields.sort_by(|a, b| a.0.cmp(&b.0));
            }
            i.updated_ms = now;
            Ok(Applied::IssueUpdated {
                issue_id: i.id,
                updated_ms: now,
            })
        }
        Mutation::AddComment { issue, body } => {
            let cid = org.next_id.comment;
            org.next_id.comment += 1;
            let i = issue_mut(org, &issue)?;
            i.comments.push(Comment {
                id: cid,
                update_author: actor.clone(),
                author: actor,
                body,
                created_ms: now,
                updated_ms: now,
                visibility_role: None,
            });
            i.updated_ms = now;
            Ok(Applied::CommentAdded {
                issue_id: i.id,
                comment_id: cid,
                updated_ms: now,
            })
        }
        Mutation::AddWorklog {
            issue,
            time_spent_seconds,
            comment,
        } => {
            if time_spent_seconds == 0 {
                return Err(Error::InvalidMutation {
                    reason: "time spent must be positive",
                });
            }
            let wid = org.next_id.worklog;
            org.next_id.worklog += 1;
            let i = issue_mut(org, &issue)?;
            i.worklogs.push(Worklog {
                id: wid,
                update_author: actor.clone(),
                author: actor,
                comment,
                started_ms: now - (time_spent_seconds as i64) * 1000,
                time_spent_seconds,
                created_ms: now,
                updated_ms: now,
            });
            i.updated_ms = now;
            Ok(Applied::WorklogAdded {
                issue_id: i.id,
                worklog_id: wid,
                updated_ms: now,
            })
        }
        Mutation::DeleteWorklog { issue, worklog_id } => {
            let i = issue_mut(org, &issue)?;
            let before = i.worklogs.len();
            i.worklogs.retain(|w| w.id != worklog_id);
            if i.worklogs.len() == before {
                return Err(Error::WorklogNotFound { issue, worklog_id });
            }
            i.updated_ms = now;
            let issue_id = i.id;
            org.deleted_worklogs.push((worklog_id, now));
            Ok(Applied::WorklogDeleted {
                issue_id,
                worklog_id,
            })
        }
        Mutation::DeleteIssue { issue } => {
            let idx = org
                .issue_index(&issue)
                .ok_or(Error::IssueNotFound { issue })?;
            let removed = org.issues.remove(idx);
            for w in &removed.worklogs {
                org.deleted_worklogs.push((w.id, now));
            }
            for other in &mut org.issues {
                other.links.retain(|l| l.other_issue_id != removed.id);
                other.subtask_ids.retain(|s| *s != removed.id);
                if other.parent_id == Some(removed.id) {
                    other.parent_id = None;
                }
            }
            org.planted.retain(|p| p.location.issue_id != removed.id);
            org.rebuild_index();
            Ok(Applied::IssueDeleted {
                issue_id: removed.id,
            })
        }
        Mutation::CreateIssue {
            project,
            issue_type,
            summary,
        } => {
            if summary.trim().is_empty() {
                return Err(Error::InvalidMutation {
                    reason: "summary must not be empty",
                });
            }
            if !["Epic", "Story", "Task", "Bug"].contains(&issue_type.as_str()) {
                return Err(Error::InvalidMutation {
                    reason: "issue type must be Epic, Story, Task or Bug",
                });
            }
            let pid = project_id(org, &project)?;
            let pkey = org.project(pid).map(|p| p.key.clone()).unwrap_or_default();
            let n = org
                .issues
                .iter()
                .filter(|i| i.project_id == pid)
                .filter_map(|i| {
                    i.key
                        .rsplit_once('-')
                        .and_then(|(_, n)| n.parse::<u64>().ok())
                })
                .max()
                .unwrap_or(0)
                + 1;
            let id = org.next_id.issue;
            org.next_id.issue += 1;
            let key = format!("{pkey}-{n}");
            org.issues.push(Issue {
                id,
                key: key.clone(),
                project_id: pid,
                issue_type,
                summary,
                description: None,
                environment: None,
                status: "To Do".into(),
                priority: "Medium".into(),
                resolution: None,
                resolution_ms: None,
                created_ms: now,
                updated_ms: now,
                due_date: None,
                labels: Vec::new(),
                components: Vec::new(),
                fix_versions: Vec::new(),
                versions: Vec::new(),
                parent_id: None,
                subtask_ids: Vec::new(),
                reporter: actor.clone(),
                assignee: None,
                creator: actor,
                votes: 0,
                watches: 1,
                original_estimate_secs: None,
                links: Vec::new(),
                attachments: Vec::new(),
                security_level: None,
                visible_to_owner: true,
                comments: Vec::new(),
                histories: Vec::new(),
                worklogs: Vec::new(),
                remote_links: Vec::new(),
                sprint_ids: Vec::new(),
                custom_fields: vec![(
                    cf::RANK.into(),
                    Value::String(format!("0|i{:05}:", id - 10000)),
                )],
            });
            org.rebuild_index();
            org.recompute_visibility();
            Ok(Applied::IssueCreated { issue_id: id, key })
        }
        Mutation::RevokeBrowse { project } => {
            let pid = project_id(org, &project)?;
            for p in &mut org.projects {
                if p.id == pid {
                    p.browsable = false;
                }
            }
            org.recompute_visibility();
            Ok(Applied::BrowseRevoked { project_id: pid })
        }
    }
}
