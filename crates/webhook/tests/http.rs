//! The receiver over real loopback HTTP: every accept/reject rule, hostile input, dedup,
//! retries, back-pressure, health, and that nothing lands outside the data directory.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use common::{Recorder, SECRET, Server, issue_body, secret};
use jirafe_webhook::{EventKind, Receiver};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn tree(root: &Path) -> BTreeSet<PathBuf> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeSet<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in rd.flatten() {
            let p = entry.path();
            if p.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            out.insert(p.strip_prefix(root).unwrap().to_path_buf());
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                walk(&p, root, out);
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(root, root, &mut out);
    out
}

/// The hostile cases of the issue, each answered 400 with nothing journalled.
fn hostile_bodies() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let keys = [
        "../../etc/passwd",
        "..%2F..",
        "..%2F..%2Fetc%2Fpasswd",
        "/etc/passwd",
        "/tmp/x",
        "C:\\Windows\\win.ini",
        "\\\\server\\share",
        "TEST-1\n",
        "TEST-1\r\n",
        "TEST-1\r",
        "TEST-1\0",
        "TEST-١",   // Arabic-Indic digit one
        "TEST-١٢٣", // Arabic-Indic
        "TEST-१",   // Devanagari one
        "TEST-१२३", // Devanagari
        "А-1",      // Cyrillic capital A
        "TEЅT-1",   // Cyrillic DZE lookalike
        "A_B-1",
        "a-1",
        "TEST 1",
        "TEST-",
        "-1",
        "",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456-1", // 33-letter project key
        "TEST-1234567890123",                  // 13-digit number
        &format!("{}-1", "A".repeat(10_000)),
    ];
    for key in keys {
        out.push((
            format!("key {key:?}"),
            issue_body("jira:issue_updated", "10001", key),
        ));
    }
    let ids = [
        "../1",
        "/etc/passwd",
        "1/../../2",
        "١٢٣",
        "१२३",
        "1\n",
        "-1",
        "+1",
        "0",
        "01",
        "1.0",
        "0x10",
        "12345678901234567890",
        "99999999999999999999999999",
        "",
    ];
    for id in ids {
        out.push((
            format!("id {id:?}"),
            issue_body("jira:issue_updated", id, "TEST-1"),
        ));
    }
    for event in [
        "../../etc/passwd",
        "jira:issue_updated/../../x",
        "..",
        "jira:issue_updated\n",
        "JIRA:ISSUE_UPDATED",
        "",
        &"a".repeat(65),
    ] {
        out.push((
            format!("webhookEvent {event:?}"),
            issue_body(event, "10001", "TEST-1"),
        ));
    }
    let raw: &[(&str, &str)] = &[
        ("not json", "this is not json"),
        ("empty", ""),
        ("array", r#"[{"webhookEvent":"jira:issue_updated"}]"#),
        ("number", "42"),
        ("null", "null"),
        (
            "truncated",
            r#"{"webhookEvent":"jira:issue_updated","issue":{"id":"1","key":"A-1""#,
        ),
        (
            "missing webhookEvent",
            r#"{"issue":{"id":"1","key":"A-1"}}"#,
        ),
        (
            "null webhookEvent",
            r#"{"webhookEvent":null,"issue":{"id":"1","key":"A-1"}}"#,
        ),
        (
            "number webhookEvent",
            r#"{"webhookEvent":1,"issue":{"id":"1","key":"A-1"}}"#,
        ),
        ("missing issue", r#"{"webhookEvent":"jira:issue_updated"}"#),
        (
            "null issue",
            r#"{"webhookEvent":"jira:issue_updated","issue":null}"#,
        ),
        (
            "empty issue",
            r#"{"webhookEvent":"jira:issue_updated","issue":{}}"#,
        ),
        (
            "string issue",
            r#"{"webhookEvent":"jira:issue_updated","issue":"TEST-1"}"#,
        ),
        (
            "null id",
            r#"{"webhookEvent":"jira:issue_updated","issue":{"id":null,"key":"A-1"}}"#,
        ),
        (
            "missing id",
            r#"{"webhookEvent":"jira:issue_updated","issue":{"key":"A-1"}}"#,
        ),
        (
            "null key",
            r#"{"webhookEvent":"jira:issue_updated","issue":{"id":"1","key":null}}"#,
        ),
        (
            "missing key",
            r#"{"webhookEvent":"jira:issue_updated","issue":{"id":"1"}}"#,
        ),
        (
            "float id",
            r#"{"webhookEvent":"jira:issue_updated","issue":{"id":1.0,"key":"A-1"}}"#,
        ),
        (
            "negative id",
            r#"{"webhookEvent":"jira:issue_updated","issue":{"id":-5,"key":"A-1"}}"#,
        ),
        (
            "bool id",
            r#"{"webhookEvent":"jira:issue_updated","issue":{"id":true,"key":"A-1"}}"#,
        ),
        (
            "duplicate id",
            r#"{"webhookEvent":"jira:issue_updated","issue":{"id":"1","id":"2","key":"A-1"}}"#,
        ),
        (
            "null worklog",
            r#"{"webhookEvent":"worklog_updated","worklog":null}"#,
        ),
        (
            "worklog bad id",
            r#"{"webhookEvent":"worklog_updated","worklog":{"issueId":"../7"}}"#,
        ),
        (
            "link null ids",
            r#"{"webhookEvent":"issuelink_created","issueLink":{"sourceIssueId":null,"destinationIssueId":null}}"#,
        ),
        (
            "project event",
            r#"{"webhookEvent":"project_created","project":{"id":1,"key":"DTP"}}"#,
        ),
        (
            "escaped key newline",
            r#"{"webhookEvent":"jira:issue_updated","issue":{"id":"1","key":"TEST-1\u000a"}}"#,
        ),
        (
            "trailing garbage",
            r#"{"webhookEvent":"jira:issue_updated","issue":{"id":"1","key":"A-1"}}x"#,
        ),
    ];
    for (name, body) in raw {
        out.push(((*name).to_owned(), body.as_bytes().to_vec()));
    }
    out
}

#[tokio::test]
async fn hostile_input_is_refused_and_nothing_lands_outside_the_data_dir() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let cwd = std::env::current_dir().unwrap();
    let root_before = tree(root.path());
    let cwd_before = tree(&cwd);

    let rec = Arc::new(Recorder::default());
    let srv = Server::start(Receiver::builder(&data).with_secret(secret()), rec.clone()).await;
    let hostile = hostile_bodies();
    for (name, body) in &hostile {
        let (status, text) = srv.post_signed(body).await;
        assert_eq!(status, 400, "{name}: {text}");
        assert!(text.starts_with(r#"{"error":""#), "{name}: {text}");
        // The answer never echoes the payload.
        assert!(
            !text.contains("etc") && !text.contains("ZQXJ"),
            "{name}: {text}"
        );
    }
    // Hostile URLs: raw HTTP so no client normalises them.
    for target in [
        "/webhooks/jira/../jira",
        "/webhooks/../webhooks/jira",
        "/webhooks/jira/..%2F..%2Fetc%2Fpasswd",
        "/webhooks/jira%2F..%2F..",
        "//etc/passwd",
        "/../../etc/passwd",
    ] {
        let body = issue_body("jira:issue_updated", "10001", "TEST-1");
        let status = raw_post(srv.addr(), target, &body).await;
        assert!(status == 404 || status == 400, "{target}: {status}");
    }
    // One good delivery so the journal exists.
    let (status, _) = srv
        .post_signed(&issue_body("jira:issue_created", "10002", "TEST-2"))
        .await;
    assert_eq!(status, 202);
    srv.wait_processed(1).await;
    assert_eq!(rec.issue_ids(), vec![10002]);
    let h = srv.health.get();
    assert_eq!(h.accepted_total, 1);
    assert!(h.rejected_total >= hostile.len() as u64);
    srv.shutdown().await;

    // Only the data directory and its own files are new; the working directory is as it was.
    let new: Vec<PathBuf> = tree(root.path())
        .difference(&root_before)
        .cloned()
        .collect();
    let allowed: BTreeSet<PathBuf> = ["data", "data/journal.log"]
        .iter()
        .map(PathBuf::from)
        .collect();
    for p in &new {
        assert!(allowed.contains(p), "unexpected path {p:?}");
    }
    assert_eq!(tree(&cwd), cwd_before, "the working directory changed");
    // The journal holds ids only: no key, no summary, no event name.
    let journal = std::fs::read_to_string(data.join("journal.log")).unwrap();
    assert!(!journal.contains("TEST-") && !journal.contains("ZQXJ") && !journal.contains("jira:"));
    for line in journal.lines() {
        assert!(
            line.is_ascii() && matches!(line.as_bytes().first(), Some(b'H' | b'E' | b'P' | b'K')),
            "{line:?}"
        );
    }
}

async fn raw_post(addr: &str, target: &str, body: &[u8]) -> u16 {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let sig = secret().sign(body);
    let head = format!(
        "POST {target} HTTP/1.1\r\nhost: {addr}\r\nx-hub-signature: {sig}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(body).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out);
    text.split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn signatures_are_checked_before_parsing() {
    let root = tempfile::tempdir().unwrap();
    let rec = Arc::new(Recorder::default());
    let srv = Server::start(
        Receiver::builder(root.path().join("d")).with_secret(secret()),
        rec.clone(),
    )
    .await;
    let body = issue_body("jira:issue_updated", "10001", "TEST-1");
    let good = secret().sign(&body);
    let other_body = secret().sign(b"{\"different\":true}");
    let other_secret = jirafe_webhook::WebhookSecret::new("another-secret-0123456789abcdef")
        .unwrap()
        .sign(&body);
    let hex = &good["sha256=".len()..];
    let cases: Vec<(&str, Vec<(&str, String)>)> = vec![
        ("none", vec![]),
        ("empty", vec![("x-hub-signature", String::new())]),
        ("no prefix", vec![("x-hub-signature", hex.to_owned())]),
        (
            "sha1",
            vec![("x-hub-signature", format!("sha1={}", &hex[..40]))],
        ),
        (
            "short",
            vec![("x-hub-signature", format!("sha256={}", &hex[..63]))],
        ),
        ("long", vec![("x-hub-signature", format!("sha256={hex}0"))]),
        (
            "half",
            vec![("x-hub-signature", format!("sha256={}", &hex[..32]))],
        ),
        (
            "non-hex",
            vec![("x-hub-signature", format!("sha256={}zz", &hex[..62]))],
        ),
        (
            "unicode",
            vec![("x-hub-signature", format!("sha256={}", "٠".repeat(64)))],
        ),
        (
            "different body",
            vec![("x-hub-signature", other_body.clone())],
        ),
        (
            "other secret",
            vec![("x-hub-signature", other_secret.clone())],
        ),
        (
            "-256 different body",
            vec![("x-hub-signature-256", other_body.clone())],
        ),
        (
            "one of two wrong",
            vec![
                ("x-hub-signature", good.clone()),
                ("x-hub-signature-256", other_body.clone()),
            ],
        ),
        (
            "repeated",
            vec![
                ("x-hub-signature", good.clone()),
                ("x-hub-signature", good.clone()),
            ],
        ),
    ];
    for (name, headers) in &cases {
        let mut req = srv
            .client
            .post(format!("{}/webhooks/jira", srv.base))
            .body(body.clone());
        for (k, v) in headers {
            req = req.header(*k, v.as_bytes());
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status().as_u16(), 401, "{name}");
    }
    // A wrong signature on an invalid body is 401, not 400: nothing is parsed first.
    let (status, _) = srv
        .post(
            "not json".as_bytes().to_vec(),
            &[("x-hub-signature", &other_body)],
        )
        .await;
    assert_eq!(status, 401);
    for header in ["x-hub-signature", "x-hub-signature-256", "X-Hub-Signature"] {
        let (status, _) = srv.post(body.clone(), &[(header, &good)]).await;
        assert_eq!(status, 202, "{header}");
    }
    let upper = format!("sha256={}", hex.to_uppercase());
    assert_eq!(
        srv.post(body.clone(), &[("x-hub-signature", &upper)])
            .await
            .0,
        202
    );
    srv.wait_processed(4).await;
    assert_eq!(rec.issue_ids().len(), 4);
    srv.shutdown().await;
}

#[tokio::test]
async fn no_secret_is_503_and_health_says_so() {
    let root = tempfile::tempdir().unwrap();
    let srv = Server::start(
        Receiver::builder(root.path().join("d")),
        Arc::new(Recorder::default()),
    )
    .await;
    let body = issue_body("jira:issue_updated", "1", "A-1");
    let sig = secret().sign(&body);
    assert_eq!(
        srv.post(body.clone(), &[("x-hub-signature", &sig)]).await.0,
        503
    );
    assert_eq!(srv.post(body, &[]).await.0, 503);
    let res = srv
        .client
        .get(format!("{}/health", srv.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 503);
    let h: serde_json::Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert_eq!(h["configured"], false);
    assert_eq!(h["secret_set"], false);
    assert_eq!(h["journal_ok"], true);
    srv.shutdown().await;
}

#[tokio::test]
async fn body_limit_is_413() {
    let root = tempfile::tempdir().unwrap();
    let rec = Arc::new(Recorder::default());
    let srv = Server::start(
        Receiver::builder(root.path().join("d"))
            .with_secret(secret())
            .with_body_limit(4096),
        rec.clone(),
    )
    .await;
    let small = issue_body("jira:issue_updated", "7", "A-7");
    let fits = {
        let mut v = serde_json::from_slice::<serde_json::Value>(&small).unwrap();
        let base = v.to_string().len() + r#","padding":"""#.len();
        v["padding"] = serde_json::Value::String("x".repeat(4096 - base));
        v.to_string().into_bytes()
    };
    assert_eq!(fits.len(), 4096);
    assert_eq!(srv.post_signed(&fits).await.0, 202);
    let mut big = fits.clone();
    big.insert(big.len() - 2, b'x');
    assert_eq!(big.len(), 4097);
    assert_eq!(srv.post_signed(&big).await.0, 413);
    let huge = vec![b' '; 3 * 1024 * 1024];
    assert_eq!(srv.post_signed(&huge).await.0, 413);
    srv.wait_processed(1).await;
    assert_eq!(rec.issue_ids(), vec![7]);
    srv.shutdown().await;
}

#[tokio::test]
async fn default_body_limit_is_one_mebibyte() {
    let root = tempfile::tempdir().unwrap();
    let srv = Server::start(
        Receiver::builder(root.path().join("d")).with_secret(secret()),
        Arc::new(Recorder::default()),
    )
    .await;
    let mut body = issue_body("jira:issue_updated", "7", "A-7");
    body.pop();
    body.extend_from_slice(b",\"pad\":\"");
    body.resize(1024 * 1024 - 2, b'x');
    body.extend_from_slice(b"\"}");
    assert_eq!(body.len(), 1024 * 1024);
    assert_eq!(srv.post_signed(&body).await.0, 202);
    body.insert(body.len() - 2, b'x');
    assert_eq!(srv.post_signed(&body).await.0, 413);
    srv.shutdown().await;
}

#[tokio::test]
async fn retries_are_deduplicated_across_restarts() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    let rec = Arc::new(Recorder::default());
    let srv = Server::start(Receiver::builder(&data).with_secret(secret()), rec.clone()).await;
    let body = issue_body("jira:issue_updated", "500", "A-500");
    let (s1, t1) = srv.post_signed_with_id(&body, "b0c1d2e3-0001").await;
    let (s2, t2) = srv.post_signed_with_id(&body, "b0c1d2e3-0001").await;
    assert_eq!((s1, s2), (202, 202));
    assert!(
        t1.contains("accepted") && t2.contains("duplicate"),
        "{t1} {t2}"
    );
    // Without an identifier there is nothing to de-duplicate by.
    assert_eq!(srv.post_signed(&body).await.0, 202);
    // A malformed identifier is refused.
    for bad in ["../x", "a b", &"x".repeat(129)] {
        let sig = secret().sign(&body);
        let res = srv
            .post(
                body.clone(),
                &[
                    ("x-hub-signature", &sig),
                    ("x-atlassian-webhook-identifier", bad),
                ],
            )
            .await;
        assert_eq!(res.0, 400, "{bad}");
    }
    srv.wait_processed(2).await;
    let h = srv.health.get();
    assert_eq!((h.accepted_total, h.duplicates_total), (2, 1));
    srv.shutdown().await;

    // Jira retries after the receiver restarted: still a duplicate.
    let rec2 = Arc::new(Recorder::default());
    let srv = Server::start(Receiver::builder(&data).with_secret(secret()), rec2.clone()).await;
    let (s3, t3) = srv.post_signed_with_id(&body, "b0c1d2e3-0001").await;
    assert_eq!(s3, 202);
    assert!(t3.contains("duplicate"), "{t3}");
    assert_eq!(srv.health.get().replayed_on_start, 0);
    srv.shutdown().await;
    assert!(rec2.issue_ids().is_empty());
    assert_eq!(rec.issue_ids(), vec![500, 500]);
}

#[tokio::test]
async fn concurrent_duplicates_are_journalled_once() {
    let root = tempfile::tempdir().unwrap();
    let rec = Arc::new(Recorder::default());
    let srv = Arc::new(
        Server::start(
            Receiver::builder(root.path().join("d")).with_secret(secret()),
            rec.clone(),
        )
        .await,
    );
    let body = issue_body("comment_created", "42", "A-42");
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let srv = Arc::clone(&srv);
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            srv.post_signed_with_id(&body, "same-delivery").await
        }));
    }
    let mut accepted = 0;
    for t in tasks {
        let (status, text) = t.await.unwrap();
        assert_eq!(status, 202);
        accepted += usize::from(text.contains("accepted"));
    }
    assert_eq!(accepted, 1);
    srv.wait_processed(1).await;
    let srv = Arc::try_unwrap(srv).ok().unwrap();
    srv.shutdown().await;
    assert_eq!(rec.issue_ids(), vec![42]);
}

