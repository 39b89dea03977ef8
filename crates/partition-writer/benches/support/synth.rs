//! Realistic synthetic warehouse tables for the benches and the peak-memory example:
//! an `issues` table of 40 columns (ids, workflow, dates, lists, time tracking, pseudonyms,
//! scrubbed-looking text) and two child tables, `comments` (3 per issue) and `changelog`
//! (6 per issue). Ids grow with the creation month, as in Jira. Deterministic for a seed.
#![allow(dead_code)]

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array, Int64Builder,
    ListBuilder, RecordBatch, StringArray, StringBuilder, TimestampMicrosecondArray,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use jirafe_partition_writer::TableSpec;

pub(crate) const COMMENTS_PER_ISSUE: i64 = 3;
pub(crate) const CHANGES_PER_ISSUE: i64 = 6;
const DAY_US: i64 = 86_400_000_000;
/// 2018-01-01T00:00:00Z
const EPOCH_2018_US: i64 = 1_514_764_800_000_000;

fn ts() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

fn list(item: DataType) -> DataType {
    DataType::List(Arc::new(Field::new("item", item, true)))
}

/// splitmix64: cheap, deterministic, good enough for fake data.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn pick<'a>(seed: u64, items: &[&'a str]) -> &'a str {
    items[(mix(seed) % items.len() as u64) as usize]
}

fn pseudonym(seed: u64) -> String {
    format!("{:016x}{:016x}", mix(seed % 500), mix(seed % 500 + 7))
}

const WORDS: &[&str] = &[
    "the",
    "build",
    "fails",
    "when",
    "cache",
    "is",
    "cold",
    "[EMAIL]",
    "retry",
    "timeout",
    "login",
    "page",
    "renders",
    "slowly",
    "after",
    "deploy",
    "@user:3f2a",
    "customer",
    "reports",
    "error",
    "500",
    "on",
    "checkout",
    "[PERSON]",
    "needs",
    "review",
    "flaky",
];

fn text(seed: u64, words: usize) -> String {
    let mut s = String::with_capacity(words * 7);
    for w in 0..words {
        if w > 0 {
            s.push(' ');
        }
        s.push_str(pick(seed.wrapping_add(w as u64 * 31), WORDS));
    }
    s
}

/// A warehouse shape: `issues` issues spread evenly over `months` consecutive months
/// starting 2018-01; issue ids `1..=issues` grow with the month.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Shape {
    pub(crate) issues: i64,
    pub(crate) months: i64,
}

impl Shape {
    pub(crate) fn per_month(&self) -> i64 {
        self.issues / self.months
    }

    /// Issue ids created in month `m` (0-based).
    pub(crate) fn ids_of_month(&self, m: i64) -> std::ops::Range<i64> {
        let per = self.per_month();
        let end = if m + 1 == self.months {
            self.issues + 1
        } else {
            (m + 1) * per + 1
        };
        m * per + 1..end
    }

    fn created(&self, id: i64) -> i64 {
        let per = self.per_month();
        let m = ((id - 1) / per).min(self.months - 1);
        // months are ~30.4 days; stay inside the month: day 1..28
        let (y, mo) = (2018 + m / 12, m % 12 + 1);
        month_start_us(y, mo) + (id % 27) * DAY_US + (id % 86_000) * 1_000_000
    }
}

fn month_start_us(year: i64, month: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) * DAY_US
}

