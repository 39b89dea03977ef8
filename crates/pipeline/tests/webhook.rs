//! `jirafe serve`'s path end to end: signed deliveries → journal → re-fetch from the
//! simulated Jira → scrubbed rows in the warehouse, deletions confirmed, batches audited.

use std::time::{Duration, Instant};

use arrow::array::{Array, AsArray, Int64Array, RecordBatch};
use jirafe_jira_sim::Mutation;
use jirafe_partition_writer::PartitionWriter;
use jirafe_pipeline::{
    AuditKind, AuditLog, Config, JobOptions, NoProgress, Warehouse, WebhookProcessor, run_sync_job,
};
use jirafe_webhook::{Receiver, WebhookSecret};

const SECRET: &str = "an-admin-chosen-webhook-secret-0123456789";

async fn all_rows(pw: &PartitionWriter, table: &str) -> Vec<RecordBatch> {
    let mut out = Vec::new();
    for m in pw.list_partitions(table).await.unwrap() {
        out.extend(
            pw.read_partition(table, m)
                .await
                .unwrap()
                .unwrap_or_default(),
        );
    }
    out
}

/// (id, key, summary) of every stored issue.
async fn issues(pw: &PartitionWriter) -> Vec<(i64, String, String)> {
    let mut out = Vec::new();
    for b in all_rows(pw, "issues").await {
        let ids = b
            .column_by_name("id")
            .unwrap()
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap()
            .clone();
        let keys = b.column_by_name("key").unwrap().as_string::<i32>().clone();
        let sums = b
            .column_by_name("summary")
            .unwrap()
            .as_string::<i32>()
            .clone();
        for i in 0..b.num_rows() {
            out.push((
                ids.value(i),
                keys.value(i).to_owned(),
                if sums.is_valid(i) {
                    sums.value(i).to_owned()
                } else {
                    String::new()
                },
            ));
        }
    }
    out
}

async fn deletion_reasons(pw: &PartitionWriter) -> Vec<(i64, String)> {
    let mut out = Vec::new();
    for b in all_rows(pw, "deletions").await {
        let ids = b
            .column_by_name("issue_id")
            .unwrap()
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap()
            .clone();
        let reasons = b
            .column_by_name("reason")
            .unwrap()
            .as_string::<i32>()
            .clone();
        for i in 0..b.num_rows() {
            out.push((ids.value(i), reasons.value(i).to_owned()));
        }
    }
    out
}

