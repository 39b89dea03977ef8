//! End to end against the simulated Jira: sim → pipeline → warehouse on local disk.
#![allow(clippy::print_stdout)]

use std::collections::{BTreeMap, BTreeSet};

use arrow::array::{Array, AsArray, Int64Array, RecordBatch};
use arrow::datatypes::DataType;
use jirafe_jira_sim::{Faults, Mutation, OrgConfig, PiiKind, SimConfig, SimServer};
use jirafe_partition_writer::PartitionWriter;
use jirafe_pipeline::{Config, NoProgress, RunReport, Sync, Warehouse};
use object_store::path::Path;

const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn config(sim: &SimServer, warehouse: &str) -> Config {
    let c = sim.credentials();
    let vars: Vec<(&str, String)> = vec![
        ("JIRA_BASE_URL", sim.base_url()),
        ("JIRA_EMAIL", c.email),
        ("JIRA_API_TOKEN", c.api_token),
        ("JIRAFE_HASH_KEY", KEY.to_owned()),
        ("JIRAFE_WAREHOUSE", warehouse.to_owned()),
    ];
    let mut cfg = Config::default();
    cfg.apply_env(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))
        .unwrap();
    cfg
}

async fn sync(cfg: &Config) -> RunReport {
    let w = Warehouse::open(cfg.warehouse_url().unwrap()).unwrap();
    let mut s = Sync::new(cfg, cfg.jira_client().unwrap(), w, cfg.hash_key().unwrap()).unwrap();
    s.run(&mut NoProgress).await.expect("sync succeeds")
}

/// Every batch of a table.
async fn table(dir: &std::path::Path, name: &str) -> Vec<RecordBatch> {
    let w = Warehouse::open(dir.to_str().unwrap()).unwrap();
    let pw = PartitionWriter::new(w.store.clone(), Path::default());
    let mut out = Vec::new();
    for m in pw.list_partitions(name).await.unwrap() {
        out.extend(
            pw.read_partition(name, m)
                .await
                .unwrap()
                .unwrap_or_default(),
        );
    }
    out
}

fn ints(batches: &[RecordBatch], col: &str) -> Vec<i64> {
    batches
        .iter()
        .flat_map(|b| {
            let a = b
                .column_by_name(col)
                .unwrap_or_else(|| panic!("column {col}"));
            let a = a
                .as_any()
                .downcast_ref::<Int64Array>()
                .unwrap_or_else(|| panic!("{col} is Int64"));
            a.iter().flatten().collect::<Vec<_>>()
        })
        .collect()
}

/// Every string in every text column (including lists of strings) of every table, with
/// the `table.column` it came from.
async fn all_strings(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for t in jirafe_schema::Table::ALL {
        for b in table(dir, t.name()).await {
            for (field, col) in b.schema().fields().iter().zip(b.columns()) {
                let mut values = Vec::new();
                collect_strings(col.as_ref(), &mut values);
                out.extend(
                    values
                        .into_iter()
                        .map(|v| (format!("{}.{}", t.name(), field.name()), v)),
                );
            }
        }
    }
    out
}

/// Where `needle` is stored, if anywhere.
fn find<'a>(strings: &'a [(String, String)], needle: &str) -> Option<&'a str> {
    strings
        .iter()
        .find(|(_, v)| v.contains(needle))
        .map(|(c, _)| c.as_str())
}

