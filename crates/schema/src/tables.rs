//! The warehouse tables: their Arrow schemas, keys and partitioning.

use std::fmt;
use std::sync::Arc;

use arrow_schema::{Schema, SchemaRef};
use jirafe_partition_writer::TableSpec;

use crate::columns::{Bool, ColKind, Date, F64, I32, I64, I64List, Str, StrList, Ts, table};
use crate::error::{Error, Result};

/// The month every row of a dimension table (`projects`, `boards`, `sprints`, `fields`,
/// `users`) carries in its `partition_month` column: these tables are small, have no
/// creation date that never changes, and live in one partition, `month=1970-01`.
pub const DIMENSION_MONTH: &str = "1970-01";

table!(IssueRows {
    id: I64 false,
    key: Str true,
    project_id: I64 true,
    project_key: Str true,
    issue_type: Str true,
    issue_type_id: I64 true,
    is_subtask: Bool true,
    hierarchy_level: I32 true,
    status: Str true,
    status_id: I64 true,
    status_category: Str true,
    priority: Str true,
    resolution: Str true,
    created: Ts false,
    updated: Ts true,
    resolved: Ts true,
    due: Date true,
    labels: StrList true,
    components: StrList true,
    fix_versions: StrList true,
    affected_versions: StrList true,
    parent_id: I64 true,
    parent_key: Str true,
    subtask_count: I32 true,
    sprint_ids: I64List true,
    story_points: F64 true,
    original_estimate_seconds: I64 true,
    remaining_estimate_seconds: I64 true,
    time_spent_seconds: I64 true,
    votes: I64 true,
    watch_count: I64 true,
    reporter: Str true,
    assignee: Str true,
    creator: Str true,
    summary: Str true,
    description: Str true,
    environment: Str true,
});

table!(CommentRows {
    id: I64 false,
    issue_id: I64 false,
    issue_created: Ts false,
    author: Str true,
    update_author: Str true,
    created: Ts true,
    updated: Ts true,
    body: Str true,
    jsd_public: Bool true,
    visibility_restricted: Bool false,
});

table!(ChangelogRows {
    history_id: I64 false,
    item_index: I32 false,
    issue_id: I64 false,
    issue_created: Ts false,
    issue_updated: Ts true,
    author: Str true,
    created: Ts true,
    field: Str true,
    field_id: Str true,
    field_type: Str true,
    from_value: Str true,
    from_string: Str true,
    to_value: Str true,
    to_string: Str true,
    from_users: StrList true,
    to_users: StrList true,
});

table!(WorklogRows {
    id: I64 false,
    issue_id: I64 false,
    issue_created: Ts false,
    author: Str true,
    update_author: Str true,
    started: Ts true,
    time_spent_seconds: I64 true,
    created: Ts true,
    updated: Ts true,
    comment: Str true,
    visibility_restricted: Bool false,
});

table!(IssueLinkRows {
    issue_id: I64 false,
    link_id: I64 false,
    issue_created: Ts false,
    issue_updated: Ts true,
    link_type_id: I64 true,
    link_type: Str true,
    direction: Str false,
    relation: Str true,
    other_issue_id: I64 true,
    other_issue_key: Str true,
});

table!(RemoteLinkRows {
    id: I64 false,
    issue_id: I64 false,
    issue_created: Ts false,
    issue_updated: Ts true,
    global_id: Str true,
    application_type: Str true,
    application_name: Str true,
    relationship: Str true,
    url: Str true,
    title: Str true,
    summary: Str true,
});

table!(AttachmentRows {
    id: I64 false,
    issue_id: I64 false,
    issue_created: Ts false,
    issue_updated: Ts true,
    filename: Str true,
    author: Str true,
    created: Ts true,
    size_bytes: I64 true,
    mime_type: Str true,
});

