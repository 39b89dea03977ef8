//! The checks around a sync: the leak scan and its alert, retention, and the audit
//! records they leave — against the simulated Jira and a real local warehouse.

use std::sync::{Arc, Mutex};

use arrow::array::{Array, AsArray, Int64Array, RecordBatch, StringArray};
use jirafe_jira_sim::{Mutation, SimServer};
use jirafe_partition_writer::{Month, PartitionWriter};
use jirafe_pipeline::{
    AuditKind, AuditLog, Config, JobOptions, NoProgress, Warehouse, run_sync_job, verify_privacy,
};
use jirafe_schema::Table;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn sim_and_config(issues: usize, dir: &std::path::Path) -> (SimServer, Config) {
    let (sim, mut cfg) = jirafe_pipeline::simulated_jira(issues).await.unwrap();
    cfg.warehouse.url = Some(dir.to_str().unwrap().to_owned());
    (sim, cfg)
}

async fn sync(cfg: &Config, local: Option<std::path::PathBuf>) -> jirafe_pipeline::JobOutcome {
    let w = Warehouse::open(cfg.warehouse_url().unwrap()).unwrap();
    run_sync_job(
        cfg,
        cfg.jira_client().unwrap(),
        w,
        cfg.hash_key().unwrap(),
        &JobOptions {
            audit_local_copy: local,
        },
        &mut NoProgress,
    )
    .await
    .expect("sync succeeds")
}

fn writer(dir: &std::path::Path) -> PartitionWriter {
    let w = Warehouse::open(dir.to_str().unwrap()).unwrap();
    PartitionWriter::new(w.store.clone(), w.prefix.clone())
}

/// A tiny HTTP endpoint on loopback that records request bodies.
async fn alert_sink() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let seen = bodies.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            loop {
                let n = sock.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf);
                if let Some(split) = text.find("\r\n\r\n") {
                    let len: usize = text
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if buf.len() >= split + 4 + len {
                        seen.lock().unwrap().push(text[split + 4..].to_owned());
                        break;
                    }
                }
            }
            let _ = sock
                .write_all(
                    b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                )
                .await;
        }
    });
    (format!("http://{addr}/alert"), bodies)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_run_scans_clean_and_a_planted_leak_raises_the_alert() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let (sim, mut cfg) = sim_and_config(400, &wh).await;
    let (alert_url, alerts) = alert_sink().await;
    cfg.report.alert_url = Some(alert_url);
    let prom = dir.path().join("metrics/jirafe.prom");
    cfg.report.prometheus_path = Some(prom.clone());
    let local = dir.path().join("audit-local.jsonl");

    let outcome = sync(&cfg, Some(local.clone())).await;
    assert!(outcome.leak.clean(), "{:?}", outcome.leak);
    assert!(outcome.leak.objects_scanned > 10 && outcome.leak.values_scanned > 1000);
    assert!(outcome.leak.known_people > 50);
    assert!(!outcome.privacy_alert());
    assert!(
        alerts.lock().unwrap().is_empty(),
        "no alert for a clean run"
    );
    let text = std::fs::read_to_string(&prom).unwrap();
    assert!(text.contains("jirafe_last_run_success 1\n"));
    assert!(text.contains("jirafe_privacy_alert 0\n"));
    assert!(text.contains("jirafe_last_run_rows{table=\"issues\"}"));

    // On-demand scan of the whole warehouse, with Jira's directory: clean.
    let w = Warehouse::open(wh.to_str().unwrap()).unwrap();
    let options = JobOptions {
        audit_local_copy: Some(local.clone()),
    };
    let (clean, _) = verify_privacy(&cfg, &w, true, &options).await.unwrap();
    assert!(clean.clean(), "{clean:?}");

    // Plant: a known person's name, an email and a card number in one comment.
    let person = sim
        .org()
        .users
        .iter()
        .find(|u| u.display_name.split_whitespace().count() >= 2)
        .unwrap()
        .display_name
        .clone();
    let pw = writer(&wh);
    let month = pw.list_partitions("comments").await.unwrap()[0];
    let batches = pw.read_partition("comments", month).await.unwrap().unwrap();
    let batch = &batches[0];
    let planted = format!("ping {person} at planted.person@example.org, card 4111 1111 1111 1111");
    let body_idx = batch.schema().index_of("body").unwrap();
    let bodies = batch.column(body_idx).as_string::<i32>();
    let new_bodies: StringArray = (0..batch.num_rows())
        .map(|i| {
            if i == 0 {
                Some(planted.clone())
            } else {
                bodies.is_valid(i).then(|| bodies.value(i).to_owned())
            }
        })
        .collect();
    let mut cols = batch.columns().to_vec();
    cols[body_idx] = Arc::new(new_bodies);
    let tampered = RecordBatch::try_new(batch.schema(), cols).unwrap();
    pw.upsert(&Table::Comments.spec().unwrap(), [tampered])
        .await
        .unwrap();

    let (leak, directory) = verify_privacy(&cfg, &w, true, &options).await.unwrap();
    assert_eq!(directory, jirafe_pipeline::ScanDirectory::Jira);
    assert!(!leak.clean());
    assert!(
        leak.findings.get("known_name").copied().unwrap_or(0) >= 1,
        "{leak:?}"
    );
    assert!(
        leak.findings.get("email").copied().unwrap_or(0) >= 1,
        "{leak:?}"
    );
    assert!(
        leak.findings.get("card").copied().unwrap_or(0) >= 1,
        "{leak:?}"
    );
    assert!(
        leak.locations
            .iter()
            .all(|l| l.column == "body" && l.row == 0)
    );
    // Without Jira the detectors still see the email and the card.
    let (detectors_only, dir_none) = verify_privacy(&cfg, &w, false, &options).await.unwrap();
    assert_eq!(dir_none, jirafe_pipeline::ScanDirectory::None);
    assert!(detectors_only.findings.get("card").copied().unwrap_or(0) >= 1);

    // The alert carried counts only.
    let posted = alerts.lock().unwrap().clone();
    assert_eq!(posted.len(), 2, "one POST per scan that found something");
    for body in &posted {
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["alert"], "jirafe_privacy_leak");
        assert!(v["total"].as_u64().unwrap() >= 2);
        assert!(
            !body.contains(&person)
                && !body.contains("planted.person")
                && !body.contains("4111 1111")
        );
    }

    // The audit log holds the sync, its scan and the three on-demand scans, chained.
    let log = AuditLog::new(w.clone(), Some(local));
    let records = log.records().await.unwrap();
    let kinds: Vec<AuditKind> = records.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [
            AuditKind::Sync,
            AuditKind::PrivacyScan,
            AuditKind::PrivacyScan,
            AuditKind::PrivacyScan,
            AuditKind::PrivacyScan
        ]
    );
    assert_eq!(records[3].detail["clean"], false);
    let audit_text = serde_json::to_string(&records).unwrap();
    assert!(!audit_text.contains(&person) && !audit_text.contains("planted.person"));
    assert!(log.verify().await.unwrap().ok());
    sim.shutdown().await;
}

