//! The ground truth: every object of the simulated organisation as plain Rust data.
//!
//! Tests compare what a client extracted against these structs. Times are epoch
//! milliseconds; the wire format is produced by the server (see [`crate::jira_timestamp`]).

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use crate::text::RichText;

/// Kind of a Jira account (`accountType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum AccountType {
    /// A human Atlassian account (`"atlassian"`).
    Atlassian,
    /// An app / bot account (`"app"`).
    App,
    /// A service-desk customer account (`"customer"`).
    Customer,
}

impl AccountType {
    /// The `accountType` string Jira sends.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountType::Atlassian => "atlassian",
            AccountType::App => "app",
            AccountType::Customer => "customer",
        }
    }
}

/// A Jira user.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    /// The Cloud account id.
    pub account_id: String,
    /// Display name (from several locales).
    pub display_name: String,
    /// Email address (apps have none).
    pub email: Option<String>,
    /// Whether Jira shows `emailAddress` for this user (profile visibility).
    pub email_visible: bool,
    /// Account type.
    pub account_type: AccountType,
    /// Whether the account is active.
    pub active: bool,
    /// IANA time zone.
    pub time_zone: String,
    /// Locale, e.g. `de_DE`.
    pub locale: String,
}

/// A project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Project {
    /// Numeric id.
    pub id: u64,
    /// Project key, e.g. `PLAT`.
    pub key: String,
    /// Name.
    pub name: String,
    /// `software`, `service_desk` or `business`.
    pub project_type_key: String,
    /// Team-managed (`simplified: true`, `style: "next-gen"`).
    pub simplified: bool,
    /// `isPrivate` as Jira reports it.
    pub is_private: bool,
    /// Whether the token owner has the Browse permission (invisible otherwise).
    pub browsable: bool,
    /// Account id of the project lead.
    pub lead: String,
    /// Components `(id, name)`.
    pub components: Vec<(u64, String)>,
    /// Versions `(id, name, released)`.
    pub versions: Vec<(u64, String, bool)>,
}

/// An issue security level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SecurityLevel {
    /// Numeric id.
    pub id: u64,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Whether the token owner is a member (issues at other levels are invisible).
    pub owner_can_see: bool,
}

/// A board (Agile API).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Board {
    /// Numeric id.
    pub id: u64,
    /// Name.
    pub name: String,
    /// `scrum` or `kanban`.
    pub kind: String,
    /// The board's project.
    pub project_id: u64,
}

/// A sprint of a scrum board.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sprint {
    /// Numeric id.
    pub id: u64,
    /// Board the sprint was created on.
    pub board_id: u64,
    /// Name.
    pub name: String,
    /// `closed`, `active` or `future`.
    pub state: String,
    /// Start (absent for future sprints).
    pub start_ms: Option<i64>,
    /// Planned end (absent for future sprints).
    pub end_ms: Option<i64>,
    /// Completion (closed sprints only).
    pub complete_ms: Option<i64>,
    /// Creation time.
    pub created_ms: i64,
    /// Sprint goal (may be empty).
    pub goal: String,
}

/// A field of the catalog (`GET /rest/api/3/field`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldDef {
    /// `summary`, `customfield_10016`, ...
    pub id: String,
    /// Display name.
    pub name: String,
    /// Whether it is a custom field.
    pub custom: bool,
    /// Whether `*navigable` includes it.
    pub navigable: bool,
    /// `schema.type`.
    pub schema_type: String,
    /// `schema.items`, for arrays.
    pub schema_items: Option<String>,
    /// `schema.custom` (custom fields) — the field type key.
    pub schema_custom: Option<String>,
}

/// One comment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comment {
    /// Numeric id.
    pub id: u64,
    /// Author account id.
    pub author: String,
    /// Last editor account id.
    pub update_author: String,
    /// Body.
    pub body: RichText,
    /// Creation time.
    pub created_ms: i64,
    /// Last update time.
    pub updated_ms: i64,
    /// Role visibility restriction, if any (e.g. `Developers`).
    pub visibility_role: Option<String>,
}

/// One changed field inside a changelog history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeItem {
    /// Field name, e.g. `status`, `Story point estimate`.
    pub field: String,
    /// `jira` or `custom`.
    pub fieldtype: String,
    /// Field id, e.g. `status`, `customfield_10016`.
    pub field_id: String,
    /// Raw old value.
    pub from: Option<String>,
    /// Display old value.
    pub from_string: Option<String>,
    /// Raw new value.
    pub to: Option<String>,
    /// Display new value.
    pub to_string: Option<String>,
}

