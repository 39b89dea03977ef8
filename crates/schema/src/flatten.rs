//! Client models → rows of every table, accumulated until [`Flattener::finish`].

use std::collections::HashMap;

use arrow_array::RecordBatch;
use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_schema::SchemaRef;
use jirafe_adf_to_text::Renderer;
use jirafe_jira_client::models::{
    Board, ChangeItem, ChangelogHistory, Comment, Field, Id, Issue, NamedRef, Project, RemoteLink,
    Sprint, User, Version, Worklog, json_number,
};
use jirafe_jira_client::{JiraDate, Timestamp};
use serde::Deserialize as _;
use serde_json::Value;

use crate::catalog::{FieldCatalog, ValueKind};
use crate::error::{Error, Result};
use crate::privacy::{MentionAdapter, Privacy};
use crate::tables::{
    AttachmentRows, BoardRows, ChangelogRows, CommentRows, CustomFieldRows, DIMENSION_MONTH,
    DeletionRows, FieldRows, IssueLinkRows, IssueRows, ProjectRows, RemoteLinkRows, SprintRows,
    Table, UserRows, WorklogRows,
};

/// One issue and its child records, as the pipeline holds them after extraction (the parts
/// of the client's `IssueBundle`, plus remote links).
///
/// The slices are authoritative: the inline first pages inside `issue.fields.comment`,
/// `issue.fields.worklog` and `issue.changelog` are ignored, unless the record is built
/// with [`IssueRecord::inline`].
#[derive(Debug, Clone, Copy)]
pub struct IssueRecord<'a> {
    /// The issue.
    pub issue: &'a Issue,
    /// All its comments.
    pub comments: &'a [Comment],
    /// All its worklogs.
    pub worklogs: &'a [Worklog],
    /// All its changelog histories.
    pub changelog: &'a [ChangelogHistory],
    /// Its remote links.
    pub remote_links: &'a [RemoteLink],
}

impl<'a> IssueRecord<'a> {
    /// An issue without child records (add them with the `with_*` methods).
    pub fn new(issue: &'a Issue) -> Self {
        IssueRecord {
            issue,
            comments: &[],
            worklogs: &[],
            changelog: &[],
            remote_links: &[],
        }
    }

    /// An issue with the child records it carries inline (the first page of comments and
    /// worklogs, the inline changelog). Complete only when Jira's inline pages were.
    pub fn inline(issue: &'a Issue) -> Self {
        let f = &issue.fields;
        IssueRecord {
            issue,
            comments: f.comment.as_ref().map_or(&[], |p| p.comments.as_slice()),
            worklogs: f.worklog.as_ref().map_or(&[], |p| p.worklogs.as_slice()),
            changelog: issue
                .changelog
                .as_ref()
                .map_or(&[], |p| p.histories.as_slice()),
            remote_links: &[],
        }
    }

    /// Sets the comments.
    pub fn with_comments(mut self, comments: &'a [Comment]) -> Self {
        self.comments = comments;
        self
    }

    /// Sets the worklogs.
    pub fn with_worklogs(mut self, worklogs: &'a [Worklog]) -> Self {
        self.worklogs = worklogs;
        self
    }

    /// Sets the changelog histories.
    pub fn with_changelog(mut self, changelog: &'a [ChangelogHistory]) -> Self {
        self.changelog = changelog;
        self
    }

    /// Sets the remote links.
    pub fn with_remote_links(mut self, remote_links: &'a [RemoteLink]) -> Self {
        self.remote_links = remote_links;
        self
    }
}

/// Why an issue left the warehouse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeletionReason {
    /// Jira confirms the issue was deleted.
    Deleted,
    /// The issue still exists but the credentials can no longer see it (moved to a
    /// restricted project, security level added, permissions changed).
    AccessLost,
    /// A 404 that does not say which of the two it is.
    Unknown,
}

impl DeletionReason {
    /// The `reason` column value: `deleted`, `access_lost` or `unknown`.
    pub const fn as_str(self) -> &'static str {
        match self {
            DeletionReason::Deleted => "deleted",
            DeletionReason::AccessLost => "access_lost",
            DeletionReason::Unknown => "unknown",
        }
    }
}

/// A detected deletion (or loss of access): a row of `deletions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deletion {
    /// The issue id.
    pub issue_id: Id,
    /// Its project, when known.
    pub project_id: Option<Id>,
    /// When the census noticed it.
    pub detected_at: Timestamp,
    /// Why it is gone.
    pub reason: DeletionReason,
}

/// One record batch per table, from [`Flattener::finish`], in [`Table::ALL`] order.
/// Tables without rows have an empty batch (with the table's schema).
#[derive(Debug, Clone)]
pub struct TableBatches {
    batches: Vec<(Table, RecordBatch)>,
}

impl TableBatches {
    /// The batch of one table.
    pub fn get(&self, table: Table) -> Option<&RecordBatch> {
        self.batches
            .iter()
            .find(|(t, _)| *t == table)
            .map(|(_, b)| b)
    }

    /// Every table and its batch, empty ones included.
    pub fn iter(&self) -> impl Iterator<Item = (Table, &RecordBatch)> {
        self.batches.iter().map(|(t, b)| (*t, b))
    }

    /// The tables that have rows.
    pub fn non_empty(&self) -> impl Iterator<Item = (Table, &RecordBatch)> {
        self.iter().filter(|(_, b)| b.num_rows() > 0)
    }

    /// The number of rows across all tables.
    pub fn total_rows(&self) -> usize {
        self.batches.iter().map(|(_, b)| b.num_rows()).sum()
    }
}

impl IntoIterator for TableBatches {
    type Item = (Table, RecordBatch);
    type IntoIter = std::vec::IntoIter<(Table, RecordBatch)>;

    fn into_iter(self) -> Self::IntoIter {
        self.batches.into_iter()
    }
}

