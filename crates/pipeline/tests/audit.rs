//! The audit chain: every kind of tampering is detected and named.

use jirafe_pipeline::{AuditEntry, AuditKind, AuditLog, AuditRecord, Warehouse};
use object_store::path::Path;
use object_store::{ObjectStoreExt, PutPayload};

fn entry(n: u64) -> AuditEntry {
    AuditEntry {
        kind: AuditKind::Sync,
        runner: Some("psn_runner".into()),
        config_digest: Some("cfg".into()),
        detail: serde_json::json!({ "rows": { "issues": n } }),
    }
}

fn name(seq: u64) -> Path {
    Path::from(format!("_audit/{seq:012}.jsonl"))
}

/// A warehouse on disk with `n` records, and its local copy.
async fn chain(n: u64) -> (tempfile::TempDir, Warehouse, AuditLog) {
    let dir = tempfile::tempdir().unwrap();
    let w = Warehouse::open(dir.path().join("wh").to_str().unwrap()).unwrap();
    let log = AuditLog::new(w.clone(), Some(dir.path().join("local/audit.jsonl")));
    for i in 1..=n {
        let r = log.append(entry(i)).await.unwrap();
        assert_eq!(r.seq, i);
    }
    (dir, w, log)
}

async fn get(w: &Warehouse, seq: u64) -> Vec<u8> {
    w.store
        .get(&name(seq))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec()
}

async fn put(w: &Warehouse, seq: u64, bytes: Vec<u8>) {
    w.store
        .put(&name(seq), PutPayload::from(bytes))
        .await
        .unwrap();
}

fn without_local(w: &Warehouse) -> AuditLog {
    AuditLog::new(w.clone(), None)
}

#[tokio::test]
async fn an_untouched_chain_verifies_and_links_each_record_to_the_last() {
    let (_d, w, log) = chain(5).await;
    let v = log.verify().await.unwrap();
    assert!(v.ok(), "{v:?}");
    assert_eq!((v.records, v.local_records_checked), (5, 5));
    let records = log.records().await.unwrap();
    assert_eq!(records[0].prev, jirafe_pipeline::audit::GENESIS);
    for pair in records.windows(2) {
        let line = serde_json::to_vec(&pair[0]).unwrap();
        assert_eq!(pair[1].prev, jirafe_pipeline::audit::sha256_hex(&line));
    }
    // Each object is one JSON line: `cat _audit/*.jsonl` is the log.
    let raw = get(&w, 3).await;
    assert_eq!(raw.iter().filter(|&&b| b == b'\n').count(), 1);
    assert!(raw.ends_with(b"\n"));
}

#[tokio::test]
async fn an_edited_record_is_detected_at_the_next_link() {
    let (_d, w, _log) = chain(5).await;
    let edited = String::from_utf8(get(&w, 3).await)
        .unwrap()
        .replace("\"issues\":3", "\"issues\":30");
    put(&w, 3, edited.into_bytes()).await;
    let v = without_local(&w).verify().await.unwrap();
    let b = v.first_break.expect("edit detected");
    assert!(b.object.ends_with("000000000004.jsonl"), "{b:?}");
    assert!(b.reason.contains("record 3 was edited") || b.reason.contains("hash of record 3"));
    assert_eq!(v.records, 3);
}

#[tokio::test]
async fn an_edited_last_record_is_detected_by_the_local_copy() {
    let (_d, w, log) = chain(3).await;
    let edited = String::from_utf8(get(&w, 3).await)
        .unwrap()
        .replace("\"issues\":3", "\"issues\":4");
    put(&w, 3, edited.into_bytes()).await;
    assert!(
        without_local(&w).verify().await.unwrap().ok(),
        "chain alone cannot see it"
    );
    let b = log
        .verify()
        .await
        .unwrap()
        .first_break
        .expect("local copy sees it");
    assert!(b.object.ends_with("000000000003.jsonl"));
    assert!(b.reason.contains("changed"));
}

#[tokio::test]
async fn a_deleted_record_is_detected() {
    let (_d, w, _log) = chain(5).await;
    w.store.delete(&name(2)).await.unwrap();
    let b = without_local(&w)
        .verify()
        .await
        .unwrap()
        .first_break
        .expect("gap");
    assert!(b.object.ends_with("000000000003.jsonl"));
    assert!(b.reason.contains("record 2 is missing"), "{b:?}");
}

