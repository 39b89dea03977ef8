//! The fields catalog: custom field ids to names and value kinds.

use std::collections::HashMap;

use ahash::RandomState;

use jirafe_jira_client::models::{Field, FieldSchema};

/// The custom field type key of Jira Software's sprint field.
pub const SPRINT_FIELD_TYPE: &str = "com.pyxis.greenhopper.jira:gh-sprint";

/// The names (compared case-insensitively) of number fields read as `issues.story_points`,
/// in order of preference.
pub const STORY_POINT_FIELD_NAMES: [&str; 3] = [
    "story points",
    "story point estimate",
    "story points estimate",
];

/// How a custom field's value is typed into `issue_custom_fields`, decided from the field's
/// catalog schema. The name ([`ValueKind::as_str`]) is the `value_kind` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueKind {
    /// Single-line text → `value_text` (scrubbed).
    Text,
    /// Multi-line text (ADF on Cloud, wiki markup on Data Center) → rendered to plain text,
    /// then `value_text` (scrubbed).
    RichText,
    /// A number → `value_number`.
    Number,
    /// A date → `value_date`.
    Date,
    /// A date and time → `value_timestamp`.
    DateTime,
    /// One option, or one named configuration object (version, component, group, cascading
    /// select parent and child) → `value_options` (names), `value_ids` (ids).
    Option,
    /// Several options or named objects → `value_options`, `value_ids`.
    Options,
    /// One person → `value_users` (one pseudonym).
    User,
    /// Several people → `value_users` (pseudonyms).
    Users,
    /// Free-text labels → `value_options` (each scrubbed).
    Labels,
    /// Jira Software sprints → `value_ids` (sprint ids), `value_options` (sprint names,
    /// scrubbed).
    Sprint,
    /// Anything else (or a value whose shape does not match its type) → `value_text` as
    /// JSON, with people replaced by pseudonyms and `self`/avatar URLs removed, scrubbed.
    /// Such a value that is a plain string is typed [`ValueKind::Text`] instead, a plain
    /// number [`ValueKind::Number`].
    Json,
}

impl ValueKind {
    /// The `value_kind` column value.
    pub const fn as_str(self) -> &'static str {
        match self {
            ValueKind::Text => "text",
            ValueKind::RichText => "rich_text",
            ValueKind::Number => "number",
            ValueKind::Date => "date",
            ValueKind::DateTime => "datetime",
            ValueKind::Option => "option",
            ValueKind::Options => "options",
            ValueKind::User => "user",
            ValueKind::Users => "users",
            ValueKind::Labels => "labels",
            ValueKind::Sprint => "sprint",
            ValueKind::Json => "json",
        }
    }

    /// The kind for a field schema from the catalog.
    ///
    /// ```
    /// use jirafe_jira_client::models::FieldSchema;
    /// use jirafe_schema::ValueKind;
    ///
    /// let schema = FieldSchema {
    ///     field_type: Some("array".into()),
    ///     items: Some("option".into()),
    ///     custom: Some("com.atlassian.jira.plugin.system.customfieldtypes:multiselect".into()),
    ///     ..FieldSchema::default()
    /// };
    /// assert_eq!(ValueKind::of(Some(&schema)), ValueKind::Options);
    /// assert_eq!(ValueKind::of(None), ValueKind::Json);
    /// ```
    pub fn of(schema: Option<&FieldSchema>) -> ValueKind {
        let Some(schema) = schema else {
            return ValueKind::Json;
        };
        let custom = schema.custom.as_deref().unwrap_or("");
        if custom == SPRINT_FIELD_TYPE {
            return ValueKind::Sprint;
        }
        let named = |t: &str| {
            matches!(
                t,
                "option"
                    | "option-with-child"
                    | "version"
                    | "component"
                    | "group"
                    | "project"
                    | "priority"
                    | "status"
                    | "resolution"
                    | "issuetype"
            )
        };
        match schema.field_type.as_deref().unwrap_or("") {
            "number" => ValueKind::Number,
            "date" => ValueKind::Date,
            "datetime" => ValueKind::DateTime,
            "string" if custom.ends_with(":textarea") => ValueKind::RichText,
            "string" => ValueKind::Text,
            "user" => ValueKind::User,
            t if named(t) => ValueKind::Option,
            "array" => match schema.items.as_deref().unwrap_or("") {
                "user" => ValueKind::Users,
                "string" => ValueKind::Labels,
                t if named(t) => ValueKind::Options,
                _ => ValueKind::Json,
            },
            _ => ValueKind::Json,
        }
    }
}