#[tokio::test]
async fn failed_batches_are_retried_until_processed() {
    let root = tempfile::tempdir().unwrap();
    let rec = Arc::new(Recorder::default());
    rec.fail_next.store(3, Ordering::SeqCst);
    let srv = Server::start(
        Receiver::builder(root.path().join("d"))
            .with_secret(secret())
            .with_retry_backoff(Duration::from_millis(1), Duration::from_millis(5)),
        rec.clone(),
    )
    .await;
    for i in 1..=5u64 {
        let body = issue_body("jira:issue_updated", &i.to_string(), &format!("A-{i}"));
        assert_eq!(srv.post_signed(&body).await.0, 202);
    }
    srv.wait_processed(5).await;
    let h = srv.health.get();
    assert_eq!(h.process_failures_total, 3);
    assert_eq!(h.consecutive_failures, 0);
    assert_eq!(h.queue_depth, 0);
    assert!(h.last_processed_ms.is_some());
    srv.shutdown().await;
    let mut ids = rec.issue_ids();
    ids.sort_unstable();
    assert_eq!(ids, vec![1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn a_full_queue_answers_503_with_retry_after() {
    let root = tempfile::tempdir().unwrap();
    let rec = Arc::new(Recorder::default());
    rec.fail_next.store(usize::MAX, Ordering::SeqCst);
    let srv = Server::start(
        Receiver::builder(root.path().join("d"))
            .with_secret(secret())
            .with_max_pending(2)
            .with_retry_backoff(Duration::from_millis(1), Duration::from_millis(2)),
        rec.clone(),
    )
    .await;
    for i in 1..=2u64 {
        let body = issue_body("jira:issue_updated", &i.to_string(), "A-1");
        assert_eq!(srv.post_signed(&body).await.0, 202);
    }
    let body = issue_body("jira:issue_updated", "3", "A-1");
    let sig = secret().sign(&body);
    let res = srv
        .client
        .post(format!("{}/webhooks/jira", srv.base))
        .header("x-hub-signature", sig)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 503);
    assert_eq!(res.headers()["retry-after"], "30");
    let h = srv.health.get();
    assert_eq!(h.queue_depth, 2);
    assert!(h.oldest_pending_ms.is_some());
    // Recovery: the processor comes back and the queue drains.
    rec.fail_next.store(0, Ordering::SeqCst);
    srv.wait_processed(2).await;
    srv.shutdown().await;
}

#[tokio::test]
async fn health_reports_state_without_secrets() {
    let root = tempfile::tempdir().unwrap();
    let srv = Server::start(
        Receiver::builder(root.path().join("d")).with_secret(secret()),
        Arc::new(Recorder::default()),
    )
    .await;
    let body = issue_body("jira:issue_created", "77", "A-77");
    assert_eq!(srv.post_signed(&body).await.0, 202);
    srv.wait_processed(1).await;
    let res = srv
        .client
        .get(format!("{}/health?x=1", srv.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let text = res.text().await.unwrap();
    assert!(
        !text.contains(SECRET)
            && !text.contains("A-77")
            && !text.contains(&*root.path().to_string_lossy())
    );
    let h: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(h["configured"], true);
    assert_eq!(h["secret_set"], true);
    assert_eq!(h["queue_depth"], 0);
    assert_eq!(h["accepted_total"], 1);
    assert!(h["last_processed_ms"].as_i64().unwrap() > 1_600_000_000_000);
    // Wrong methods and unknown paths.
    let get = srv
        .client
        .get(format!("{}/webhooks/jira", srv.base))
        .send()
        .await
        .unwrap();
    assert_eq!(get.status().as_u16(), 405);
    let other = srv
        .client
        .post(format!("{}/webhook", srv.base))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status().as_u16(), 404);
    srv.shutdown().await;
}

#[tokio::test]
async fn links_and_worklogs_name_their_issues() {
    let root = tempfile::tempdir().unwrap();
    let rec = Arc::new(Recorder::default());
    let srv = Server::start(
        Receiver::builder(root.path().join("d")).with_secret(secret()),
        rec.clone(),
    )
    .await;
    let link = br#"{"webhookEvent":"issuelink_created","issueLink":{"id":10656,"sourceIssueId":11442,"destinationIssueId":11961}}"#;
    let (status, text) = srv.post_signed(link).await;
    assert_eq!(status, 202);
    assert!(text.contains(r#""events":2"#), "{text}");
    let worklog =
        br#"{"webhookEvent":"worklog_deleted","worklog":{"issueId":"10014","id":"10066"}}"#;
    assert_eq!(srv.post_signed(worklog).await.0, 202);
    srv.wait_processed(3).await;
    srv.shutdown().await;
    let events = rec.events.lock().unwrap().clone();
    let got: Vec<(u64, EventKind)> = events.iter().map(|e| (e.issue_id, e.kind)).collect();
    assert_eq!(
        got,
        vec![
            (11442, EventKind::IssueLinkCreated),
            (11961, EventKind::IssueLinkCreated),
            (10014, EventKind::WorklogDeleted)
        ]
    );
    assert_eq!(events[0].delivery_id, events[1].delivery_id);
    assert!(events.windows(2).all(|w| w[0].seq < w[1].seq));
}

#[tokio::test]
async fn a_second_receiver_on_the_same_directory_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    let srv = Server::start(
        Receiver::builder(&data).with_secret(secret()),
        Arc::new(Recorder::default()),
    )
    .await;
    let err = Receiver::builder(&data)
        .build(Recorder::default())
        .unwrap_err();
    assert!(
        matches!(err, jirafe_webhook::Error::DataDirInUse { .. }),
        "{err}"
    );
    srv.shutdown().await;
    // Released on shutdown.
    let again = Receiver::builder(&data).build(Recorder::default());
    assert!(again.is_ok());
}
