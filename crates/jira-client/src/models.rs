//! Serde models of what Jira answers, tolerant of real responses: unknown fields are
//! ignored (or kept, for issue fields), `null` and missing optional fields are `None`,
//! ids arrive as strings or numbers. Custom fields are kept as JSON for the schema stage.
//!
//! Person data (display names, emails, time zones) is deserialized because the pipeline
//! needs it in memory to build the scrubber's directory; it is never written anywhere by
//! this crate.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::time_fmt::{JiraDate, Timestamp};

/// A numeric Jira id (issues, comments, worklogs, histories, projects, boards, sprints).
pub type Id = i64;

pub(crate) mod de {
    //! Lenient deserializers.
    use super::*;

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum IdRepr<'a> {
        Num(i64),
        Str(std::borrow::Cow<'a, str>),
    }

    /// An id given as `"10001"` or `10001`.
    pub(crate) fn id<'de, D: Deserializer<'de>>(d: D) -> Result<Id, D::Error> {
        match IdRepr::deserialize(d)? {
            IdRepr::Num(n) => Ok(n),
            IdRepr::Str(s) => s
                .trim()
                .parse()
                .map_err(|_| serde::de::Error::custom("expected a numeric id")),
        }
    }

    /// An optional id; `null`, missing, or a non-numeric string become `None`.
    pub(crate) fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Id>, D::Error> {
        Ok(match Option::<IdRepr<'_>>::deserialize(d)? {
            Some(IdRepr::Num(n)) => Some(n),
            Some(IdRepr::Str(s)) => s.trim().parse().ok(),
            None => None,
        })
    }

    /// A timestamp that may be `null`, missing, empty or malformed (kept as `None`).
    pub(crate) fn opt_ts<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        Ok(Option::<Value>::deserialize(d)?.and_then(|v| v.as_str().and_then(|s| s.parse().ok())))
    }

    /// A date that may be `null`, missing, empty or malformed (kept as `None`).
    pub(crate) fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<JiraDate>, D::Error> {
        Ok(Option::<Value>::deserialize(d)?.and_then(|v| v.as_str().and_then(|s| s.parse().ok())))
    }

    /// A security level as an object, or as a bare id (string or number).
    pub(crate) fn security<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<SecurityLevel>, D::Error> {
        Ok(match Option::<Value>::deserialize(d)? {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(v @ Value::Object(_)) => {
                Some(SecurityLevel::deserialize(v).map_err(serde::de::Error::custom)?)
            }
            Some(Value::String(s)) => Some(SecurityLevel {
                id: s.trim().parse().ok(),
                name: None,
            }),
            Some(Value::Number(n)) => Some(SecurityLevel {
                id: n.as_i64(),
                name: None,
            }),
            // Anything else still marks the issue as restricted.
            Some(_) => Some(SecurityLevel::default()),
        })
    }

    /// A list that may be `null`.
    pub(crate) fn vec_or_null<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Vec<T>, D::Error> {
        Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
    }

    /// An integer that may come as a string, or be `null`.
    pub(crate) fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        Ok(match Option::<Value>::deserialize(d)? {
            Some(Value::Number(n)) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        })
    }
}

/// A person as Jira describes one: Cloud gives `accountId`, Data Center `name`/`key`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct User {
    /// Cloud account id.
    pub account_id: Option<String>,
    /// Data Center user name.
    pub name: Option<String>,
    /// Data Center user key.
    pub key: Option<String>,
    /// Display name (personal data: in memory only).
    pub display_name: Option<String>,
    /// Email, when the user's privacy settings show it (personal data: in memory only).
    pub email_address: Option<String>,
    /// `atlassian`, `app` or `customer`.
    pub account_type: Option<String>,
    /// Whether the account is active.
    pub active: Option<bool>,
    /// The user's time zone (personal data: in memory only).
    pub time_zone: Option<String>,
}

impl User {
    /// The stable identity to pseudonymize: the Cloud account id, else the Data Center
    /// key, else the name. `None` for an anonymous or empty user object.
    pub fn stable_id(&self) -> Option<&str> {
        self.account_id
            .as_deref()
            .or(self.key.as_deref())
            .or(self.name.as_deref())
            .filter(|s| !s.is_empty())
    }
}

/// `GET /myself`: the account the credentials belong to.
pub type Myself = User;