struct Builders {
    issues: IssueRows,
    comments: CommentRows,
    changelog: ChangelogRows,
    worklogs: WorklogRows,
    issue_links: IssueLinkRows,
    remote_links: RemoteLinkRows,
    attachments: AttachmentRows,
    custom_fields: CustomFieldRows,
    sprints: SprintRows,
    boards: BoardRows,
    projects: ProjectRows,
    fields: FieldRows,
    users: UserRows,
    deletions: DeletionRows,
}

impl Builders {
    fn new() -> Self {
        Builders {
            issues: IssueRows::new(),
            comments: CommentRows::new(),
            changelog: ChangelogRows::new(),
            worklogs: WorklogRows::new(),
            issue_links: IssueLinkRows::new(),
            remote_links: RemoteLinkRows::new(),
            attachments: AttachmentRows::new(),
            custom_fields: CustomFieldRows::new(),
            sprints: SprintRows::new(),
            boards: BoardRows::new(),
            projects: ProjectRows::new(),
            fields: FieldRows::new(),
            users: UserRows::new(),
            deletions: DeletionRows::new(),
        }
    }

    fn finish(&mut self, table: Table, schema: &SchemaRef) -> Result<RecordBatch> {
        let batch = match table {
            Table::Issues => self.issues.finish(schema),
            Table::Comments => self.comments.finish(schema),
            Table::Changelog => self.changelog.finish(schema),
            Table::Worklogs => self.worklogs.finish(schema),
            Table::IssueLinks => self.issue_links.finish(schema),
            Table::RemoteLinks => self.remote_links.finish(schema),
            Table::Attachments => self.attachments.finish(schema),
            Table::IssueCustomFields => self.custom_fields.finish(schema),
            Table::Sprints => self.sprints.finish(schema),
            Table::Boards => self.boards.finish(schema),
            Table::Projects => self.projects.finish(schema),
            Table::Fields => self.fields.finish(schema),
            Table::Users => self.users.finish(schema),
            Table::Deletions => self.deletions.finish(schema),
        };
        batch.map_err(|source| Error::Arrow {
            table: table.name(),
            source,
        })
    }
}

/// Turns client models into rows of every table and emits one [`RecordBatch`] per table
/// on [`finish`](Flattener::finish). Append as many issues as your batch size allows,
/// finish, hand the batches to the partition writer, repeat: memory is bounded by the
/// rows appended since the last `finish`.
///
/// Every person goes through [`Privacy::pseudonym`] (and is added once per batch to
/// `users`), every free-text value through [`Privacy::scrub`], every mention in rich text
/// through [`Privacy::mention`]. See the crate docs for an example.
pub struct Flattener<'p, P: Privacy + ?Sized> {
    privacy: &'p P,
    catalog: FieldCatalog,
    renderer: Renderer<MentionAdapter<'p, P>>,
    schemas: Vec<SchemaRef>,
    b: Builders,
    rows: [usize; Table::ALL.len()],
    /// People seen since the last `finish`, in first-seen order: pseudonym, account type,
    /// active. Written to `users` on `finish`, merged so the richest reference wins.
    users: Vec<(String, Option<String>, Option<bool>)>,
    /// Index into `users` by pseudonym (looked up for every person reference: a fast,
    /// randomly keyed hash).
    user_index: HashMap<String, usize, ahash::RandomState>,
    /// Rendered rich text, reused from row to row.
    text: [String; 2],
    /// Pseudonyms of a changelog item's from/to users, reused from row to row.
    user_lists: [Vec<String>; 2],
}

impl<P: Privacy + ?Sized> std::fmt::Debug for Flattener<'_, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flattener")
            .field("catalog_fields", &self.catalog.len())
            .field("pending_rows", &self.rows)
            .finish_non_exhaustive()
    }
}

fn micros(t: Option<Timestamp>) -> Option<i64> {
    t.map(|t| t.unix_micros())
}

fn days(d: Option<JiraDate>) -> Option<i32> {
    d.map(|d| d.days_since_epoch())
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.trim().is_empty()).then_some(s)
}

/// Appends `text` scrubbed for `table`.`column`, or null.
fn put_scrubbed<P: Privacy + ?Sized>(
    privacy: &P,
    b: &mut StringBuilder,
    table: Table,
    column: &str,
    text: Option<&str>,
) {
    match text.and_then(|t| privacy.scrub(table.name(), column, t)) {
        Some(t) => b.append_value(t),
        None => b.append_null(),
    }
}

/// Appends a list of strings, each scrubbed (values the policy drops are left out).
fn put_scrubbed_list<'s, P: Privacy + ?Sized>(
    privacy: &P,
    b: &mut ListBuilder<StringBuilder>,
    table: Table,
    column: &str,
    items: impl IntoIterator<Item = &'s str>,
) {
    for item in items {
        if let Some(t) = privacy.scrub(table.name(), column, item) {
            b.values().append_value(t);
        }
    }
    b.append(true);
}

fn put_list<'s>(b: &mut ListBuilder<StringBuilder>, items: impl IntoIterator<Item = &'s str>) {
    for item in items {
        b.values().append_value(item);
    }
    b.append(true);
}

fn named(refs: &[NamedRef]) -> impl Iterator<Item = &str> {
    refs.iter().filter_map(|r| r.name.as_deref())
}

fn version_names(versions: &[Version]) -> impl Iterator<Item = &str> {
    versions.iter().filter_map(|v| v.name.as_deref())
}

/// Renders a rich-text value — ADF (an object) or wiki markup (a string) — into `out`
/// (cleared first). Returns whether there is any text (`false` for null or blank).
fn render_into<H: jirafe_adf_to_text::MentionHook>(
    renderer: &mut Renderer<H>,
    value: Option<&Value>,
    out: &mut String,
) -> bool {
    match value {
        None | Some(Value::Null) => {
            out.clear();
            return false;
        }
        Some(Value::String(s)) => renderer.render_wiki_into(s, out),
        Some(v) => renderer.render_value_into(v, out),
    };
    !out.trim().is_empty()
}

