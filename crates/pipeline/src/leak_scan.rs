//! The post-write leak scan: re-read what was written and look for personal data.
//!
//! Two searches over the stored Parquet:
//! - **known values**, in every string column of every table: the display names, emails
//!   and raw account ids of the people the run knows (held in memory only). Matching is
//!   ASCII-case-insensitive; a name must stand as whole words.
//! - **detectors**, in the free-text columns the column policy scrubs: the run's scrubber
//!   (emails, phones, cards, IBANs, IPs, national ids, secrets, names) must find nothing in
//!   its own output.
//!
//! A finding is reported by kind, object, column and row: never the value.

use std::collections::BTreeMap;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::DataType;
use jirafe_partition_writer::{Month, PartitionWriter};
use jirafe_pii_scrub::{ColumnAction, Policy, Scrubber};
use jirafe_schema::Table;
use serde::Serialize;

use crate::error::Result;
use crate::privacy::KnownPerson;
use crate::warehouse::Warehouse;

/// Findings locations kept in a report at most (counts are always complete).
const MAX_LOCATIONS: usize = 100;
/// Known values shorter than this are not searched (too many innocent matches).
const MIN_KNOWN_LEN: usize = 5;

/// Where one finding is. No value, only its place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeakLocation {
    /// The object.
    pub object: String,
    /// The column.
    pub column: String,
    /// The row within the partition (0-based).
    pub row: u64,
    /// What was found.
    pub kind: String,
}

/// What a leak scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LeakReport {
    /// Partition objects read.
    pub objects_scanned: u64,
    /// Rows read.
    pub rows_scanned: u64,
    /// String values examined.
    pub values_scanned: u64,
    /// Known people the scan searched for.
    pub known_people: u64,
    /// Findings per kind: `known_name`, `known_email`, `account_id`, or a detector kind.
    pub findings: BTreeMap<String, u64>,
    /// The first findings, by place.
    pub locations: Vec<LeakLocation>,
}

impl LeakReport {
    /// Total findings.
    pub fn total(&self) -> u64 {
        self.findings.values().sum()
    }

    /// Whether the scan found nothing.
    pub fn clean(&self) -> bool {
        self.total() == 0
    }

    fn add(&mut self, object: &str, column: &str, row: usize, kind: &str) {
        *self.findings.entry(kind.to_owned()).or_default() += 1;
        if self.locations.len() < MAX_LOCATIONS {
            self.locations.push(LeakLocation {
                object: object.to_owned(),
                column: column.to_owned(),
                row: row as u64,
                kind: kind.to_owned(),
            });
        }
    }
}

/// A leak scanner: the known values and the detectors.
pub struct LeakScanner {
    known: Option<(AhoCorasick, Vec<&'static str>)>,
    known_people: u64,
    scrubber: Arc<Scrubber>,
    policy: Policy,
}

impl std::fmt::Debug for LeakScanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeakScanner")
            .field("known_people", &self.known_people)
            .finish_non_exhaustive()
    }
}