/// A changelog history (one edit, possibly of several fields).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct History {
    /// Numeric id.
    pub id: u64,
    /// Author account id.
    pub author: String,
    /// Time of the change.
    pub created_ms: i64,
    /// Changed fields.
    pub items: Vec<ChangeItem>,
}

/// One worklog.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Worklog {
    /// Numeric id.
    pub id: u64,
    /// Author account id.
    pub author: String,
    /// Last editor account id.
    pub update_author: String,
    /// Optional comment.
    pub comment: Option<RichText>,
    /// When the work started.
    pub started_ms: i64,
    /// Seconds spent.
    pub time_spent_seconds: u64,
    /// Creation time.
    pub created_ms: i64,
    /// Last update time (what `/worklog/updated` reports).
    pub updated_ms: i64,
}

/// A remote (web) link.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RemoteLink {
    /// Numeric id.
    pub id: u64,
    /// Optional global id.
    pub global_id: Option<String>,
    /// Application `(type, name)`, if any.
    pub application: Option<(String, String)>,
    /// Relationship text, if any.
    pub relationship: Option<String>,
    /// Target URL.
    pub url: String,
    /// Title.
    pub title: String,
}

/// Direction of an issue link as seen from the issue holding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LinkDirection {
    /// This issue is the source (`outwardIssue` names the other one).
    Outward,
    /// This issue is the target (`inwardIssue` names the other one).
    Inward,
}

/// One issue link (stored on both issues with opposite directions and the same id).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssueLink {
    /// Link id (shared by both ends).
    pub id: u64,
    /// Link type name: `Blocks`, `Relates`, `Duplicate`, `Cloners`.
    pub type_name: String,
    /// Direction from this issue.
    pub direction: LinkDirection,
    /// The other issue's id.
    pub other_issue_id: u64,
}

/// Attachment metadata.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attachment {
    /// Numeric id.
    pub id: u64,
    /// File name.
    pub filename: String,
    /// Uploader account id.
    pub author: String,
    /// Upload time.
    pub created_ms: i64,
    /// Size in bytes.
    pub size: u64,
    /// MIME type.
    pub mime_type: String,
}

/// One issue with all its children.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    /// Numeric id (ids increase with creation time).
    pub id: u64,
    /// Key, e.g. `PLAT-17`.
    pub key: String,
    /// Project id.
    pub project_id: u64,
    /// Issue type name: `Epic`, `Story`, `Task`, `Bug`, `Subtask`.
    pub issue_type: String,
    /// Summary.
    pub summary: String,
    /// Description.
    pub description: Option<RichText>,
    /// Environment.
    pub environment: Option<RichText>,
    /// Status name.
    pub status: String,
    /// Priority name.
    pub priority: String,
    /// Resolution name, when resolved.
    pub resolution: Option<String>,
    /// Resolution time.
    pub resolution_ms: Option<i64>,
    /// Creation time.
    pub created_ms: i64,
    /// Last update time.
    pub updated_ms: i64,
    /// Due date `yyyy-MM-dd`.
    pub due_date: Option<String>,
    /// Labels.
    pub labels: Vec<String>,
    /// Component ids (of the project).
    pub components: Vec<u64>,
    /// Fix version ids (of the project).
    pub fix_versions: Vec<u64>,
    /// Affects version ids (of the project).
    pub versions: Vec<u64>,
    /// Parent issue id (epic for standard issues, story/task for subtasks).
    pub parent_id: Option<u64>,
    /// Subtask ids.
    pub subtask_ids: Vec<u64>,
    /// Reporter account id.
    pub reporter: String,
    /// Assignee account id.
    pub assignee: Option<String>,
    /// Creator account id.
    pub creator: String,
    /// Vote count.
    pub votes: u32,
    /// Watch count.
    pub watches: u32,
    /// Original estimate in seconds.
    pub original_estimate_secs: Option<u64>,
    /// Issue links.
    pub links: Vec<IssueLink>,
    /// Attachments.
    pub attachments: Vec<Attachment>,
    /// Security level id, if any.
    pub security_level: Option<u64>,
    /// Whether the token owner can see the issue (project browsable and level visible).
    pub visible_to_owner: bool,
    /// Comments, oldest first.
    pub comments: Vec<Comment>,
    /// Changelog histories, oldest first.
    pub histories: Vec<History>,
    /// Worklogs, oldest first.
    pub worklogs: Vec<Worklog>,
    /// Remote links.
    pub remote_links: Vec<RemoteLink>,
    /// Sprint ids (last is the current one).
    pub sprint_ids: Vec<u64>,
    /// Custom field values as Jira sends them (field id -> JSON). Sprint, epic link and
    /// rank are included here too.
    pub custom_fields: Vec<(String, Value)>,
}