pub(crate) fn issues_schema() -> SchemaRef {
    let s = |n: &str, nullable| Field::new(n, DataType::Utf8, nullable);
    let i64f = |n: &str, nullable| Field::new(n, DataType::Int64, nullable);
    let i32f = |n: &str| Field::new(n, DataType::Int32, false);
    Arc::new(Schema::new(vec![
        i64f("id", false),
        s("key", false),
        i64f("project_id", false),
        s("project_key", false),
        s("issue_type", false),
        i64f("issue_type_id", false),
        s("status", false),
        i64f("status_id", false),
        s("status_category", false),
        s("priority", true),
        s("resolution", true),
        Field::new("created", ts(), false),
        Field::new("updated", ts(), false),
        Field::new("resolved", ts(), true),
        Field::new("due_date", DataType::Date32, true),
        Field::new("labels", list(DataType::Utf8), true),
        Field::new("components", list(DataType::Utf8), true),
        Field::new("fix_versions", list(DataType::Utf8), true),
        Field::new("affected_versions", list(DataType::Utf8), true),
        i64f("parent_id", true),
        s("parent_key", true),
        Field::new("sprint_ids", list(DataType::Int64), true),
        Field::new("story_points", DataType::Float64, true),
        i64f("original_estimate_seconds", true),
        i64f("remaining_estimate_seconds", true),
        i64f("time_spent_seconds", true),
        i32f("votes"),
        i32f("watcher_count"),
        s("reporter", true),
        s("assignee", true),
        s("creator", true),
        s("summary", false),
        s("description", true),
        s("environment", true),
        i32f("subtask_count"),
        i32f("comment_count"),
        i32f("worklog_count"),
        i32f("attachment_count"),
        Field::new("status_changed", ts(), true),
        Field::new("flagged", DataType::Boolean, false),
    ]))
}

pub(crate) fn comments_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("issue_id", DataType::Int64, false),
        Field::new("issue_created", ts(), false),
        Field::new("author", DataType::Utf8, true),
        Field::new("created", ts(), false),
        Field::new("updated", ts(), false),
        Field::new("body", DataType::Utf8, true),
        Field::new("visibility", DataType::Utf8, true),
        Field::new("jsd_public", DataType::Boolean, false),
    ]))
}

pub(crate) fn changelog_schema() -> SchemaRef {
    let s = |n: &str| Field::new(n, DataType::Utf8, true);
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("issue_id", DataType::Int64, false),
        Field::new("issue_created", ts(), false),
        Field::new("history_id", DataType::Int64, false),
        s("author"),
        Field::new("created", ts(), false),
        s("field"),
        s("field_type"),
        s("from_value"),
        s("from_string"),
        s("to_value"),
        s("to_string"),
    ]))
}

pub(crate) fn specs() -> [TableSpec; 3] {
    let spec = |name: &str, schema, month: &str, version: &str, owner: &str| {
        TableSpec::builder(name, schema)
            .primary_key(["id"])
            .month_column(month)
            .version_column(version)
            .owner_column(owner)
            .build()
            .expect("valid bench spec")
    };
    [
        spec("issues", issues_schema(), "created", "updated", "id"),
        spec(
            "comments",
            comments_schema(),
            "issue_created",
            "updated",
            "issue_id",
        ),
        spec(
            "changelog",
            changelog_schema(),
            "issue_created",
            "created",
            "issue_id",
        ),
    ]
}

fn str_list(values: impl Iterator<Item = Vec<String>>) -> ArrayRef {
    let mut b = ListBuilder::new(StringBuilder::new());
    for v in values {
        for s in v {
            b.values().append_value(s);
        }
        b.append(true);
    }
    Arc::new(b.finish())
}