/// [`render_into`] a fresh `String`. Empty → `None`.
fn render<H: jirafe_adf_to_text::MentionHook>(
    renderer: &mut Renderer<H>,
    value: Option<&Value>,
) -> Option<String> {
    let mut text = String::new();
    render_into(renderer, value, &mut text).then_some(text)
}

/// A JSON id given as a number or a numeric string.
fn json_id(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Sprint references in a sprint field value: Cloud objects (`{"id": 5, "name": ..}`) or
/// Data Center strings (`com.atlassian.greenhopper.service.sprint.Sprint@1a[id=5,...,name=S1,...]`).
fn sprint_refs(value: &Value) -> Vec<(Option<i64>, Option<&str>)> {
    match value {
        Value::Array(items) => items.iter().filter_map(sprint_ref).collect(),
        v => sprint_ref(v).into_iter().collect(),
    }
}

fn sprint_ref(v: &Value) -> Option<(Option<i64>, Option<&str>)> {
    match v {
        Value::Object(o) => Some((json_id(o.get("id")), o.get("name").and_then(Value::as_str))),
        Value::String(s) => Some((
            sprint_attr(s, "id=").and_then(|v| v.trim().parse().ok()),
            sprint_attr(s, "name=").filter(|n| *n != "<null>"),
        )),
        Value::Number(n) => Some((n.as_i64(), None)),
        _ => None,
    }
}

/// The value of `key` (`id=`, `name=`) in a Data Center sprint string, up to the next `,`
/// or `]`.
fn sprint_attr<'s>(s: &'s str, key: &str) -> Option<&'s str> {
    let start = s
        .match_indices(key)
        .find(|(i, _)| *i > 0 && matches!(s.as_bytes().get(i - 1), Some(b'[' | b',')))
        .map(|(i, _)| i + key.len())?;
    let rest = s.get(start..)?;
    rest.split([',', ']']).next()
}

/// `s`, unless the value is to be dropped.
fn kept(drop: bool, s: &Option<String>) -> Option<&str> {
    if drop { None } else { s.as_deref() }
}

/// Whether a JSON object looks like a Jira user.
fn looks_like_user(o: &serde_json::Map<String, Value>) -> bool {
    o.contains_key("accountId")
        || o.contains_key("emailAddress")
        || (o.contains_key("displayName") && (o.contains_key("name") || o.contains_key("key")))
}

const NOISE_KEYS: [&str; 4] = ["self", "avatarUrls", "iconUrl", "timeZone"];
const MAX_JSON_DEPTH: usize = 32;

/// The system fields whose changelog values are free text (dropped for opted-out authors).
const FREE_TEXT_SYSTEM_FIELDS: [&str; 7] = [
    "summary",
    "description",
    "environment",
    "labels",
    "comment",
    "attachment",
    "remotelink",
];

/// Fields whose changelog `from`/`to` hold user ids.
const USER_SYSTEM_FIELDS: [&str; 3] = ["assignee", "reporter", "creator"];

/// What a custom field value became.
#[derive(Default)]
struct CustomValue {
    kind: Option<ValueKind>,
    text: Option<String>,
    number: Option<f64>,
    date: Option<i32>,
    timestamp: Option<i64>,
    options: Option<Vec<String>>,
    ids: Option<Vec<i64>>,
    users: Option<Vec<String>>,
}

impl<'p, P: Privacy + ?Sized> Flattener<'p, P> {
    /// A flattener using `privacy` for people and text and `catalog` for custom fields.
    pub fn new(privacy: &'p P, catalog: FieldCatalog) -> Self {
        Flattener {
            privacy,
            catalog,
            renderer: Renderer::new().with_mention_hook(MentionAdapter(privacy)),
            schemas: Table::ALL.iter().map(|t| t.schema()).collect(),
            b: Builders::new(),
            rows: [0; Table::ALL.len()],
            users: Vec::new(),
            user_index: HashMap::default(),
            text: [String::new(), String::new()],
            user_lists: [Vec::new(), Vec::new()],
        }
    }

    /// The fields catalog in use.
    pub fn catalog(&self) -> &FieldCatalog {
        &self.catalog
    }

    /// Rows appended to `table` since the last [`finish`](Flattener::finish).
    pub fn pending_rows(&self, table: Table) -> usize {
        Table::ALL
            .iter()
            .position(|t| *t == table)
            .and_then(|i| self.rows.get(i))
            .copied()
            .unwrap_or(0)
    }

    fn count(&mut self, table: Table) {
        if let Some(i) = Table::ALL.iter().position(|t| *t == table)
            && let Some(n) = self.rows.get_mut(i)
        {
            *n += 1;
        }
    }

    /// The pseudonym of a person, recording them for `users`.
    fn person(&mut self, user: Option<&User>) -> Option<String> {
        let user = user?;
        let pseudonym = self.privacy.pseudonym(user)?;
        self.note_user(&pseudonym, user);
        Some(pseudonym)
    }

    /// Records a person for `users`: once per batch, filling account type and activity
    /// from the first reference that has them (never for people who opted out).
    fn note_user(&mut self, pseudonym: &str, user: &User) {
        let (account_type, active) = if self.privacy.is_opted_out(user) {
            (None, None)
        } else {
            (user.account_type.as_deref(), user.active)
        };
        match self
            .user_index
            .get(pseudonym)
            .and_then(|&i| self.users.get_mut(i))
        {
            Some((_, known_type, known_active)) => {
                if known_type.is_none() {
                    *known_type = account_type.map(str::to_owned);
                }
                if known_active.is_none() {
                    *known_active = active;
                }
            }
            None => {
                self.user_index
                    .insert(pseudonym.to_owned(), self.users.len());
                self.users.push((
                    pseudonym.to_owned(),
                    account_type.map(str::to_owned),
                    active,
                ));
                self.count(Table::Users);
            }
        }
    }