/// `GET /serverInfo`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServerInfo {
    /// The site's base URL.
    pub base_url: Option<String>,
    /// Version string.
    pub version: Option<String>,
    /// `Cloud`, `Server` or `DataCenter`.
    pub deployment_type: Option<String>,
    /// Build number.
    #[serde(deserialize_with = "de::opt_i64")]
    pub build_number: Option<i64>,
    /// The server's clock.
    #[serde(deserialize_with = "de::opt_ts")]
    pub server_time: Option<Timestamp>,
    /// Site title.
    pub server_title: Option<String>,
}

/// A project, from project search.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Project {
    /// Project id.
    #[serde(deserialize_with = "de::id")]
    pub id: Id,
    /// Project key (changes when a project is renamed; join on `id`).
    pub key: String,
    /// Project name.
    pub name: Option<String>,
    /// `software`, `service_desk`, `business`.
    pub project_type_key: Option<String>,
    /// Team-managed (`true`) or company-managed.
    pub simplified: Option<bool>,
    /// `classic` or `next-gen`.
    pub style: Option<String>,
    /// Cloud: whether the project is private from the caller's perspective.
    pub is_private: Option<bool>,
    /// Whether the project is archived.
    pub archived: Option<bool>,
    /// The project's category.
    pub project_category: Option<NamedRef>,
}

/// Something with an id and a name (priority, resolution, component, category…).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct NamedRef {
    /// Id (absent in some trimmed answers).
    #[serde(deserialize_with = "de::opt_id")]
    pub id: Option<Id>,
    /// Name.
    pub name: Option<String>,
}

/// A fix or affected version.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Version {
    /// Version id.
    #[serde(deserialize_with = "de::opt_id")]
    pub id: Option<Id>,
    /// Version name.
    pub name: Option<String>,
    /// Released yet.
    pub released: Option<bool>,
    /// Release date.
    #[serde(deserialize_with = "de::opt_date")]
    pub release_date: Option<JiraDate>,
}

/// Issue type.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IssueType {
    /// Id.
    #[serde(deserialize_with = "de::opt_id")]
    pub id: Option<Id>,
    /// Name (`Bug`, `Story`…).
    pub name: Option<String>,
    /// Whether it is a sub-task type.
    pub subtask: Option<bool>,
    /// Hierarchy level (`1` epic, `0` standard, `-1` sub-task).
    pub hierarchy_level: Option<i32>,
}

/// Status with its category.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Status {
    /// Id.
    #[serde(deserialize_with = "de::opt_id")]
    pub id: Option<Id>,
    /// Name.
    pub name: Option<String>,
    /// Category (`new`, `indeterminate`, `done`).
    pub status_category: Option<StatusCategory>,
}

/// A status category.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct StatusCategory {
    /// Id.
    #[serde(deserialize_with = "de::opt_id")]
    pub id: Option<Id>,
    /// Key: `new`, `indeterminate`, `done`.
    pub key: Option<String>,
    /// Name.
    pub name: Option<String>,
}

/// A reference to another issue (parent, sub-task, link end).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct IssueRef {
    /// Issue id.
    #[serde(deserialize_with = "de::opt_id")]
    pub id: Option<Id>,
    /// Issue key.
    pub key: Option<String>,
}

/// An issue link.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IssueLink {
    /// Link id.
    #[serde(deserialize_with = "de::opt_id")]
    pub id: Option<Id>,
    /// Link type.
    #[serde(rename = "type")]
    pub link_type: Option<IssueLinkType>,
    /// The other issue, when this issue is the outward end.
    pub outward_issue: Option<IssueRef>,
    /// The other issue, when this issue is the inward end.
    pub inward_issue: Option<IssueRef>,
}

/// A link type (`Blocks`: `blocks` / `is blocked by`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct IssueLinkType {
    /// Id.
    #[serde(deserialize_with = "de::opt_id")]
    pub id: Option<Id>,
    /// Name.
    pub name: Option<String>,
    /// Inward description.
    pub inward: Option<String>,
    /// Outward description.
    pub outward: Option<String>,
}

/// Attachment metadata (never the content).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Attachment {
    /// Attachment id.
    #[serde(deserialize_with = "de::opt_id")]
    pub id: Option<Id>,
    /// File name (free text: scrubbed downstream).
    pub filename: Option<String>,
    /// Who attached it.
    pub author: Option<User>,
    /// When.
    #[serde(deserialize_with = "de::opt_ts")]
    pub created: Option<Timestamp>,
    /// Size in bytes.
    #[serde(deserialize_with = "de::opt_i64")]
    pub size: Option<i64>,
    /// MIME type.
    pub mime_type: Option<String>,
}