impl Issue {
    /// Total time logged, in seconds.
    pub fn time_spent_secs(&self) -> u64 {
        self.worklogs.iter().map(|w| w.time_spent_seconds).sum()
    }

    /// The value of a custom field, if set.
    pub fn custom_field(&self, id: &str) -> Option<&Value> {
        self.custom_fields
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, v)| v)
    }
}

/// Kinds of planted personal data and secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[non_exhaustive]
pub enum PiiKind {
    /// An email address.
    Email,
    /// A phone number, international or national format.
    Phone,
    /// The display name of a Jira user, in plain text (not a mention).
    UserName,
    /// The name of a person who is not a Jira user (a customer).
    CustomerName,
    /// A Luhn-valid payment card number.
    PaymentCard,
    /// A mod-97-valid IBAN.
    Iban,
    /// An IPv4 address.
    Ipv4,
    /// An IPv6 address.
    Ipv6,
    /// A national id (US social security number format).
    NationalId,
    /// A URL carrying credentials (`https://user:pass@host/...`).
    UrlWithCredentials,
    /// An AWS access key id (`AKIA...`).
    AwsAccessKey,
    /// A GitHub token (`ghp_...`).
    GithubToken,
    /// A Slack token (`xoxb-...`).
    SlackToken,
    /// A JSON Web Token.
    Jwt,
    /// A PEM private key block.
    PrivateKey,
    /// A `password=...`-style assignment.
    PasswordAssignment,
}

impl PiiKind {
    /// Every kind, in declaration order.
    pub const ALL: [PiiKind; 16] = [
        PiiKind::Email,
        PiiKind::Phone,
        PiiKind::UserName,
        PiiKind::CustomerName,
        PiiKind::PaymentCard,
        PiiKind::Iban,
        PiiKind::Ipv4,
        PiiKind::Ipv6,
        PiiKind::NationalId,
        PiiKind::UrlWithCredentials,
        PiiKind::AwsAccessKey,
        PiiKind::GithubToken,
        PiiKind::SlackToken,
        PiiKind::Jwt,
        PiiKind::PrivateKey,
        PiiKind::PasswordAssignment,
    ];
}

/// Where inside an issue a value was planted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum Place {
    /// `fields.summary`.
    Summary,
    /// `fields.description`.
    Description,
    /// `fields.environment`.
    Environment,
    /// A comment body.
    Comment {
        /// Comment id.
        comment_id: u64,
    },
    /// A worklog comment.
    WorklogComment {
        /// Worklog id.
        worklog_id: u64,
    },
    /// A text custom field.
    CustomField {
        /// Field id.
        field_id: String,
    },
    /// An attachment file name.
    AttachmentFilename {
        /// Attachment id.
        attachment_id: u64,
    },
    /// A remote link title.
    RemoteLinkTitle {
        /// Remote link id.
        remote_link_id: u64,
    },
    /// A changelog `fromString`/`toString` value.
    ChangelogValue {
        /// History id.
        history_id: u64,
    },
}

/// Where a value was planted: the issue and the place inside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PiiLocation {
    /// Issue id.
    pub issue_id: u64,
    /// Issue key at generation time.
    pub issue_key: String,
    /// Place inside the issue.
    pub place: Place,
}

/// One planted value: ground truth for scrubber and leak-scan tests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlantedPii {
    /// What it is.
    pub kind: PiiKind,
    /// The exact text as it appears on the wire.
    pub value: String,
    /// Where it was planted.
    pub location: PiiLocation,
}

/// Lookup indexes, rebuilt after mutations that add or remove issues.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    pub(crate) by_id: HashMap<u64, usize>,
    pub(crate) by_key: HashMap<String, usize>,
    pub(crate) users: HashMap<String, usize>,
    pub(crate) projects: HashMap<u64, usize>,
}