    /// The pseudonym of a raw user id (changelog values carry ids only).
    fn person_by_id(&mut self, id: &str) -> Option<String> {
        let user = User {
            account_id: Some(id.to_owned()),
            ..User::default()
        };
        self.person(Some(&user))
    }

    fn opted_out(&self, users: &[Option<&User>]) -> bool {
        users.iter().flatten().any(|u| self.privacy.is_opted_out(u))
    }

    /// Appends an issue and all its child rows.
    ///
    /// # Errors
    ///
    /// [`Error::SecurityLevel`] if the issue has a security level (skip those before
    /// flattening), [`Error::MissingCreated`] if it has no `created` timestamp. Nothing is
    /// appended when an error is returned.
    pub fn append_issue(&mut self, record: IssueRecord<'_>) -> Result<()> {
        let issue = record.issue;
        if issue.has_security_level() {
            return Err(Error::SecurityLevel { issue_id: issue.id });
        }
        let created = issue
            .fields
            .created
            .ok_or(Error::MissingCreated { issue_id: issue.id })?
            .unix_micros();
        let parent = ParentCtx {
            id: issue.id,
            created,
            updated: micros(issue.fields.updated),
        };
        self.issue_row(issue, created);
        self.custom_field_rows(issue, &parent);
        self.comment_rows(record.comments, &parent);
        self.worklog_rows(record.worklogs, &parent);
        self.changelog_rows(record.changelog, &parent);
        self.link_rows(issue, &parent);
        self.remote_link_rows(record.remote_links, &parent);
        self.attachment_rows(issue, &parent);
        Ok(())
    }

    fn issue_row(&mut self, issue: &Issue, created: i64) {
        let f = &issue.fields;
        let reporter = self.person(f.reporter.as_ref());
        let assignee = self.person(f.assignee.as_ref());
        let creator = self.person(f.creator.as_ref());
        // The issue's text was written by its creator (the reporter when Jira gives no
        // creator): dropped when that person opted out.
        let author_opted_out = self.opted_out(&[f.creator.as_ref().or(f.reporter.as_ref())]);
        let [description, environment] = &mut self.text;
        let (summary, description, environment) = if author_opted_out {
            (None, None, None)
        } else {
            let has_description =
                render_into(&mut self.renderer, f.description.as_ref(), description);
            let has_environment =
                render_into(&mut self.renderer, f.environment.as_ref(), environment);
            (
                f.summary.as_deref(),
                has_description.then_some(description.as_str()),
                has_environment.then_some(environment.as_str()),
            )
        };

        let mut sprint_ids: Vec<i64> = Vec::new();
        for field in self.catalog.sprint_fields() {
            if let Some(v) = f.other.get(field) {
                for (id, _) in sprint_refs(v) {
                    if let Some(id) = id
                        && !sprint_ids.contains(&id)
                    {
                        sprint_ids.push(id);
                    }
                }
            }
        }
        let story_points = self
            .catalog
            .story_point_fields()
            .iter()
            .find_map(|field| f.other.get(field).and_then(json_number));
        let tt = f.timetracking.as_ref();

        let p = self.privacy;
        let b = &mut self.b.issues;
        b.id.append_value(issue.id);
        b.key.append_option(issue.key.as_deref());
        let project = f.project.as_ref();
        b.project_id.append_option(project.map(|p| p.id));
        b.project_key
            .append_option(project.map(|p| p.key.as_str()).and_then(non_empty));
        let it = f.issuetype.as_ref();
        b.issue_type
            .append_option(it.and_then(|t| t.name.as_deref()));
        b.issue_type_id.append_option(it.and_then(|t| t.id));
        b.is_subtask.append_option(it.and_then(|t| t.subtask));
        b.hierarchy_level
            .append_option(it.and_then(|t| t.hierarchy_level));
        let st = f.status.as_ref();
        b.status.append_option(st.and_then(|s| s.name.as_deref()));
        b.status_id.append_option(st.and_then(|s| s.id));
        b.status_category.append_option(
            st.and_then(|s| s.status_category.as_ref())
                .and_then(|c| c.key.as_deref()),
        );
        b.priority
            .append_option(f.priority.as_ref().and_then(|r| r.name.as_deref()));
        b.resolution
            .append_option(f.resolution.as_ref().and_then(|r| r.name.as_deref()));
        b.created.append_value(created);
        b.updated.append_option(micros(f.updated));
        b.resolved.append_option(micros(f.resolutiondate));
        b.due.append_option(days(f.duedate));
        put_scrubbed_list(
            p,
            &mut b.labels,
            Table::Issues,
            "labels",
            f.labels.iter().map(String::as_str),
        );
        put_list(&mut b.components, named(&f.components));
        put_list(&mut b.fix_versions, version_names(&f.fix_versions));
        put_list(&mut b.affected_versions, version_names(&f.versions));
        b.parent_id
            .append_option(f.parent.as_ref().and_then(|r| r.id));
        b.parent_key
            .append_option(f.parent.as_ref().and_then(|r| r.key.as_deref()));
        b.subtask_count
            .append_option(i32::try_from(f.subtasks.len()).ok());
        for id in &sprint_ids {
            b.sprint_ids.values().append_value(*id);
        }
        b.sprint_ids.append(true);
        b.story_points.append_option(story_points);
        b.original_estimate_seconds.append_option(
            tt.and_then(|t| t.original_estimate_seconds)
                .or(f.timeoriginalestimate),
        );
        b.remaining_estimate_seconds.append_option(
            tt.and_then(|t| t.remaining_estimate_seconds)
                .or(f.timeestimate),
        );
        b.time_spent_seconds
            .append_option(tt.and_then(|t| t.time_spent_seconds).or(f.timespent));
        b.votes
            .append_option(f.votes.as_ref().and_then(|v| v.votes));
        b.watch_count
            .append_option(f.watches.as_ref().and_then(|w| w.watch_count));
        b.reporter.append_option(reporter);
        b.assignee.append_option(assignee);
        b.creator.append_option(creator);
        put_scrubbed(p, &mut b.summary, Table::Issues, "summary", summary);
        put_scrubbed(
            p,
            &mut b.description,
            Table::Issues,
            "description",
            description,
        );
        put_scrubbed(
            p,
            &mut b.environment,
            Table::Issues,
            "environment",
            environment,
        );
        self.count(Table::Issues);
    }