#[tokio::test]
async fn a_deleted_tail_is_detected_by_the_local_copy() {
    let (_d, w, log) = chain(4).await;
    w.store.delete(&name(4)).await.unwrap();
    let b = log
        .verify()
        .await
        .unwrap()
        .first_break
        .expect("tail removal");
    assert!(b.object.ends_with("000000000004.jsonl"));
    assert!(b.reason.contains("removed"));
}

#[tokio::test]
async fn an_inserted_record_is_detected() {
    let (_d, w, _log) = chain(4).await;
    // Shift 3 and 4 up, and forge a new 3 that links correctly to 2.
    let (r3, r4) = (get(&w, 3).await, get(&w, 4).await);
    put(&w, 5, r4).await;
    put(&w, 4, r3.clone()).await;
    let prev = jirafe_pipeline::audit::sha256_hex(get(&w, 2).await.strip_suffix(b"\n").unwrap());
    let mut forged: AuditRecord = serde_json::from_slice(&r3).unwrap();
    forged.prev = prev;
    forged.detail = serde_json::json!({ "rows": { "issues": 999 } });
    let mut line = serde_json::to_vec(&forged).unwrap();
    line.push(b'\n');
    put(&w, 3, line).await;
    let b = without_local(&w)
        .verify()
        .await
        .unwrap()
        .first_break
        .expect("insert");
    assert!(b.object.ends_with("000000000004.jsonl"), "{b:?}");

    // Even with the moved records renumbered inside, the link after the forgery breaks.
    let mut moved: AuditRecord = serde_json::from_slice(&get(&w, 4).await).unwrap();
    moved.seq = 4;
    let mut line = serde_json::to_vec(&moved).unwrap();
    line.push(b'\n');
    put(&w, 4, line).await;
    let b = without_local(&w)
        .verify()
        .await
        .unwrap()
        .first_break
        .expect("insert");
    assert!(b.object.ends_with("000000000004.jsonl"), "{b:?}");
    assert!(b.reason.contains("prev does not match"), "{b:?}");
}

#[tokio::test]
async fn reordered_records_are_detected() {
    let (_d, w, _log) = chain(4).await;
    let (r2, r3) = (get(&w, 2).await, get(&w, 3).await);
    put(&w, 2, r3).await;
    put(&w, 3, r2).await;
    let b = without_local(&w)
        .verify()
        .await
        .unwrap()
        .first_break
        .expect("swap");
    assert!(b.object.ends_with("000000000002.jsonl"), "{b:?}");
}

#[tokio::test]
async fn a_rewritten_chain_is_detected_by_the_local_copy() {
    let (_d, w, log) = chain(3).await;
    // Rebuild a whole new, internally consistent chain over the same numbers.
    for seq in 1..=3 {
        w.store.delete(&name(seq)).await.unwrap();
    }
    let forger = without_local(&w);
    for i in 1..=3 {
        forger.append(entry(i * 100)).await.unwrap();
    }
    assert!(forger.verify().await.unwrap().ok());
    let b = log.verify().await.unwrap().first_break.expect("rewrite");
    assert!(b.reason.contains("changed"), "{b:?}");
}

#[tokio::test]
async fn garbage_in_the_audit_folder_is_reported() {
    let (_d, w, _log) = chain(2).await;
    w.store
        .put(
            &Path::from("_audit/notes.txt"),
            PutPayload::from_static(b"hi"),
        )
        .await
        .unwrap();
    let b = without_local(&w)
        .verify()
        .await
        .unwrap()
        .first_break
        .expect("foreign");
    assert!(b.object.ends_with("notes.txt"));
    w.store
        .delete(&Path::from("_audit/notes.txt"))
        .await
        .unwrap();
    put(&w, 1, b"{not json\n".to_vec()).await;
    let b = without_local(&w)
        .verify()
        .await
        .unwrap()
        .first_break
        .expect("bad json");
    assert!(b.object.ends_with("000000000001.jsonl"));
    assert!(b.reason.contains("not a single valid JSON record"));
}

#[tokio::test]
async fn concurrent_appends_never_share_a_number() {
    let dir = tempfile::tempdir().unwrap();
    let w = Warehouse::open(dir.path().to_str().unwrap()).unwrap();
    let mut tasks = Vec::new();
    for t in 0..4u64 {
        let log = AuditLog::new(w.clone(), None);
        tasks.push(tokio::spawn(async move {
            for i in 0..5 {
                log.append(entry(t * 10 + i)).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let v = AuditLog::new(w.clone(), None).verify().await.unwrap();
    assert!(v.ok(), "{v:?}");
    assert_eq!(v.records, 20);
}