table!(CustomFieldRows {
    issue_id: I64 false,
    field_id: Str false,
    issue_created: Ts false,
    issue_updated: Ts true,
    field_name: Str true,
    value_kind: Str false,
    custom_type: Str true,
    value_text: Str true,
    value_number: F64 true,
    value_date: Date true,
    value_timestamp: Ts true,
    value_options: StrList true,
    value_ids: I64List true,
    value_users: StrList true,
});

table!(SprintRows {
    id: I64 false,
    partition_month: Str false,
    name: Str true,
    state: Str true,
    start_date: Ts true,
    end_date: Ts true,
    complete_date: Ts true,
    created_date: Ts true,
    origin_board_id: I64 true,
    goal: Str true,
});

table!(BoardRows {
    id: I64 false,
    partition_month: Str false,
    name: Str true,
    board_type: Str true,
    project_id: I64 true,
    project_key: Str true,
});

table!(ProjectRows {
    id: I64 false,
    partition_month: Str false,
    key: Str false,
    name: Str true,
    project_type: Str true,
    simplified: Bool true,
    style: Str true,
    is_private: Bool true,
    archived: Bool true,
    category: Str true,
});

table!(FieldRows {
    id: Str false,
    partition_month: Str false,
    name: Str true,
    custom: Bool true,
    schema_type: Str true,
    schema_items: Str true,
    schema_system: Str true,
    custom_type: Str true,
    custom_id: I64 true,
    value_kind: Str false,
});

table!(UserRows {
    pseudonym: Str false,
    partition_month: Str false,
    account_type: Str true,
    active: Bool true,
});

table!(DeletionRows {
    issue_id: I64 false,
    detected_at: Ts false,
    project_id: I64 true,
    reason: Str false,
});

/// One warehouse table. [`Table::ALL`] lists them in a stable order (the order
/// [`TableBatches`](crate::TableBatches) uses).
///
/// ```
/// use jirafe_schema::Table;
///
/// assert_eq!(Table::Comments.name(), "comments");
/// assert_eq!(Table::Comments.primary_key(), ["id"]);
/// assert_eq!(Table::Comments.month_column(), "issue_created");
/// assert_eq!(Table::Comments.owner_column(), Some("issue_id"));
/// assert_eq!("changelog".parse::<Table>().ok(), Some(Table::Changelog));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Table {
    /// `issues`: one row per issue.
    Issues,
    /// `comments`: one row per comment.
    Comments,
    /// `changelog`: one row per change item of a history.
    Changelog,
    /// `worklogs`: one row per worklog.
    Worklogs,
    /// `issue_links`: one row per link end (each link appears under both issues).
    IssueLinks,
    /// `remote_links`: one row per remote (web, Confluence…) link.
    RemoteLinks,
    /// `attachments`: attachment metadata, never content.
    Attachments,
    /// `issue_custom_fields`: one row per issue and non-empty custom field, typed.
    IssueCustomFields,
    /// `sprints`: one row per sprint.
    Sprints,
    /// `boards`: one row per agile board.
    Boards,
    /// `projects`: one row per project.
    Projects,
    /// `fields`: the fields catalog.
    Fields,
    /// `users`: one row per pseudonym (no names, no emails).
    Users,
    /// `deletions`: one row per detected deletion or loss of access.
    Deletions,
}

impl Table {
    /// Every table, in a stable order.
    pub const ALL: [Table; 14] = [
        Table::Issues,
        Table::Comments,
        Table::Changelog,
        Table::Worklogs,
        Table::IssueLinks,
        Table::RemoteLinks,
        Table::Attachments,
        Table::IssueCustomFields,
        Table::Sprints,
        Table::Boards,
        Table::Projects,
        Table::Fields,
        Table::Users,
        Table::Deletions,
    ];