fn month_ids(batches: &[RecordBatch]) -> Vec<i64> {
    batches
        .iter()
        .flat_map(|b| {
            b.column_by_name("id")
                .unwrap()
                .as_any()
                .downcast_ref::<Int64Array>()
                .unwrap()
                .values()
                .to_vec()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_deletes_expired_months_only_and_sync_does_not_bring_them_back() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let (sim, mut cfg) = sim_and_config(600, &wh).await;
    sync(&cfg, None).await;
    let pw = writer(&wh);
    let before = pw.list_partitions("issues").await.unwrap();
    // Keep from the middle of the generated history, whatever today's date is.
    let mut months = before.clone();
    months.sort();
    let keep_from: Month = months[months.len() / 2];
    let mid = time::Date::from_calendar_date(
        i32::from(keep_from.year()),
        time::Month::try_from(keep_from.month()).unwrap(),
        15,
    )
    .unwrap()
    .midnight()
    .assume_utc();
    let now = time::OffsetDateTime::now_utc();
    let days = u32::try_from((now - mid).whole_days()).unwrap();
    cfg.retention.default_days = Some(days);
    cfg.retention.tables.insert("comments".into(), days);

    let w = Warehouse::open(wh.to_str().unwrap()).unwrap();
    let options = JobOptions::default();
    let old_issue = month_ids(
        &pw.read_partition("issues", months[0])
            .await
            .unwrap()
            .unwrap(),
    )[0];

    // Dry run: reported, nothing deleted, nothing audited.
    let dry = jirafe_pipeline::retention_job(&cfg, &w, true, &options)
        .await
        .unwrap();
    assert!(dry.dry_run);
    let expired_issue_months: Vec<String> = dry
        .expired
        .iter()
        .filter(|p| p.table == "issues")
        .map(|p| p.month.clone())
        .collect();
    let expected: Vec<String> = months
        .iter()
        .filter(|m| **m < keep_from)
        .map(ToString::to_string)
        .collect();
    assert_eq!(expired_issue_months, expected);
    assert_eq!(
        pw.list_partitions("issues").await.unwrap().len(),
        before.len()
    );
    let audit = AuditLog::new(w.clone(), None);
    let records_before = audit.records().await.unwrap().len();

    // The real run.
    let done = jirafe_pipeline::retention_job(&cfg, &w, false, &options)
        .await
        .unwrap();
    assert_eq!(done.expired, dry.expired);
    for table in ["issues", "comments", "changelog", "worklogs"] {
        let left = pw.list_partitions(table).await.unwrap();
        assert!(left.iter().all(|m| *m >= keep_from), "{table}: {left:?}");
        assert!(!left.is_empty(), "{table} keeps its recent months");
    }
    // Dimension tables and the audit trail are untouched.
    assert_eq!(pw.list_partitions("projects").await.unwrap().len(), 1);
    let records = audit.records().await.unwrap();
    assert_eq!(records.len(), records_before + 1);
    assert_eq!(records.last().unwrap().kind, AuditKind::Retention);
    assert_eq!(
        records.last().unwrap().detail["expired"]
            .as_array()
            .unwrap()
            .len(),
        done.expired.len()
    );

    // An old issue changes in Jira: the next sync does not resurrect its expired month.
    sim.mutate(Mutation::UpdateSummary {
        issue: old_issue.to_string(),
        summary: "renamed long after".into(),
    })
    .unwrap();
    let outcome = sync(&cfg, None).await;
    assert!(outcome.leak.clean());
    let after = pw.list_partitions("issues").await.unwrap();
    assert!(after.iter().all(|m| *m >= keep_from), "{after:?}");
    for m in after {
        let ids = month_ids(&pw.read_partition("issues", m).await.unwrap().unwrap());
        assert!(!ids.contains(&old_issue));
    }
    sim.shutdown().await;
}