/// The three tables' rows for issues `ids`, with `revision` folded into `updated` and the
/// text (so a higher revision is a newer version of the same issues).
pub(crate) fn batches(shape: &Shape, ids: std::ops::Range<i64>, revision: i64) -> [RecordBatch; 3] {
    let ids: Vec<i64> = ids.collect();
    let u = |id: i64| id as u64 ^ (revision as u64) << 40;
    let created: Vec<i64> = ids.iter().map(|&id| shape.created(id)).collect();
    let updated: Vec<i64> = created
        .iter()
        .map(|c| c + (revision + 1) * DAY_US)
        .collect();
    let resolved = |id: &i64| (id % 3 == 0).then(|| shape.created(*id) + 5 * DAY_US);
    let strs = |f: &dyn Fn(i64) -> String| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(ids.iter().map(|&i| f(i))))
    };
    let opt_strs = |f: &dyn Fn(i64) -> Option<String>| -> ArrayRef {
        Arc::new(StringArray::from_iter(ids.iter().map(|&i| f(i))))
    };
    let i64s = |f: &dyn Fn(i64) -> i64| -> ArrayRef {
        Arc::new(Int64Array::from_iter_values(ids.iter().map(|&i| f(i))))
    };
    let opt_i64s = |f: &dyn Fn(i64) -> Option<i64>| -> ArrayRef {
        Arc::new(Int64Array::from_iter(ids.iter().map(|&i| f(i))))
    };
    let i32s = |f: &dyn Fn(i64) -> i32| -> ArrayRef {
        Arc::new(Int32Array::from_iter_values(ids.iter().map(|&i| f(i))))
    };
    let tsa = |v: Vec<Option<i64>>| -> ArrayRef {
        Arc::new(TimestampMicrosecondArray::from(v).with_timezone("UTC"))
    };
    let mut sprints = ListBuilder::new(Int64Builder::new());
    for &id in &ids {
        for k in 0..(id % 3) {
            sprints.values().append_value(100 + id / 500 + k);
        }
        sprints.append(true);
    }
    let issue_cols: Vec<ArrayRef> = vec![
        i64s(&|i| i),
        strs(&|i| format!("PROJ-{i}")),
        i64s(&|i| 10_000 + i % 4),
        strs(&|i| ["PROJ", "OPS", "WEB", "DATA"][(i % 4) as usize].to_owned()),
        strs(&|i| pick(i as u64, &["Bug", "Story", "Task", "Epic", "Sub-task"]).to_owned()),
        i64s(&|i| 10_001 + (mix(i as u64) % 5) as i64),
        strs(&|i| pick(u(i) + 1, &["To Do", "In Progress", "In Review", "Done"]).to_owned()),
        i64s(&|i| (mix(u(i) + 1) % 4) as i64),
        strs(&|i| pick(u(i) + 1, &["new", "indeterminate", "indeterminate", "done"]).to_owned()),
        opt_strs(&|i| Some(pick(i as u64 + 2, &["Highest", "High", "Medium", "Low"]).to_owned())),
        opt_strs(&|i| (i % 3 == 0).then(|| "Done".to_owned())),
        tsa(created.iter().map(|&c| Some(c)).collect()),
        tsa(updated.iter().map(|&c| Some(c)).collect()),
        tsa(ids.iter().map(resolved).collect()),
        Arc::new(Date32Array::from_iter(ids.iter().map(|&i| {
            (i % 4 == 0).then(|| ((shape.created(i) / DAY_US) + 30) as i32)
        }))),
        str_list(ids.iter().map(|&i| {
            (0..i % 4)
                .map(|k| {
                    pick(
                        i as u64 * 7 + k as u64,
                        &[
                            "backend",
                            "frontend",
                            "infra",
                            "customer",
                            "regression",
                            "tech-debt",
                        ],
                    )
                    .to_owned()
                })
                .collect()
        })),
        str_list(ids.iter().map(|&i| {
            (0..i % 2 + 1)
                .map(|k| format!("component-{}", (i + k) % 12))
                .collect()
        })),
        str_list(ids.iter().map(|&i| {
            (0..i % 2)
                .map(|_| format!("v{}.{}", 1 + i / 20_000, i % 10))
                .collect()
        })),
        str_list(ids.iter().map(|&i| {
            (0..(i % 5 == 0) as i64)
                .map(|_| format!("v{}.0", i / 20_000))
                .collect()
        })),
        opt_i64s(&|i| (i % 5 != 0 && i > 10).then(|| i - i % 10)),
        opt_strs(&|i| (i % 5 != 0 && i > 10).then(|| format!("PROJ-{}", i - i % 10))),
        Arc::new(sprints.finish()),
        Arc::new(Float64Array::from_iter(ids.iter().map(|&i| {
            (i % 2 == 0).then(|| [1.0, 2.0, 3.0, 5.0, 8.0][(i % 5) as usize])
        }))),
        opt_i64s(&|i| (i % 3 != 0).then(|| 3600 * (i % 16))),
        opt_i64s(&|i| (i % 3 != 0).then(|| 1800 * (i % 7))),
        opt_i64s(&|i| (i % 2 == 0).then(|| 900 * (i % 40) + revision)),
        i32s(&|i| (i % 7) as i32),
        i32s(&|i| (i % 11) as i32),
        opt_strs(&|i| Some(pseudonym(i as u64))),
        opt_strs(&|i| (i % 6 != 0).then(|| pseudonym(u(i) * 3))),
        opt_strs(&|i| Some(pseudonym(i as u64))),
        strs(&|i| text(u(i), 8)),
        opt_strs(&|i| (i % 4 != 0).then(|| text(u(i) * 5, 60 + (i % 80) as usize))),
        opt_strs(&|i| (i % 9 == 0).then(|| text(i as u64, 6))),
        i32s(&|i| (i % 4) as i32),
        i32s(&|_| COMMENTS_PER_ISSUE as i32),
        i32s(&|i| (i % 3) as i32),
        i32s(&|i| (i % 2) as i32),
        tsa(updated.iter().map(|&c| Some(c - 3_600_000_000)).collect()),
        Arc::new(BooleanArray::from_iter(
            ids.iter().map(|&i| Some(i % 17 == 0)),
        )),
    ];
    let issues = RecordBatch::try_new(issues_schema(), issue_cols).expect("issues batch");

    // Child rows: ids derived from the issue id, so they also grow with the month.
    let child = |per: i64| -> Vec<(i64, i64, i64)> {
        ids.iter()
            .zip(&created)
            .flat_map(|(&i, &c)| (0..per).map(move |k| (i * 10 + k, i, c)))
            .collect()
    };
    let c = child(COMMENTS_PER_ISSUE);
    let comments = RecordBatch::try_new(
        comments_schema(),
        vec![
            Arc::new(Int64Array::from_iter_values(c.iter().map(|r| r.0))),
            Arc::new(Int64Array::from_iter_values(c.iter().map(|r| r.1))),
            tsa(c.iter().map(|r| Some(r.2)).collect()),
            Arc::new(StringArray::from_iter(
                c.iter().map(|r| Some(pseudonym(r.0 as u64))),
            )),
            tsa(c
                .iter()
                .map(|r| Some(r.2 + (r.0 % 10) * 3_600_000_000))
                .collect()),
            tsa(c
                .iter()
                .map(|r| Some(r.2 + (revision + 1) * DAY_US))
                .collect()),
            Arc::new(StringArray::from_iter(
                c.iter()
                    .map(|r| Some(text(u(r.0), 25 + (r.0 % 50) as usize))),
            )),
            Arc::new(StringArray::from_iter(
                c.iter()
                    .map(|r| (r.0 % 20 == 0).then_some("role:Developers")),
            )),
            Arc::new(BooleanArray::from_iter(
                c.iter().map(|r| Some(r.0 % 2 == 0)),
            )),
        ],
    )
    .expect("comments batch");
    let h = child(CHANGES_PER_ISSUE);
    let field = |r: &(i64, i64, i64)| {
        pick(
            r.0 as u64,
            &[
                "status",
                "assignee",
                "priority",
                "labels",
                "Sprint",
                "resolution",
            ],
        )
    };
    let changelog = RecordBatch::try_new(
        changelog_schema(),
        vec![
            Arc::new(Int64Array::from_iter_values(h.iter().map(|r| r.0))),
            Arc::new(Int64Array::from_iter_values(h.iter().map(|r| r.1))),
            tsa(h.iter().map(|r| Some(r.2)).collect()),
            Arc::new(Int64Array::from_iter_values(h.iter().map(|r| r.0 / 2))),
            Arc::new(StringArray::from_iter(
                h.iter().map(|r| Some(pseudonym(r.0 as u64 / 2))),
            )),
            tsa(h.iter().map(|r| Some(r.2 + (r.0 % 10) * DAY_US)).collect()),
            Arc::new(StringArray::from_iter(h.iter().map(|r| Some(field(r))))),
            Arc::new(StringArray::from_iter(h.iter().map(|_| Some("jira")))),
            Arc::new(StringArray::from_iter(
                h.iter().map(|r| Some(format!("{}", 10_000 + r.0 % 4))),
            )),
            Arc::new(StringArray::from_iter(h.iter().map(|r| {
                Some(pick(
                    r.0 as u64 + 1,
                    &["To Do", "In Progress", "Medium", "[PERSON]"],
                ))
            }))),
            Arc::new(StringArray::from_iter(
                h.iter().map(|r| Some(format!("{}", 10_001 + r.0 % 4))),
            )),
            Arc::new(StringArray::from_iter(h.iter().map(|r| {
                Some(pick(
                    r.0 as u64 + 2,
                    &["Done", "In Review", "High", "@user:9c1e"],
                ))
            }))),
        ],
    )
    .expect("changelog batch");
    [issues, comments, changelog]
}