    /// The table name: its directory in the warehouse.
    pub const fn name(self) -> &'static str {
        match self {
            Table::Issues => "issues",
            Table::Comments => "comments",
            Table::Changelog => "changelog",
            Table::Worklogs => "worklogs",
            Table::IssueLinks => "issue_links",
            Table::RemoteLinks => "remote_links",
            Table::Attachments => "attachments",
            Table::IssueCustomFields => "issue_custom_fields",
            Table::Sprints => "sprints",
            Table::Boards => "boards",
            Table::Projects => "projects",
            Table::Fields => "fields",
            Table::Users => "users",
            Table::Deletions => "deletions",
        }
    }

    /// The table's Arrow schema. Every batch the [`Flattener`](crate::Flattener) emits for
    /// this table has exactly this schema.
    ///
    /// ```
    /// use arrow_schema::{DataType, TimeUnit};
    /// use jirafe_schema::Table;
    ///
    /// let schema = Table::Issues.schema();
    /// assert_eq!(schema.field_with_name("id")?.data_type(), &DataType::Int64);
    /// assert_eq!(
    ///     schema.field_with_name("created")?.data_type(),
    ///     &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
    /// );
    /// # Ok::<(), arrow_schema::ArrowError>(())
    /// ```
    pub fn schema(self) -> SchemaRef {
        let fields = match self {
            Table::Issues => IssueRows::fields(),
            Table::Comments => CommentRows::fields(),
            Table::Changelog => ChangelogRows::fields(),
            Table::Worklogs => WorklogRows::fields(),
            Table::IssueLinks => IssueLinkRows::fields(),
            Table::RemoteLinks => RemoteLinkRows::fields(),
            Table::Attachments => AttachmentRows::fields(),
            Table::IssueCustomFields => CustomFieldRows::fields(),
            Table::Sprints => SprintRows::fields(),
            Table::Boards => BoardRows::fields(),
            Table::Projects => ProjectRows::fields(),
            Table::Fields => FieldRows::fields(),
            Table::Users => UserRows::fields(),
            Table::Deletions => DeletionRows::fields(),
        };
        Arc::new(Schema::new(fields))
    }

    /// The primary key columns. Jira ids, never issue keys (keys change when issues move).
    pub const fn primary_key(self) -> &'static [&'static str] {
        match self {
            Table::Issues
            | Table::Comments
            | Table::Worklogs
            | Table::RemoteLinks
            | Table::Attachments
            | Table::Sprints
            | Table::Boards
            | Table::Projects
            | Table::Fields => &["id"],
            Table::Changelog => &["history_id", "item_index"],
            Table::IssueLinks => &["issue_id", "link_id"],
            Table::IssueCustomFields => &["issue_id", "field_id"],
            Table::Users => &["pseudonym"],
            Table::Deletions => &["issue_id", "detected_at"],
        }
    }

    /// The column that decides the partition month: `created` for `issues`, the parent
    /// issue's created (`issue_created`) for child tables, `detected_at` for `deletions`,
    /// and the constant `partition_month` ([`DIMENSION_MONTH`]) for dimension tables.
    pub const fn month_column(self) -> &'static str {
        match self {
            Table::Issues => "created",
            Table::Comments
            | Table::Changelog
            | Table::Worklogs
            | Table::IssueLinks
            | Table::RemoteLinks
            | Table::Attachments
            | Table::IssueCustomFields => "issue_created",
            Table::Sprints | Table::Boards | Table::Projects | Table::Fields | Table::Users => {
                "partition_month"
            }
            Table::Deletions => "detected_at",
        }
    }

    /// The version column (a stored row is replaced only by a row at least as new):
    /// `updated` where the row has its own, the parent issue's `issue_updated` for child
    /// rows without one, none for dimension tables and `deletions`.
    pub const fn version_column(self) -> Option<&'static str> {
        match self {
            Table::Issues | Table::Comments | Table::Worklogs => Some("updated"),
            Table::Changelog
            | Table::IssueLinks
            | Table::RemoteLinks
            | Table::Attachments
            | Table::IssueCustomFields => Some("issue_updated"),
            _ => None,
        }
    }

    /// The free-text columns: those whose values go through
    /// [`Privacy::scrub`](crate::Privacy::scrub) (Utf8, or lists of Utf8). The post-write
    /// leak scan runs the detectors over exactly these; every other string column holds
    /// pseudonyms, keys, ids or Jira's enumerations.
    ///
    /// ```
    /// use jirafe_schema::Table;
    /// assert!(Table::Comments.free_text_columns().contains(&"body"));
    /// assert!(!Table::Comments.free_text_columns().contains(&"author"));
    /// assert!(Table::Users.free_text_columns().is_empty());
    /// ```
    pub const fn free_text_columns(self) -> &'static [&'static str] {
        match self {
            Table::Issues => &["summary", "description", "environment", "labels"],
            Table::Comments => &["body"],
            Table::Changelog => &["from_value", "from_string", "to_value", "to_string"],
            Table::Worklogs => &["comment"],
            Table::RemoteLinks => &["global_id", "relationship", "url", "title", "summary"],
            Table::Attachments => &["filename"],
            Table::IssueCustomFields => &["value_text", "value_options"],
            Table::Sprints => &["name", "goal"],
            Table::Boards => &["name"],
            Table::IssueLinks
            | Table::Projects
            | Table::Fields
            | Table::Users
            | Table::Deletions => &[],
        }
    }

    /// The owner column: the issue id a row belongs to, so deleting an issue removes its
    /// rows from every table that has one. `deletions` deliberately has none: the record of
    /// a deletion must survive the deletion.
    pub const fn owner_column(self) -> Option<&'static str> {
        match self {
            Table::Issues => Some("id"),
            Table::Comments
            | Table::Changelog
            | Table::Worklogs
            | Table::IssueLinks
            | Table::RemoteLinks
            | Table::Attachments
            | Table::IssueCustomFields => Some("issue_id"),
            _ => None,
        }
    }

    /// Whether the table's rows belong to an issue (and live in its created month).
    pub const fn is_issue_child(self) -> bool {
        matches!(
            self,
            Table::Comments
                | Table::Changelog
                | Table::Worklogs
                | Table::IssueLinks
                | Table::RemoteLinks
                | Table::Attachments
                | Table::IssueCustomFields
        )
    }

    /// The partition-writer's [`TableSpec`] for this table.
    ///
    /// ```
    /// use jirafe_schema::Table;
    ///
    /// let spec = Table::Changelog.spec()?;
    /// assert_eq!(spec.name(), "changelog");
    /// assert_eq!(spec.primary_key(), ["history_id", "item_index"]);
    /// assert_eq!(spec.version_column(), Some("issue_updated"));
    /// # Ok::<(), jirafe_schema::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSpec`] if the partition writer refuses the spec, which the crate's
    /// tests show never happens for these tables.
    pub fn spec(self) -> Result<TableSpec> {
        let mut builder = TableSpec::builder(self.name(), self.schema())
            .primary_key(self.primary_key().iter().copied())
            .month_column(self.month_column());
        if let Some(v) = self.version_column() {
            builder = builder.version_column(v);
        }
        if let Some(o) = self.owner_column() {
            builder = builder.owner_column(o);
        }
        builder.build().map_err(|source| Error::InvalidSpec {
            table: self.name(),
            source: Box::new(source),
        })
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Table {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Table::ALL
            .into_iter()
            .find(|t| t.name() == s)
            .ok_or(Error::UnknownTable)
    }
}

/// The partition-writer specs of every table, in [`Table::ALL`] order.
///
/// ```
/// let specs = jirafe_schema::table_specs()?;
/// assert_eq!(specs.len(), jirafe_schema::Table::ALL.len());
/// # Ok::<(), jirafe_schema::Error>(())
/// ```
///
/// # Errors
///
/// As [`Table::spec`].
pub fn table_specs() -> Result<Vec<TableSpec>> {
    Table::ALL.into_iter().map(Table::spec).collect()
}
