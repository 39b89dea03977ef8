//! Contract test: every real webhook payload in `shared/fixtures` (Jira Cloud and Server,
//! see `shared/fixtures/jira/SOURCES.md`) is accepted with the right issue ids and kind,
//! or refused for naming no issue.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::{Recorder, Server, secret};
use jirafe_webhook::{EventKind, Receiver};

fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/jira")
}

fn payloads() -> Vec<(String, Vec<u8>, serde_json::Value)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(&fixture_root(), &mut files);
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
            continue;
        };
        if v.get("webhookEvent")
            .is_some_and(serde_json::Value::is_string)
        {
            let name = f
                .strip_prefix(fixture_root())
                .unwrap()
                .display()
                .to_string();
            out.push((name, bytes, v));
        }
    }
    out
}

/// What the payload names, read independently of the crate with a generic JSON tree.
fn expected(v: &serde_json::Value) -> Option<(EventKind, Vec<u64>)> {
    let event = v["webhookEvent"].as_str()?;
    let kind = EventKind::from_webhook_event(event);
    let id = |x: &serde_json::Value| -> Option<u64> {
        x.as_u64()
            .or_else(|| x.as_str().and_then(|s| s.parse().ok()))
    };
    if let Some(issue) = v.get("issue").filter(|i| i.is_object()) {
        return Some((kind, vec![id(&issue["id"])?]));
    }
    if event.starts_with("worklog_") {
        return Some((kind, vec![id(&v["worklog"]["issueId"])?]));
    }
    if event.starts_with("issuelink_") {
        let l = &v["issueLink"];
        return Some((
            kind,
            vec![id(&l["sourceIssueId"])?, id(&l["destinationIssueId"])?],
        ));
    }
    None
}

#[tokio::test]
async fn every_recorded_webhook_payload() {
    let all = payloads();
    assert!(all.len() >= 70, "found only {} webhook fixtures", all.len());
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    let rec = Arc::new(Recorder::default());
    let srv = Server::start(Receiver::builder(&data).with_secret(secret()), rec.clone()).await;

    let mut want = Vec::new();
    let mut refused = Vec::new();
    for (i, (name, body, v)) in all.iter().enumerate() {
        let (status, text) = srv.post_signed_with_id(body, &format!("fixture-{i}")).await;
        match expected(v) {
            Some((kind, ids)) => {
                assert_eq!(status, 202, "{name}: {text}");
                assert!(
                    text.contains(&format!(r#""events":{}"#, ids.len())),
                    "{name}: {text}"
                );
                want.extend(ids.into_iter().map(|id| (id, kind)));
            }
            None => {
                assert_eq!(status, 400, "{name}: {text}");
                assert!(text.contains("missing_issue"), "{name}: {text}");
                refused.push(name.rsplit('/').next().unwrap_or_default().to_owned());
            }
        }
    }
    // Payloads that name no issue: project events and old Jira Server comment events
    // (Server also sends `jira:issue_updated` for those comments, which is accepted).
    refused.sort();
    assert_eq!(
        refused,
        [
            "created.json", // jira-to-matrix comment/created (Server, no issue)
            "created.json", // jira-to-matrix project/created
            "webhook-server-comment-created.json",
            "webhook-server-comment-deleted.json",
            "webhook-server-comment-updated.json",
        ]
    );
    srv.wait_processed(want.len() as u64).await;
    srv.shutdown().await;
    let got: Vec<(u64, EventKind)> = rec
        .events
        .lock()
        .unwrap()
        .iter()
        .map(|e| (e.issue_id, e.kind))
        .collect();
    assert_eq!(got, want);
    assert!(
        got.iter()
            .any(|&(id, k)| id == 10303 && k == EventKind::IssueDeleted)
    );
    assert!(
        got.iter()
            .any(|&(id, k)| id == 10014 && k == EventKind::WorklogCreated)
    );

    // Nothing of the payloads reached the disk: no keys, names, emails or URLs.
    let journal = std::fs::read_to_string(data.join("journal.log")).unwrap();
    for needle in [
        "TES-41",
        "PRJX-14",
        "@",
        "http",
        "displayName",
        "Lev",
        "jira:",
    ] {
        assert!(!journal.contains(needle), "journal contains {needle:?}");
    }
}
