//! Schema stability: every table's schema, keys and partitioning, as a snapshot. A change
//! here is a warehouse migration — review it as one.

use std::fmt::Write as _;

use arrow::datatypes::{DataType, TimeUnit};
use jirafe_partition_writer::PARTITION_COLUMN;
use jirafe_schema::{Table, table_specs};

#[test]
fn schemas_are_stable() {
    let mut out = String::new();
    for table in Table::ALL {
        let _ = writeln!(out, "## {table}");
        let _ = writeln!(out, "primary key: {:?}", table.primary_key());
        let _ = writeln!(out, "month: {}", table.month_column());
        let _ = writeln!(out, "version: {:?}", table.version_column());
        let _ = writeln!(out, "owner: {:?}", table.owner_column());
        for f in table.schema().fields() {
            let null = if f.is_nullable() { "" } else { " NOT NULL" };
            let _ = writeln!(out, "  {}: {}{null}", f.name(), f.data_type());
        }
        out.push('\n');
    }
    insta::assert_snapshot!(out);
}

#[test]
fn every_spec_builds_and_matches_its_schema() {
    let specs = table_specs().expect("the partition writer accepts every table");
    assert_eq!(specs.len(), Table::ALL.len());
    for (spec, table) in specs.iter().zip(Table::ALL) {
        assert_eq!(spec.name(), table.name());
        assert_eq!(spec.schema(), &table.schema());
        assert_eq!(spec.month_column(), table.month_column());
        assert_eq!(spec.version_column(), table.version_column());
        assert_eq!(spec.owner_column(), table.owner_column());
    }
}

#[test]
fn conventions_hold_for_every_table() {
    let ts = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    for table in Table::ALL {
        let schema = table.schema();
        assert!(schema.field_with_name(PARTITION_COLUMN).is_err(), "{table}");
        for f in schema.fields() {
            // Instants are UTC microseconds; ids are Int64.
            if let DataType::Timestamp(..) = f.data_type() {
                assert_eq!(f.data_type(), &ts, "{table}.{}", f.name());
            }
            let name = f.name();
            if (name == "id" && table != Table::Fields)
                || name.ends_with("_id") && !name.starts_with("field") && name != "global_id"
            {
                assert_eq!(f.data_type(), &DataType::Int64, "{table}.{name}");
            }
        }
        for key in table.primary_key() {
            assert!(
                !schema.field_with_name(key).unwrap().is_nullable(),
                "{table}.{key}"
            );
        }
        assert!(
            !schema
                .field_with_name(table.month_column())
                .unwrap()
                .is_nullable(),
            "{table}"
        );
        if table.is_issue_child() {
            assert_eq!(table.owner_column(), Some("issue_id"));
            assert_eq!(table.month_column(), "issue_created");
        }
        assert_eq!(table.name().parse::<Table>().ok(), Some(table));
    }
    assert_eq!(
        Table::Deletions.owner_column(),
        None,
        "a deletion record survives its cascade"
    );
}