    fn comment_rows(&mut self, comments: &[Comment], parent: &ParentCtx) {
        for c in comments {
            let author = self.person(c.author.as_ref());
            let update_author = self.person(c.update_author.as_ref());
            let opted_out = self.opted_out(&[c.author.as_ref(), c.update_author.as_ref()]);
            let [text, _] = &mut self.text;
            let body = (!opted_out && render_into(&mut self.renderer, c.body.as_ref(), text))
                .then_some(text.as_str());
            let p = self.privacy;
            let b = &mut self.b.comments;
            b.id.append_value(c.id);
            b.issue_id.append_value(parent.id);
            b.issue_created.append_value(parent.created);
            b.author.append_option(author);
            b.update_author.append_option(update_author);
            b.created.append_option(micros(c.created));
            b.updated.append_option(micros(c.updated));
            put_scrubbed(p, &mut b.body, Table::Comments, "body", body);
            b.jsd_public.append_option(c.jsd_public);
            b.visibility_restricted
                .append_value(c.visibility.as_ref().is_some_and(|v| !v.is_null()));
            self.count(Table::Comments);
        }
    }

    fn worklog_rows(&mut self, worklogs: &[Worklog], parent: &ParentCtx) {
        for w in worklogs {
            let author = self.person(w.author.as_ref());
            let update_author = self.person(w.update_author.as_ref());
            let opted_out = self.opted_out(&[w.author.as_ref(), w.update_author.as_ref()]);
            let [text, _] = &mut self.text;
            let comment = (!opted_out && render_into(&mut self.renderer, w.comment.as_ref(), text))
                .then_some(text.as_str());
            let p = self.privacy;
            let b = &mut self.b.worklogs;
            b.id.append_value(w.id);
            b.issue_id.append_value(parent.id);
            b.issue_created.append_value(parent.created);
            b.author.append_option(author);
            b.update_author.append_option(update_author);
            b.started.append_option(micros(w.started));
            b.time_spent_seconds.append_option(w.time_spent_seconds);
            b.created.append_option(micros(w.created));
            b.updated.append_option(micros(w.updated));
            put_scrubbed(p, &mut b.comment, Table::Worklogs, "comment", comment);
            b.visibility_restricted
                .append_value(w.visibility.as_ref().is_some_and(|v| !v.is_null()));
            self.count(Table::Worklogs);
        }
    }

    /// Whether a change item's from/to are user ids.
    fn is_user_item(&self, item: &ChangeItem) -> bool {
        if item.tmp_from_account_id.is_some() || item.tmp_to_account_id.is_some() {
            return true;
        }
        let id = item.field_id.as_deref();
        if let Some(id) = id
            && let Some(info) = self.catalog.get(id)
        {
            return matches!(info.kind, ValueKind::User | ValueKind::Users);
        }
        let system = item.fieldtype.as_deref() != Some("custom");
        let name = id.or(item.field.as_deref()).unwrap_or("");
        system
            && USER_SYSTEM_FIELDS
                .iter()
                .any(|f| name.eq_ignore_ascii_case(f))
    }

    /// Whether a change item's values are free text a person wrote.
    fn is_free_text_item(&self, item: &ChangeItem) -> bool {
        let id = item
            .field_id
            .as_deref()
            .or(item.field.as_deref())
            .unwrap_or("");
        if FREE_TEXT_SYSTEM_FIELDS
            .iter()
            .any(|f| id.eq_ignore_ascii_case(f))
        {
            return true;
        }
        if item.fieldtype.as_deref() == Some("custom") || id.starts_with("customfield_") {
            return match item.field_id.as_deref().and_then(|i| self.catalog.get(i)) {
                Some(info) => matches!(
                    info.kind,
                    ValueKind::Text | ValueKind::RichText | ValueKind::Labels | ValueKind::Json
                ),
                None => true,
            };
        }
        false
    }

    /// The pseudonyms of the user ids in a changelog value (one id, or a list such as
    /// `[id1, id2]`), into `out` (cleared first).
    fn user_ids(&mut self, raw: Option<&str>, out: &mut Vec<String>) {
        out.clear();
        let Some(mut rest) = raw else { return };
        while !rest.is_empty() {
            // Separators are ASCII, so every cut is on a char boundary.
            let end = rest
                .bytes()
                .position(|b| matches!(b, b',' | b'[' | b']'))
                .unwrap_or(rest.len());
            let id = rest.get(..end).unwrap_or_default().trim();
            rest = rest.get(end + 1..).unwrap_or_default();
            if !id.is_empty()
                && let Some(p) = self.person_by_id(id)
            {
                out.push(p);
            }
        }
    }