async fn deliver(base: &str, delivery: &str, body: serde_json::Value) -> u16 {
    let body = serde_json::to_vec(&body).unwrap();
    let sig = WebhookSecret::new(SECRET).unwrap().sign(&body);
    reqwest::Client::new()
        .post(format!("{base}/webhooks/jira"))
        .header("content-type", "application/json")
        .header("X-Hub-Signature", sig)
        .header("X-Atlassian-Webhook-Identifier", delivery)
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_reach_the_warehouse_scrubbed_and_deletions_are_confirmed() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let (sim, mut cfg) = jirafe_pipeline::simulated_jira(300).await.unwrap();
    cfg.warehouse.url = Some(wh.to_str().unwrap().to_owned());
    let w = Warehouse::open(wh.to_str().unwrap()).unwrap();
    run_sync_job(
        &cfg,
        cfg.jira_client().unwrap(),
        w.clone(),
        cfg.hash_key().unwrap(),
        &JobOptions::default(),
        &mut NoProgress,
    )
    .await
    .unwrap();
    let pw = PartitionWriter::new(w.store.clone(), w.prefix.clone());
    let stored = issues(&pw).await;
    let (changed_id, changed_key, _) = stored[0].clone();
    let (gone_id, gone_key, _) = stored[1].clone();

    // The receiver on loopback, with the real processor.
    let cfg: &'static Config = Box::leak(Box::new(cfg));
    let processor = WebhookProcessor::new(
        cfg,
        cfg.jira_client().unwrap(),
        w.clone(),
        cfg.hash_key().unwrap(),
        None,
    )
    .unwrap();
    let receiver = Receiver::builder(dir.path().join("journal"))
        .with_secret(WebhookSecret::new(SECRET).unwrap())
        .with_batch_linger(Duration::from_millis(20))
        .build(processor)
        .unwrap();
    let health = receiver.health_handle();
    let (router, worker) = receiver.into_parts();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stop_rx.await;
            })
            .await
    });
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(worker.run_until(async {
        let _ = done_rx.await;
    }));

    // Jira changes: a summary now holds a phone number and an email; an issue is deleted.
    sim.mutate(Mutation::UpdateSummary {
        issue: changed_id.to_string(),
        summary: "Call +44 20 7946 0958 or mail ops.lead@example.org".into(),
    })
    .unwrap();
    sim.mutate(Mutation::DeleteIssue {
        issue: gone_id.to_string(),
    })
    .unwrap();
    // The payload's content is not trusted: a lie in the summary never reaches the table.
    let updated = serde_json::json!({
        "webhookEvent": "jira:issue_updated",
        "issue": { "id": changed_id.to_string(), "key": changed_key,
                   "fields": { "summary": "PAYLOAD TEXT alice@example.com" } }
    });
    assert_eq!(deliver(&base, "delivery-1", updated.clone()).await, 202);
    assert_eq!(
        deliver(&base, "delivery-1", updated).await,
        202,
        "a retry is acknowledged"
    );
    let deleted = serde_json::json!({
        "webhookEvent": "jira:issue_deleted",
        "issue": { "id": gone_id.to_string(), "key": gone_key }
    });
    assert_eq!(deliver(&base, "delivery-2", deleted).await, 202);
    // An issue id that exists but was never deleted in Jira: a lying "deleted" event
    // removes nothing.
    let (kept_id, kept_key, _) = stored[2].clone();
    let lie = serde_json::json!({
        "webhookEvent": "jira:issue_deleted",
        "issue": { "id": kept_id.to_string(), "key": kept_key }
    });
    assert_eq!(deliver(&base, "delivery-3", lie).await, 202);

    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let h = health.get();
        if h.processed_total >= 3 && h.queue_depth == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "not processed in time: {h:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let now = issues(&pw).await;
    let summary = &now.iter().find(|(id, ..)| *id == changed_id).unwrap().2;
    assert!(
        summary.contains("[PHONE]") && summary.contains("[EMAIL]"),
        "{summary}"
    );
    assert!(!summary.contains("7946") && !summary.contains("ops.lead"));
    assert!(
        !summary.contains("PAYLOAD"),
        "content comes from Jira, not the payload"
    );
    assert!(
        now.iter().all(|(id, ..)| *id != gone_id),
        "deleted issue removed"
    );
    assert!(
        now.iter().any(|(id, ..)| *id == kept_id),
        "a false deletion removes nothing"
    );
    let reasons = deletion_reasons(&pw).await;
    assert!(
        reasons.contains(&(gone_id, "deleted".to_owned())),
        "{reasons:?}"
    );
    assert!(!reasons.iter().any(|(id, _)| *id == kept_id));
    let gone_comments = all_rows(&pw, "comments").await.iter().all(|b| {
        let ids = b
            .column_by_name("issue_id")
            .unwrap()
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap()
            .clone();
        (0..b.num_rows()).all(|i| ids.value(i) != gone_id)
    });
    assert!(gone_comments, "the deleted issue's comments went with it");

    let log = AuditLog::new(w.clone(), None);
    let records = log.records().await.unwrap();
    assert!(records.iter().any(|r| r.kind == AuditKind::WebhookBatch));
    assert!(log.verify().await.unwrap().ok());
    let audit_text = serde_json::to_string(&records).unwrap();
    // (Whole values: a short digit run could appear by chance inside a SHA-256.)
    assert!(!audit_text.contains("ops.lead@example.org") && !audit_text.contains("7946 0958"));

    // Shut down (HTTP, then the worker). How the HTTP task ends is not under test here.
    let _ = stop_tx.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), server).await;
    let _ = done_tx.send(());
    worker.await.unwrap();
    sim.shutdown().await;
}