/// The issue's security level. An issue that has one is skipped by the pipeline.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct SecurityLevel {
    /// Level id.
    #[serde(deserialize_with = "de::opt_id")]
    pub id: Option<Id>,
    /// Level name.
    pub name: Option<String>,
}

/// Votes.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Votes {
    /// Number of votes.
    #[serde(deserialize_with = "de::opt_i64")]
    pub votes: Option<i64>,
}

/// Watchers.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Watches {
    /// Number of watchers.
    #[serde(deserialize_with = "de::opt_i64")]
    pub watch_count: Option<i64>,
}

/// A comment. `body` is ADF (Cloud) or wiki markup (Data Center), kept as JSON.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Comment {
    /// Comment id.
    #[serde(deserialize_with = "de::id")]
    pub id: Id,
    /// Author.
    pub author: Option<User>,
    /// Last editor.
    pub update_author: Option<User>,
    /// Body: an ADF document or a string.
    pub body: Option<Value>,
    /// Created.
    #[serde(deserialize_with = "de::opt_ts")]
    pub created: Option<Timestamp>,
    /// Last updated.
    #[serde(deserialize_with = "de::opt_ts")]
    pub updated: Option<Timestamp>,
    /// Restricted visibility (role or group), if any.
    pub visibility: Option<Value>,
    /// Service-management: visible to the customer.
    pub jsd_public: Option<bool>,
}

/// A worklog. `comment` is ADF (Cloud) or a string (Data Center).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Worklog {
    /// Worklog id.
    #[serde(deserialize_with = "de::id")]
    pub id: Id,
    /// The issue it belongs to.
    #[serde(deserialize_with = "de::opt_id")]
    pub issue_id: Option<Id>,
    /// Author.
    pub author: Option<User>,
    /// Last editor.
    pub update_author: Option<User>,
    /// Comment: an ADF document or a string.
    pub comment: Option<Value>,
    /// When the work started.
    #[serde(deserialize_with = "de::opt_ts")]
    pub started: Option<Timestamp>,
    /// Time spent in seconds.
    #[serde(deserialize_with = "de::opt_i64")]
    pub time_spent_seconds: Option<i64>,
    /// Created.
    #[serde(deserialize_with = "de::opt_ts")]
    pub created: Option<Timestamp>,
    /// Last updated.
    #[serde(deserialize_with = "de::opt_ts")]
    pub updated: Option<Timestamp>,
    /// Restricted visibility, if any.
    pub visibility: Option<Value>,
}

/// One changelog history: who changed what, when.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct ChangelogHistory {
    /// History id.
    #[serde(deserialize_with = "de::id")]
    pub id: Id,
    /// Who made the change (absent for automation in some answers).
    pub author: Option<User>,
    /// When.
    #[serde(deserialize_with = "de::opt_ts")]
    pub created: Option<Timestamp>,
    /// What changed.
    #[serde(deserialize_with = "de::vec_or_null")]
    pub items: Vec<ChangeItem>,
}

/// One field change inside a history.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ChangeItem {
    /// Field name as shown (`status`, `assignee`, `Story Points`).
    pub field: Option<String>,
    /// `jira` or `custom`.
    pub fieldtype: Option<String>,
    /// Field id (`status`, `customfield_10016`).
    pub field_id: Option<String>,
    /// Old raw value (an account id for user fields).
    pub from: Option<String>,
    /// Old value as text (a display name for user fields).
    pub from_string: Option<String>,
    /// New raw value.
    pub to: Option<String>,
    /// New value as text.
    pub to_string: Option<String>,
    /// Cloud: old account id for user fields during the GDPR migration era.
    pub tmp_from_account_id: Option<String>,
    /// Cloud: new account id for user fields.
    pub tmp_to_account_id: Option<String>,
}

/// A page of something with `startAt`/`maxResults`/`total` (inline comments, worklogs,
/// changelog).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InlinePage {
    /// First index.
    #[serde(deserialize_with = "de::opt_i64")]
    pub start_at: Option<i64>,
    /// Page size.
    #[serde(deserialize_with = "de::opt_i64")]
    pub max_results: Option<i64>,
    /// Total across pages.
    #[serde(deserialize_with = "de::opt_i64")]
    pub total: Option<i64>,
}

/// Inline comments of a search result: a first page and the total.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct CommentPage {
    /// Paging.
    #[serde(flatten)]
    pub page: InlinePage,
    /// The comments of this page.
    #[serde(deserialize_with = "de::vec_or_null")]
    pub comments: Vec<Comment>,
}