    fn changelog_rows(&mut self, histories: &[ChangelogHistory], parent: &ParentCtx) {
        for h in histories {
            let author = self.person(h.author.as_ref());
            let author_opted_out = self.opted_out(&[h.author.as_ref()]);
            for (index, item) in h.items.iter().enumerate() {
                let Ok(index) = i32::try_from(index) else {
                    break;
                };
                let user_item = self.is_user_item(item);
                let [mut from_users, mut to_users] = std::mem::take(&mut self.user_lists);
                if user_item {
                    let from = item.tmp_from_account_id.as_deref().or(item.from.as_deref());
                    let to = item.tmp_to_account_id.as_deref().or(item.to.as_deref());
                    self.user_ids(from, &mut from_users);
                    self.user_ids(to, &mut to_users);
                }
                let drop_text = user_item || (author_opted_out && self.is_free_text_item(item));
                let p = self.privacy;
                let b = &mut self.b.changelog;
                b.history_id.append_value(h.id);
                b.item_index.append_value(index);
                b.issue_id.append_value(parent.id);
                b.issue_created.append_value(parent.created);
                b.issue_updated.append_option(parent.updated);
                b.author.append_option(author.as_deref());
                b.created.append_option(micros(h.created));
                b.field.append_option(item.field.as_deref());
                b.field_id.append_option(item.field_id.as_deref());
                b.field_type.append_option(item.fieldtype.as_deref());
                let text = |s| kept(drop_text, s);
                put_scrubbed(
                    p,
                    &mut b.from_value,
                    Table::Changelog,
                    "from_value",
                    text(&item.from),
                );
                put_scrubbed(
                    p,
                    &mut b.from_string,
                    Table::Changelog,
                    "from_string",
                    text(&item.from_string),
                );
                put_scrubbed(
                    p,
                    &mut b.to_value,
                    Table::Changelog,
                    "to_value",
                    text(&item.to),
                );
                put_scrubbed(
                    p,
                    &mut b.to_string,
                    Table::Changelog,
                    "to_string",
                    text(&item.to_string),
                );
                for (builder, users) in [
                    (&mut b.from_users, &from_users),
                    (&mut b.to_users, &to_users),
                ] {
                    if user_item {
                        put_list(builder, users.iter().map(String::as_str));
                    } else {
                        builder.append_null();
                    }
                }
                self.user_lists = [from_users, to_users];
                self.count(Table::Changelog);
            }
        }
    }

    fn link_rows(&mut self, issue: &Issue, parent: &ParentCtx) {
        for link in &issue.fields.issuelinks {
            let Some(link_id) = link.id else { continue };
            let lt = link.link_type.as_ref();
            let (direction, relation, other) = match (&link.outward_issue, &link.inward_issue) {
                (Some(other), _) => ("outward", lt.and_then(|t| t.outward.as_deref()), other),
                (None, Some(other)) => ("inward", lt.and_then(|t| t.inward.as_deref()), other),
                (None, None) => continue,
            };
            let b = &mut self.b.issue_links;
            b.issue_id.append_value(parent.id);
            b.link_id.append_value(link_id);
            b.issue_created.append_value(parent.created);
            b.issue_updated.append_option(parent.updated);
            b.link_type_id.append_option(lt.and_then(|t| t.id));
            b.link_type
                .append_option(lt.and_then(|t| t.name.as_deref()));
            b.direction.append_value(direction);
            b.relation.append_option(relation);
            b.other_issue_id.append_option(other.id);
            b.other_issue_key.append_option(other.key.as_deref());
            self.count(Table::IssueLinks);
        }
    }

    fn remote_link_rows(&mut self, links: &[RemoteLink], parent: &ParentCtx) {
        const T: Table = Table::RemoteLinks;
        for r in links {
            let p = self.privacy;
            let b = &mut self.b.remote_links;
            let app = r.application.as_ref();
            let obj = r.object.as_ref();
            b.id.append_value(r.id);
            b.issue_id.append_value(parent.id);
            b.issue_created.append_value(parent.created);
            b.issue_updated.append_option(parent.updated);
            put_scrubbed(p, &mut b.global_id, T, "global_id", r.global_id.as_deref());
            b.application_type
                .append_option(app.and_then(|a| a.get("type")).and_then(Value::as_str));
            b.application_name
                .append_option(app.and_then(|a| a.get("name")).and_then(Value::as_str));
            put_scrubbed(
                p,
                &mut b.relationship,
                T,
                "relationship",
                r.relationship.as_deref(),
            );
            put_scrubbed(p, &mut b.url, T, "url", obj.and_then(|o| o.url.as_deref()));
            put_scrubbed(
                p,
                &mut b.title,
                T,
                "title",
                obj.and_then(|o| o.title.as_deref()),
            );
            put_scrubbed(
                p,
                &mut b.summary,
                T,
                "summary",
                obj.and_then(|o| o.summary.as_deref()),
            );
            self.count(T);
        }
    }

    fn attachment_rows(&mut self, issue: &Issue, parent: &ParentCtx) {
        for a in &issue.fields.attachment {
            let Some(id) = a.id else { continue };
            let author = self.person(a.author.as_ref());
            let p = self.privacy;
            let b = &mut self.b.attachments;
            b.id.append_value(id);
            b.issue_id.append_value(parent.id);
            b.issue_created.append_value(parent.created);
            b.issue_updated.append_option(parent.updated);
            put_scrubbed(
                p,
                &mut b.filename,
                Table::Attachments,
                "filename",
                a.filename.as_deref(),
            );
            b.author.append_option(author);
            b.created.append_option(micros(a.created));
            b.size_bytes.append_option(a.size);
            b.mime_type.append_option(a.mime_type.as_deref());
            self.count(Table::Attachments);
        }
    }