/// What the catalog knows of one field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldInfo {
    /// Display name (`Story Points`).
    pub name: Option<String>,
    /// How its values are typed.
    pub kind: ValueKind,
    /// The custom field type key, if any.
    pub custom_type: Option<String>,
}

/// The fields catalog (`GET /rest/api/3/field`) indexed for flattening: resolves
/// `customfield_10042` to its name and [`ValueKind`], and finds the sprint and story-point
/// fields that become `issues` columns.
///
/// ```
/// use jirafe_jira_client::models::Field;
/// use jirafe_schema::{FieldCatalog, ValueKind};
///
/// let fields: Vec<Field> = serde_json::from_str(r#"[
///   {"id": "customfield_10016", "name": "Story point estimate", "custom": true,
///    "schema": {"type": "number", "custom": "com.pyxis.greenhopper.jira:jsw-story-points", "customId": 10016}},
///   {"id": "customfield_10020", "name": "Sprint", "custom": true,
///    "schema": {"type": "array", "items": "json", "custom": "com.pyxis.greenhopper.jira:gh-sprint", "customId": 10020}}
/// ]"#)?;
/// let catalog = FieldCatalog::new(&fields);
/// assert_eq!(catalog.get("customfield_10016").map(|f| f.kind), Some(ValueKind::Number));
/// assert_eq!(catalog.story_point_fields(), ["customfield_10016"]);
/// assert_eq!(catalog.sprint_fields(), ["customfield_10020"]);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct FieldCatalog {
    /// Looked up for every custom field value and changelog item: a fast, randomly keyed
    /// hash (field ids are short).
    by_id: HashMap<String, FieldInfo, RandomState>,
    sprint: Vec<String>,
    story_points: Vec<String>,
}

impl FieldCatalog {
    /// Indexes a catalog. An empty catalog is valid: custom fields then have no name and
    /// are kept as [`ValueKind::Json`].
    pub fn new(fields: &[Field]) -> Self {
        let mut by_id = HashMap::with_capacity_and_hasher(fields.len(), RandomState::new());
        let mut sprint = Vec::new();
        let mut story: Vec<(usize, String)> = Vec::new();
        for f in fields {
            let kind = ValueKind::of(f.schema.as_ref());
            let custom_type = f.schema.as_ref().and_then(|s| s.custom.clone());
            if kind == ValueKind::Sprint {
                sprint.push(f.id.clone());
            }
            if kind == ValueKind::Number
                && let Some(name) = &f.name
            {
                let lower = name.trim().to_lowercase();
                if let Some(rank) = STORY_POINT_FIELD_NAMES.iter().position(|n| *n == lower) {
                    story.push((rank, f.id.clone()));
                }
            }
            by_id.insert(
                f.id.clone(),
                FieldInfo {
                    name: f.name.clone(),
                    kind,
                    custom_type,
                },
            );
        }
        sprint.sort();
        story.sort();
        FieldCatalog {
            by_id,
            sprint,
            story_points: story.into_iter().map(|(_, id)| id).collect(),
        }
    }

    /// What the catalog knows of a field id.
    pub fn get(&self, field_id: &str) -> Option<&FieldInfo> {
        self.by_id.get(field_id)
    }

    /// The sprint fields (type [`SPRINT_FIELD_TYPE`]).
    pub fn sprint_fields(&self) -> &[String] {
        &self.sprint
    }

    /// The story-point fields, most preferred first (see [`STORY_POINT_FIELD_NAMES`]).
    pub fn story_point_fields(&self) -> &[String] {
        &self.story_points
    }

    /// The number of fields in the catalog.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether the catalog is empty.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}