impl LeakScanner {
    /// A scanner for `people` (account id → what is known), with the run's scrubber and
    /// column policy.
    ///
    /// # Errors
    /// Never in practice: the automaton of known values is small.
    pub fn new(
        people: &BTreeMap<String, KnownPerson>,
        scrubber: Arc<Scrubber>,
        policy: Policy,
    ) -> Result<LeakScanner> {
        let mut patterns: Vec<String> = Vec::new();
        let mut kinds: Vec<&'static str> = Vec::new();
        // Values the policy allows (a bot account named like a product, say) are not
        // personal data by the operator's decision: the scrubber keeps them, so does this.
        let allowed: Vec<String> = policy
            .allow
            .iter()
            .map(|a| a.trim().to_lowercase())
            .collect();
        let mut push = |value: &str, kind: &'static str| {
            let v = value.trim();
            if v.len() >= MIN_KNOWN_LEN && !allowed.contains(&v.to_lowercase()) {
                patterns.push(v.to_owned());
                kinds.push(kind);
            }
        };
        for (id, p) in people {
            push(id, "account_id");
            if let Some(e) = &p.email {
                push(e, "known_email");
            }
            if let Some(n) = &p.display_name {
                // A one-word name ("admin", "Jira") is too common to search as a value;
                // the detectors' directory pass covers it in free text.
                if n.split_whitespace().count() >= 2 {
                    push(n, "known_name");
                }
            }
        }
        let known = if patterns.is_empty() {
            None
        } else {
            let ac = AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostLongest)
                .build(&patterns)
                .map_err(|e| crate::error::Error::State {
                    path: "leak scan".into(),
                    reason: e.to_string(),
                })?;
            Some((ac, kinds))
        };
        Ok(LeakScanner {
            known,
            known_people: people.len() as u64,
            scrubber,
            policy,
        })
    }

    /// Scans one value; calls `hit` with each kind found.
    fn scan_value(&self, text: &str, free_text: bool, mut hit: impl FnMut(&str)) {
        if let Some((ac, kinds)) = &self.known {
            for m in ac.find_iter(text) {
                let kind = kinds[m.pattern().as_usize()];
                let bytes = text.as_bytes();
                let boundary = |i: Option<&u8>| i.is_none_or(|b| !b.is_ascii_alphanumeric());
                let whole = boundary(m.start().checked_sub(1).and_then(|i| bytes.get(i)))
                    && boundary(bytes.get(m.end()));
                if kind != "known_name" || whole {
                    hit(kind);
                }
            }
        }
        if free_text {
            let found = self.scrubber.scan(text);
            for (kind, n) in found.iter() {
                for _ in 0..n {
                    hit(kind.name());
                }
            }
        }
    }

    /// Scans the batches of one partition object of `table`.
    pub fn scan_batches(
        &self,
        table: Table,
        object: &str,
        batches: &[RecordBatch],
        report: &mut LeakReport,
    ) {
        report.objects_scanned += 1;
        let mut row_base = 0usize;
        for batch in batches {
            report.rows_scanned += batch.num_rows() as u64;
            for (field, col) in batch.schema().fields().iter().zip(batch.columns()) {
                let column = field.name().as_str();
                let free_text = table.free_text_columns().contains(&column)
                    && !matches!(
                        self.policy.action(table.name(), column),
                        ColumnAction::Keep | ColumnAction::Drop | ColumnAction::Pseudonymize
                    );
                let visit = |row: usize, text: &str, report: &mut LeakReport| {
                    report.values_scanned += 1;
                    self.scan_value(text, free_text, |kind| {
                        report.add(object, column, row_base + row, kind);
                    });
                };
                match field.data_type() {
                    DataType::Utf8 => {
                        for (row, v) in col.as_string::<i32>().iter().enumerate() {
                            if let Some(text) = v {
                                visit(row, text, report);
                            }
                        }
                    }
                    DataType::List(inner) if inner.data_type() == &DataType::Utf8 => {
                        let list = col.as_list::<i32>();
                        for row in 0..list.len() {
                            if list.is_valid(row) {
                                let values = list.value(row);
                                for text in values.as_string::<i32>().iter().flatten() {
                                    visit(row, text, report);
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
            row_base += batch.num_rows();
        }
    }

    /// Scans the given partition objects (paths as the run report lists them; others are
    /// ignored), or every partition of every table when `objects` is `None`. One partition
    /// is in memory at a time.
    ///
    /// # Errors
    /// A store or Parquet failure.
    pub async fn scan_warehouse(
        &self,
        warehouse: &Warehouse,
        objects: Option<&[String]>,
    ) -> Result<LeakReport> {
        let writer = warehouse.writer();
        let mut report = LeakReport {
            known_people: self.known_people,
            ..LeakReport::default()
        };
        let mut targets: Vec<(Table, Month)> = Vec::new();
        match objects {
            Some(list) => {
                for obj in list {
                    if let Some(t) = partition_of(&writer, obj)
                        && !targets.contains(&t)
                    {
                        targets.push(t);
                    }
                }
            }
            None => {
                for table in Table::ALL {
                    for month in writer.list_partitions(table.name()).await? {
                        targets.push((table, month));
                    }
                }
            }
        }
        for (table, month) in targets {
            let object = writer.partition_path(table.name(), month).to_string();
            if let Some(batches) = writer.read_partition(table.name(), month).await? {
                self.scan_batches(table, &object, &batches, &mut report);
            }
        }
        Ok(report)
    }
}

/// The table and month of a partition object path.
fn partition_of(writer: &PartitionWriter, object: &str) -> Option<(Table, Month)> {
    Table::ALL.into_iter().find_map(|table| {
        let table_path = writer.table_path(table.name()).to_string();
        let rest = object.strip_prefix(&table_path)?.strip_prefix("/month=")?;
        let month: Month = rest.strip_suffix("/data.parquet")?.parse().ok()?;
        Some((table, month))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::StringArray;
    use arrow::datatypes::{Field, Schema};

    fn scan(policy: Policy, text: &str) -> LeakReport {
        let mut people = BTreeMap::new();
        people.insert(
            "5b10ac8d82e05b22cc7d4ef5".to_owned(),
            KnownPerson {
                display_name: Some("Build Robot".into()),
                email: Some("robot@example.com".into()),
            },
        );
        let scrubber = Arc::new(Scrubber::builder().build().unwrap());
        let scanner = LeakScanner::new(&people, scrubber, policy).unwrap();
        let schema = Arc::new(Schema::new(vec![
            Field::new("body", DataType::Utf8, true),
            Field::new("author", DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(vec![Some(text), None])),
                Arc::new(StringArray::from(vec![
                    Some("psn_x"),
                    Some("5b10ac8d82e05b22cc7d4ef5"),
                ])),
            ],
        )
        .unwrap();
        let mut report = LeakReport::default();
        scanner.scan_batches(
            Table::Comments,
            "comments/month=2025-01/data.parquet",
            &[batch],
            &mut report,
        );
        report
    }

    #[test]
    fn known_values_are_found_in_any_string_column_and_reported_by_place_only() {
        let r = scan(
            Policy::default(),
            "ask build robot, or write to robot@example.com",
        );
        assert_eq!(r.findings.get("known_name"), Some(&1));
        assert_eq!(r.findings.get("known_email"), Some(&1));
        assert_eq!(
            r.findings.get("email"),
            Some(&1),
            "the detectors run on free text"
        );
        // the raw account id in a non-text column
        assert_eq!(r.findings.get("account_id"), Some(&1));
        assert!(
            r.locations
                .iter()
                .any(|l| l.column == "author" && l.row == 1)
        );
        let shown = serde_json::to_string(&r).unwrap();
        assert!(!shown.contains("robot@") && !shown.contains("Build Robot"));
    }

    #[test]
    fn a_name_must_stand_as_whole_words_and_allowed_values_are_not_leaks() {
        let r = scan(Policy::default(), "rebuild robotics");
        assert!(!r.findings.contains_key("known_name"), "{r:?}");
        let policy = Policy {
            allow: vec!["build robot".into()],
            ..Policy::default()
        };
        let r = scan(policy, "ask Build Robot");
        assert!(!r.findings.contains_key("known_name"), "{r:?}");
    }
}