/// Inline worklogs of a search result: a first page and the total.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct WorklogPage {
    /// Paging.
    #[serde(flatten)]
    pub page: InlinePage,
    /// The worklogs of this page.
    #[serde(deserialize_with = "de::vec_or_null")]
    pub worklogs: Vec<Worklog>,
}

/// Inline changelog (`expand=changelog`), capped at 100 histories on Cloud.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct ChangelogPage {
    /// Paging.
    #[serde(flatten)]
    pub page: InlinePage,
    /// The histories.
    #[serde(deserialize_with = "de::vec_or_null")]
    pub histories: Vec<ChangelogHistory>,
}

/// Time tracking.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TimeTracking {
    /// Original estimate in seconds.
    #[serde(deserialize_with = "de::opt_i64")]
    pub original_estimate_seconds: Option<i64>,
    /// Remaining estimate in seconds.
    #[serde(deserialize_with = "de::opt_i64")]
    pub remaining_estimate_seconds: Option<i64>,
    /// Time spent in seconds.
    #[serde(deserialize_with = "de::opt_i64")]
    pub time_spent_seconds: Option<i64>,
}

/// The fields of an issue: the system fields the warehouse uses, typed; everything else
/// (custom fields included) in [`IssueFields::other`] as JSON.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct IssueFields {
    /// Summary (free text).
    pub summary: Option<String>,
    /// Description: ADF (Cloud) or wiki markup string (Data Center).
    pub description: Option<Value>,
    /// Environment: ADF or string.
    pub environment: Option<Value>,
    /// Issue type.
    pub issuetype: Option<IssueType>,
    /// Project.
    pub project: Option<Project>,
    /// Status.
    pub status: Option<Status>,
    /// Priority.
    pub priority: Option<NamedRef>,
    /// Resolution.
    pub resolution: Option<NamedRef>,
    /// Resolved at.
    #[serde(deserialize_with = "de::opt_ts")]
    pub resolutiondate: Option<Timestamp>,
    /// Created at.
    #[serde(deserialize_with = "de::opt_ts")]
    pub created: Option<Timestamp>,
    /// Updated at.
    #[serde(deserialize_with = "de::opt_ts")]
    pub updated: Option<Timestamp>,
    /// Due date.
    #[serde(deserialize_with = "de::opt_date")]
    pub duedate: Option<JiraDate>,
    /// Labels.
    #[serde(deserialize_with = "de::vec_or_null")]
    pub labels: Vec<String>,
    /// Components.
    #[serde(deserialize_with = "de::vec_or_null")]
    pub components: Vec<NamedRef>,
    /// Fix versions.
    #[serde(rename = "fixVersions", deserialize_with = "de::vec_or_null")]
    pub fix_versions: Vec<Version>,
    /// Affected versions.
    #[serde(deserialize_with = "de::vec_or_null")]
    pub versions: Vec<Version>,
    /// Parent (epic or parent of a sub-task).
    pub parent: Option<IssueRef>,
    /// Reporter.
    pub reporter: Option<User>,
    /// Assignee.
    pub assignee: Option<User>,
    /// Creator.
    pub creator: Option<User>,
    /// Votes.
    pub votes: Option<Votes>,
    /// Watchers.
    pub watches: Option<Watches>,
    /// Time tracking.
    pub timetracking: Option<TimeTracking>,
    /// Original estimate (seconds).
    #[serde(deserialize_with = "de::opt_i64")]
    pub timeoriginalestimate: Option<i64>,
    /// Remaining estimate (seconds).
    #[serde(deserialize_with = "de::opt_i64")]
    pub timeestimate: Option<i64>,
    /// Time spent (seconds).
    #[serde(deserialize_with = "de::opt_i64")]
    pub timespent: Option<i64>,
    /// Issue links.
    #[serde(deserialize_with = "de::vec_or_null")]
    pub issuelinks: Vec<IssueLink>,
    /// Attachment metadata.
    #[serde(deserialize_with = "de::vec_or_null")]
    pub attachment: Vec<Attachment>,
    /// Sub-tasks.
    #[serde(deserialize_with = "de::vec_or_null")]
    pub subtasks: Vec<IssueRef>,
    /// Security level: present means restricted. Accepts the object form and the bare id
    /// some webhook payloads carry, so a restricted issue is never mistaken for an open one.
    #[serde(deserialize_with = "de::security")]
    pub security: Option<SecurityLevel>,
    /// Inline first page of comments.
    pub comment: Option<CommentPage>,
    /// Inline first page of worklogs.
    pub worklog: Option<WorklogPage>,
    /// Every other field (custom fields and system fields not typed above), as JSON.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl IssueFields {
    /// The custom fields (`customfield_*`) with a non-null value.
    pub fn custom_fields(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.other
            .iter()
            .filter(|(k, v)| k.starts_with("customfield_") && !v.is_null())
            .map(|(k, v)| (k.as_str(), v))
    }
}