    fn custom_field_rows(&mut self, issue: &Issue, parent: &ParentCtx) {
        const T: Table = Table::IssueCustomFields;
        for (field_id, value) in issue.fields.custom_fields() {
            let info = self.catalog.get(field_id);
            let kind = info.map_or(ValueKind::Json, |i| i.kind);
            let Some(v) = self.custom_value(kind, value) else {
                continue;
            };
            let info = self.catalog.get(field_id);
            let name = info.and_then(|i| i.name.as_deref());
            let custom_type = info.and_then(|i| i.custom_type.as_deref());
            let kind = v.kind.unwrap_or(kind);
            let p = self.privacy;
            let b = &mut self.b.custom_fields;
            b.issue_id.append_value(parent.id);
            b.field_id.append_value(field_id);
            b.issue_created.append_value(parent.created);
            b.issue_updated.append_option(parent.updated);
            b.field_name.append_option(name);
            b.value_kind.append_value(kind.as_str());
            b.custom_type.append_option(custom_type);
            put_scrubbed(p, &mut b.value_text, T, "value_text", v.text.as_deref());
            b.value_number.append_option(v.number);
            b.value_date.append_option(v.date);
            b.value_timestamp.append_option(v.timestamp);
            match v.options {
                Some(o) => put_scrubbed_list(
                    p,
                    &mut b.value_options,
                    T,
                    "value_options",
                    o.iter().map(String::as_str),
                ),
                None => b.value_options.append_null(),
            }
            match v.ids {
                Some(ids) => {
                    for id in ids {
                        b.value_ids.values().append_value(id);
                    }
                    b.value_ids.append(true);
                }
                None => b.value_ids.append_null(),
            }
            match v.users {
                Some(u) => put_list(&mut b.value_users, u.iter().map(String::as_str)),
                None => b.value_users.append_null(),
            }
            self.count(T);
        }
    }

    /// Types one custom field value. `None` when there is nothing to store (empty).
    fn custom_value(&mut self, kind: ValueKind, value: &Value) -> Option<CustomValue> {
        let is_empty = match value {
            Value::Null => true,
            Value::String(s) => s.trim().is_empty(),
            Value::Array(a) => a.is_empty(),
            Value::Object(o) => o.is_empty(),
            _ => false,
        };
        if is_empty {
            return None;
        }
        let mut out = CustomValue::default();
        let typed = match kind {
            ValueKind::Text | ValueKind::RichText => {
                out.text = match (kind, value) {
                    (ValueKind::Text, Value::String(s)) => Some(s.clone()),
                    (_, Value::String(_) | Value::Object(_) | Value::Array(_)) => {
                        render(&mut self.renderer, Some(value))
                    }
                    _ => None,
                };
                out.text.is_some()
            }
            ValueKind::Number => {
                out.number = json_number(value);
                out.number.is_some()
            }
            ValueKind::Date => {
                out.date = value
                    .as_str()
                    .and_then(|s| s.parse::<JiraDate>().ok())
                    .map(|d| d.days_since_epoch());
                out.date.is_some()
            }
            ValueKind::DateTime => {
                out.timestamp = value
                    .as_str()
                    .and_then(|s| s.parse::<Timestamp>().ok())
                    .map(|t| t.unix_micros());
                out.timestamp.is_some()
            }
            ValueKind::Option | ValueKind::Options => {
                let items: Vec<&Value> = match value {
                    Value::Array(a) => a.iter().collect(),
                    v => vec![v],
                };
                let mut names = Vec::new();
                let mut ids = Vec::new();
                let mut ok = true;
                for item in items {
                    let mut node = Some(item);
                    // A cascading select nests its child option under `child`.
                    while let Some(Value::Object(o)) = node {
                        if let Some(name) = o
                            .get("value")
                            .or_else(|| o.get("name"))
                            .and_then(Value::as_str)
                        {
                            names.push(name.to_owned());
                        }
                        if let Some(id) = json_id(o.get("id")) {
                            ids.push(id);
                        }
                        node = o.get("child");
                    }
                    if let Value::String(s) = item {
                        names.push(s.clone());
                    } else if !item.is_object() {
                        ok = false;
                    }
                }
                ok &= !names.is_empty() || !ids.is_empty();
                out.options = Some(names);
                out.ids = Some(ids);
                ok
            }
            ValueKind::User | ValueKind::Users => {
                let items: Vec<&Value> = match value {
                    Value::Array(a) => a.iter().collect(),
                    v => vec![v],
                };
                let mut users = Vec::new();
                let mut ok = true;
                for item in items {
                    match User::deserialize(item) {
                        Ok(user) if item.is_object() => {
                            if let Some(p) = self.person(Some(&user)) {
                                users.push(p);
                            }
                        }
                        _ => ok = false,
                    }
                }
                out.users = Some(users);
                ok
            }
            ValueKind::Labels => match value {
                Value::Array(a) if a.iter().all(Value::is_string) => {
                    out.options = Some(
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect(),
                    );
                    true
                }
                _ => false,
            },
            ValueKind::Sprint => {
                let refs = sprint_refs(value);
                out.ids = Some(refs.iter().filter_map(|(id, _)| *id).collect());
                out.options = Some(
                    refs.iter()
                        .filter_map(|(_, name)| name.map(str::to_owned))
                        .collect(),
                );
                !refs.is_empty()
            }
            ValueKind::Json => false,
        };
        if !typed {
            // The value does not have the shape its type promises (or the type is
            // unknown): a plain string is text, a number a number, anything else
            // sanitized JSON text.
            out = match value {
                Value::String(s) => CustomValue {
                    kind: Some(ValueKind::Text),
                    text: Some(s.clone()),
                    ..CustomValue::default()
                },
                Value::Number(_) => CustomValue {
                    kind: Some(ValueKind::Number),
                    number: json_number(value),
                    ..CustomValue::default()
                },
                _ => CustomValue {
                    kind: Some(ValueKind::Json),
                    text: Some(self.sanitized_json(value)),
                    ..CustomValue::default()
                },
            };
        }
        Some(out)
    }

    /// JSON text of a value with people replaced by pseudonyms (or null) and URL noise
    /// (`self`, avatars, icons) removed. Still scrubbed as text afterwards.
    fn sanitized_json(&mut self, value: &Value) -> String {
        let clean = self.sanitize(value, 0);
        serde_json::to_string(&clean).unwrap_or_default()
    }