fn collect_strings(a: &dyn Array, out: &mut Vec<String>) {
    match a.data_type() {
        DataType::Utf8 => out.extend(a.as_string::<i32>().iter().flatten().map(str::to_owned)),
        DataType::LargeUtf8 => out.extend(a.as_string::<i64>().iter().flatten().map(str::to_owned)),
        DataType::List(_) => {
            let l = a.as_list::<i32>();
            collect_strings(l.values().as_ref(), out);
        }
        DataType::Struct(_) => {
            for c in a.as_struct().columns() {
                collect_strings(c.as_ref(), out);
            }
        }
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_sync_equals_ground_truth_and_leaks_nothing() {
    let sim = SimServer::start(SimConfig {
        org: OrgConfig::new(11, 800),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&sim, dir.path().to_str().unwrap());
    let report = sync(&cfg).await;
    let org = sim.org();

    // Scope: private project skipped with its reason; security-level issues skipped.
    let private: Vec<_> = org
        .visible_projects()
        .filter(|p| p.is_private)
        .map(|p| p.key.clone())
        .collect();
    assert!(!private.is_empty());
    for key in &private {
        assert!(
            report
                .skipped_projects
                .iter()
                .any(|s| &s.key == key && s.reason == "private"),
            "{key} skipped"
        );
    }
    let collected: BTreeSet<u64> = org
        .visible_projects()
        .filter(|p| !p.is_private)
        .map(|p| p.id)
        .collect();
    let expected: Vec<_> = org
        .visible_issues()
        .filter(|i| collected.contains(&i.project_id) && i.security_level.is_none())
        .collect();
    let skipped_sec = org
        .visible_issues()
        .filter(|i| collected.contains(&i.project_id) && i.security_level.is_some())
        .count();
    assert!(skipped_sec > 0, "the org has restricted issues");
    assert_eq!(
        report
            .skipped_issues
            .get("security_level")
            .copied()
            .unwrap_or(0) as usize,
        skipped_sec
    );

    let issues = table(dir.path(), "issues").await;
    let got: BTreeSet<i64> = ints(&issues, "id").into_iter().collect();
    let want: BTreeSet<i64> = expected.iter().map(|i| i.id as i64).collect();
    assert_eq!(got, want, "issues");
    assert_eq!(ints(&issues, "id").len(), want.len(), "no duplicate issues");

    let child = |name: &'static str, col: &'static str| {
        let dir = dir.path().to_owned();
        async move {
            ints(&table(&dir, name).await, col)
                .into_iter()
                .collect::<BTreeSet<i64>>()
        }
    };
    let want_comments: BTreeSet<i64> = expected
        .iter()
        .flat_map(|i| i.comments.iter().map(|c| c.id as i64))
        .collect();
    assert_eq!(child("comments", "id").await, want_comments, "comments");
    let want_worklogs: BTreeSet<i64> = expected
        .iter()
        .flat_map(|i| i.worklogs.iter().map(|c| c.id as i64))
        .collect();
    assert_eq!(child("worklogs", "id").await, want_worklogs, "worklogs");
    let want_hist: BTreeSet<i64> = expected
        .iter()
        .flat_map(|i| i.histories.iter().map(|c| c.id as i64))
        .collect();
    assert_eq!(
        child("changelog", "history_id").await,
        want_hist,
        "changelog histories"
    );

    // Nothing raw at rest: no display name, email, account id or planted value.
    let strings = all_strings(dir.path()).await;
    for u in &org.users {
        assert_eq!(find(&strings, &u.account_id), None, "raw account id stored");
        // App accounts ("GitHub for Jira") are bots, not people: their names are not personal.
        if u.account_type != jirafe_jira_sim::AccountType::App {
            assert_eq!(
                find(&strings, &u.display_name),
                None,
                "display name of a person stored"
            );
        }
        if let Some(e) = &u.email {
            assert_eq!(find(&strings, e), None, "email stored");
        }
    }
    let stored_issue_ids: BTreeSet<u64> = want.iter().map(|&i| i as u64).collect();
    let mut leaks: BTreeMap<String, usize> = BTreeMap::new();
    let mut planted: BTreeMap<String, usize> = BTreeMap::new();
    for p in org
        .planted
        .iter()
        .filter(|p| stored_issue_ids.contains(&p.location.issue_id))
    {
        *planted.entry(format!("{:?}", p.kind)).or_default() += 1;
        if let Some(col) = find(&strings, &p.value) {
            *leaks.entry(format!("{:?} in {col}", p.kind)).or_default() += 1;
        }
    }
    println!(
        "planted in stored issues: {planted:?}\nleaked: {leaks:?}\nreport findings: {:?}",
        report.pii_findings
    );
    assert!(
        planted.len() >= PiiKind::ALL.len() - 2,
        "planted values of (nearly) every kind reached the warehouse path"
    );
    // Names of people who are not Jira users (customers) are found by gazetteer and
    // context, which cannot be complete; every other kind must never survive.
    let customer_leaks: usize = leaks
        .iter()
        .filter(|(k, _)| k.starts_with("CustomerName"))
        .map(|(_, n)| n)
        .sum();
    leaks.retain(|k, _| !k.starts_with("CustomerName"));
    assert!(leaks.is_empty(), "planted PII survived: {leaks:?}");
    let customers = planted.get("CustomerName").copied().unwrap_or(0).max(1);
    let recall = 1.0 - customer_leaks as f64 / customers as f64;
    println!("non-user (customer) name recall in the warehouse: {recall:.2}");
    assert!(recall >= 0.5, "non-user name recall fell to {recall:.2}");
    assert!(report.pii_findings.total() > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rerun_changes_nothing_and_incremental_equals_fresh() {
    let sim = SimServer::start(SimConfig {
        org: OrgConfig::new(5, 300),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&sim, dir.path().to_str().unwrap());
    sync(&cfg).await;
    let again = sync(&cfg).await;
    assert!(
        again
            .objects_written
            .iter()
            .all(|o| !o.path.starts_with("issues/")),
        "re-run rewrote issues: {:?}",
        again.objects_written
    );

    // Mutate: rename, comment, delete one issue, create one.
    let org = sim.org();
    let mut vis = org
        .visible_issues()
        .filter(|i| i.security_level.is_none() && !org.project(i.project_id).unwrap().is_private);
    let a = vis.next().unwrap().key.clone();
    let b = vis.next().unwrap().key.clone();
    let project = org
        .project(org.issue(&a).unwrap().project_id)
        .unwrap()
        .key
        .clone();
    sim.mutate(Mutation::UpdateSummary {
        issue: a.clone(),
        summary: "Renamed after the first run".into(),
    })
    .unwrap();
    sim.mutate(Mutation::AddComment {
        issue: a.clone(),
        body: jirafe_jira_sim::RichText::paragraph("late comment"),
    })
    .unwrap();
    sim.mutate(Mutation::DeleteIssue { issue: b.clone() })
        .unwrap();
    // A deleted worklog: the issue is re-read, and its old worklog row must go.
    let with_worklog = org
        .visible_issues()
        .find(|i| {
            i.security_level.is_none()
                && !org.project(i.project_id).unwrap().is_private
                && !i.worklogs.is_empty()
                && i.key != a
                && i.key != b
        })
        .expect("an issue with a worklog")
        .clone();
    sim.mutate(Mutation::DeleteWorklog {
        issue: with_worklog.key.clone(),
        worklog_id: with_worklog.worklogs[0].id,
    })
    .unwrap();
    sim.mutate(Mutation::CreateIssue {
        project,
        issue_type: "Task".into(),
        summary: "Brand new".into(),
    })
    .unwrap();
    let inc = sync(&cfg).await;
    assert_eq!(
        inc.removed_issues.values().sum::<u64>(),
        1,
        "{:?}",
        inc.removed_issues
    );

    let fresh_dir = tempfile::tempdir().unwrap();
    sync(&config(&sim, fresh_dir.path().to_str().unwrap())).await;
    for t in [
        "issues",
        "comments",
        "worklogs",
        "changelog",
        "issue_custom_fields",
        "issue_links",
        "attachments",
    ] {
        let mut x = ints(
            &table(dir.path(), t).await,
            if t == "changelog" {
                "history_id"
            } else {
                "issue_id_or_id"
            }
            .replace(
                "issue_id_or_id",
                if t == "issues" { "id" } else { "issue_id" },
            )
            .as_str(),
        );
        let mut y = ints(
            &table(fresh_dir.path(), t).await,
            if t == "changelog" {
                "history_id"
            } else if t == "issues" {
                "id"
            } else {
                "issue_id"
            },
        );
        x.sort_unstable();
        y.sort_unstable();
        assert_eq!(x, y, "table {t}: incremental differs from fresh");
    }
    let gone_worklog = with_worklog.worklogs[0].id as i64;
    assert!(
        !ints(&table(dir.path(), "worklogs").await, "id").contains(&gone_worklog),
        "deleted worklog still stored"
    );
    assert!(!ints(&table(fresh_dir.path(), "worklogs").await, "id").contains(&gone_worklog));
    let deletions = table(dir.path(), "deletions").await;
    let b_id = org.issue(&b).unwrap().id as i64;
    assert_eq!(ints(&deletions, "issue_id"), vec![b_id]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_and_rate_limits_give_the_same_warehouse() {
    let org = OrgConfig::new(9, 250);
    let calm = SimServer::start(SimConfig {
        org: org.clone(),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let stormy = SimServer::start(SimConfig {
        org,
        faults: Faults {
            rate_limit_every: Some(10),
            retry_after_secs: 1,
            server_error_every: Some(10),
            truncate_every: Some(13),
            latency: None,
        },
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    sync(&config(&calm, d1.path().to_str().unwrap())).await;
    let r = sync(&config(&stormy, d2.path().to_str().unwrap())).await;
    assert!(r.retries > 0);
    for t in jirafe_schema::Table::ALL {
        let name = t.name();
        if name == "users" {
            continue;
        }
        let a = table(d1.path(), name).await;
        let b = table(d2.path(), name).await;
        assert_eq!(a, b, "table {name} differs under faults");
    }
}