/// An issue as returned by search, issue get and bulk fetch.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Issue {
    /// Issue id: the primary key (keys change when issues move).
    #[serde(deserialize_with = "de::id")]
    pub id: Id,
    /// Issue key (`PROJ-123`), if requested.
    pub key: Option<String>,
    /// Fields, if requested.
    pub fields: IssueFields,
    /// Inline changelog (`expand=changelog`).
    pub changelog: Option<ChangelogPage>,
}

impl Issue {
    /// True when the issue is under a security level (and must be skipped).
    pub fn has_security_level(&self) -> bool {
        self.fields.security.is_some()
    }
}

/// A field from the fields catalog.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Field {
    /// Field id (`summary`, `customfield_10016`).
    pub id: String,
    /// Field key.
    pub key: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// Custom field or system field.
    pub custom: Option<bool>,
    /// Type information.
    pub schema: Option<FieldSchema>,
}

/// A field's type.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FieldSchema {
    /// `string`, `number`, `date`, `datetime`, `user`, `option`, `array`, `any`…
    #[serde(rename = "type")]
    pub field_type: Option<String>,
    /// Item type for arrays.
    pub items: Option<String>,
    /// System field name.
    pub system: Option<String>,
    /// Custom field type key (`com.atlassian.jira.plugin.system.customfieldtypes:textarea`).
    pub custom: Option<String>,
    /// Custom field numeric id.
    #[serde(deserialize_with = "de::opt_id")]
    pub custom_id: Option<Id>,
}

/// A remote link (web link, Confluence page…).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RemoteLink {
    /// Remote link id.
    #[serde(deserialize_with = "de::id")]
    pub id: Id,
    /// Global id.
    pub global_id: Option<String>,
    /// Application (type and name).
    pub application: Option<Value>,
    /// Relationship text.
    pub relationship: Option<String>,
    /// The linked object: `url`, `title` (free text), `summary`, `status`.
    pub object: Option<RemoteObject>,
}

/// The object of a remote link.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct RemoteObject {
    /// URL.
    pub url: Option<String>,
    /// Title (free text).
    pub title: Option<String>,
    /// Summary (free text).
    pub summary: Option<String>,
}

/// An agile board.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Board {
    /// Board id.
    #[serde(deserialize_with = "de::id")]
    pub id: Id,
    /// Name.
    pub name: Option<String>,
    /// `scrum`, `kanban` or `simple`.
    #[serde(rename = "type")]
    pub board_type: Option<String>,
    /// Where the board lives.
    pub location: Option<BoardLocation>,
}

/// A board's location.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BoardLocation {
    /// Project id.
    #[serde(deserialize_with = "de::opt_id")]
    pub project_id: Option<Id>,
    /// Project key.
    pub project_key: Option<String>,
}

/// A sprint.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Sprint {
    /// Sprint id.
    #[serde(deserialize_with = "de::id")]
    pub id: Id,
    /// `future`, `active`, `closed`.
    pub state: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Start.
    #[serde(deserialize_with = "de::opt_ts")]
    pub start_date: Option<Timestamp>,
    /// End.
    #[serde(deserialize_with = "de::opt_ts")]
    pub end_date: Option<Timestamp>,
    /// Completed.
    #[serde(deserialize_with = "de::opt_ts")]
    pub complete_date: Option<Timestamp>,
    /// Created.
    #[serde(deserialize_with = "de::opt_ts")]
    pub created_date: Option<Timestamp>,
    /// The board it was created on.
    #[serde(deserialize_with = "de::opt_id")]
    pub origin_board_id: Option<Id>,
    /// Goal (free text).
    pub goal: Option<String>,
}

/// An entry of `/worklog/updated` or `/worklog/deleted`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WorklogChange {
    /// Worklog id.
    #[serde(deserialize_with = "de::id")]
    pub worklog_id: Id,
    /// When it changed, epoch ms.
    #[serde(deserialize_with = "de::opt_i64")]
    pub updated_time: Option<i64>,
}

/// Story points and other numbers in custom fields come as JSON numbers or strings.
pub fn json_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}