    fn sanitize(&mut self, value: &Value, depth: usize) -> Value {
        if depth > MAX_JSON_DEPTH {
            return Value::Null;
        }
        match value {
            Value::Object(o) if looks_like_user(o) => {
                match User::deserialize(value)
                    .ok()
                    .and_then(|u| self.person(Some(&u)))
                {
                    Some(p) => Value::String(format!("@user:{p}")),
                    None => Value::Null,
                }
            }
            Value::Object(o) => Value::Object(
                o.iter()
                    .filter(|(k, _)| !NOISE_KEYS.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), self.sanitize(v, depth + 1)))
                    .collect(),
            ),
            Value::Array(a) => {
                Value::Array(a.iter().map(|v| self.sanitize(v, depth + 1)).collect())
            }
            v => v.clone(),
        }
    }

    /// Appends a project (a dimension row). Project names are kept (they name a team's
    /// space, not a person).
    pub fn append_project(&mut self, project: &Project) {
        let b = &mut self.b.projects;
        b.id.append_value(project.id);
        b.partition_month.append_value(DIMENSION_MONTH);
        b.key.append_value(&project.key);
        b.name.append_option(project.name.as_deref());
        b.project_type
            .append_option(project.project_type_key.as_deref());
        b.simplified.append_option(project.simplified);
        b.style.append_option(project.style.as_deref());
        b.is_private.append_option(project.is_private);
        b.archived.append_option(project.archived);
        b.category.append_option(
            project
                .project_category
                .as_ref()
                .and_then(|c| c.name.as_deref()),
        );
        self.count(Table::Projects);
    }

    /// Appends an agile board (a dimension row). Board names are scrubbed: people name
    /// boards after people.
    pub fn append_board(&mut self, board: &Board) {
        let p = self.privacy;
        let b = &mut self.b.boards;
        let loc = board.location.as_ref();
        b.id.append_value(board.id);
        b.partition_month.append_value(DIMENSION_MONTH);
        put_scrubbed(p, &mut b.name, Table::Boards, "name", board.name.as_deref());
        b.board_type.append_option(board.board_type.as_deref());
        b.project_id.append_option(loc.and_then(|l| l.project_id));
        b.project_key
            .append_option(loc.and_then(|l| l.project_key.as_deref()));
        self.count(Table::Boards);
    }

    /// Appends a sprint (a dimension row). Names and goals are scrubbed.
    pub fn append_sprint(&mut self, sprint: &Sprint) {
        let p = self.privacy;
        let b = &mut self.b.sprints;
        b.id.append_value(sprint.id);
        b.partition_month.append_value(DIMENSION_MONTH);
        put_scrubbed(
            p,
            &mut b.name,
            Table::Sprints,
            "name",
            sprint.name.as_deref(),
        );
        b.state.append_option(sprint.state.as_deref());
        b.start_date.append_option(micros(sprint.start_date));
        b.end_date.append_option(micros(sprint.end_date));
        b.complete_date.append_option(micros(sprint.complete_date));
        b.created_date.append_option(micros(sprint.created_date));
        b.origin_board_id.append_option(sprint.origin_board_id);
        put_scrubbed(
            p,
            &mut b.goal,
            Table::Sprints,
            "goal",
            sprint.goal.as_deref(),
        );
        self.count(Table::Sprints);
    }

    /// Appends one entry of the fields catalog (a dimension row).
    pub fn append_field(&mut self, field: &Field) {
        let s = field.schema.as_ref();
        let b = &mut self.b.fields;
        b.id.append_value(&field.id);
        b.partition_month.append_value(DIMENSION_MONTH);
        b.name.append_option(field.name.as_deref());
        b.custom.append_option(field.custom);
        b.schema_type
            .append_option(s.and_then(|s| s.field_type.as_deref()));
        b.schema_items
            .append_option(s.and_then(|s| s.items.as_deref()));
        b.schema_system
            .append_option(s.and_then(|s| s.system.as_deref()));
        b.custom_type
            .append_option(s.and_then(|s| s.custom.as_deref()));
        b.custom_id.append_option(s.and_then(|s| s.custom_id));
        b.value_kind.append_value(ValueKind::of(s).as_str());
        self.count(Table::Fields);
    }

    /// Appends a person to `users` (once per batch; people referenced by appended issues
    /// are added automatically). Returns the pseudonym, `None` for an anonymous user.
    pub fn append_user(&mut self, user: &User) -> Option<String> {
        self.person(Some(user))
    }

    /// Appends a detected deletion.
    pub fn append_deletion(&mut self, deletion: &Deletion) {
        let b = &mut self.b.deletions;
        b.issue_id.append_value(deletion.issue_id);
        b.detected_at
            .append_value(deletion.detected_at.unix_micros());
        b.project_id.append_option(deletion.project_id);
        b.reason.append_value(deletion.reason.as_str());
        self.count(Table::Deletions);
    }

    /// Emits one batch per table with the rows appended since the last call, and starts
    /// afresh (the `users` de-duplication starts afresh too).
    ///
    /// # Errors
    ///
    /// [`Error::Arrow`] if a batch cannot be built; the crate's tests show the builders
    /// and schemas agree, so this indicates a bug.
    pub fn finish(&mut self) -> Result<TableBatches> {
        let b = &mut self.b.users;
        for (pseudonym, account_type, active) in self.users.drain(..) {
            b.pseudonym.append_value(pseudonym);
            b.partition_month.append_value(DIMENSION_MONTH);
            b.account_type.append_option(account_type);
            b.active.append_option(active);
        }
        self.user_index.clear();
        let mut batches = Vec::with_capacity(Table::ALL.len());
        for (table, schema) in Table::ALL.iter().zip(&self.schemas) {
            batches.push((*table, self.b.finish(*table, schema)?));
        }
        self.rows = [0; Table::ALL.len()];
        Ok(TableBatches { batches })
    }
}

struct ParentCtx {
    id: Id,
    created: i64,
    updated: Option<i64>,
}
