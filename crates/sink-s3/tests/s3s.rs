//! Against a real S3 server: an `s3s-fs` each test starts on 127.0.0.1 (or the server
//! named by `JIRAFE_TEST_S3_ENDPOINT`). No mocks. Without `s3s-fs` installed and no
//! endpoint set, these tests fail and say how to install it.

use std::time::Duration;

use futures::TryStreamExt;
use jirafe_sink_s3::testing::{Fault, FaultProxy, S3Target};
use jirafe_sink_s3::{ProbeStep, probe};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, UpdateVersion};
use std::sync::atomic::Ordering;

fn target() -> S3Target {
    S3Target::from_env_or_start().unwrap_or_else(|e| panic!("{e}"))
}

fn create() -> PutOptions {
    PutOptions {
        mode: PutMode::Create,
        ..PutOptions::default()
    }
}

async fn list_all(store: &dyn ObjectStore, prefix: &Path) -> Vec<String> {
    let mut v: Vec<String> = store
        .list(Some(prefix))
        .map_ok(|m| m.location.to_string())
        .try_collect()
        .await
        .unwrap();
    v.sort();
    v
}

#[tokio::test]
async fn conditional_writes_are_sent_and_honoured_one_at_a_time() {
    let t = target();
    let url = t.fresh_url("cond");
    // The default mode: conditional puts straight to the server.
    let (store, prefix) = t
        .open(&url, &[("concurrency", ""), ("lock_settle_ms", "")])
        .unwrap()
        .into_parts();
    let p = prefix.clone().join("month=2025-01").join("data.parquet");
    store
        .put_opts(&p, PutPayload::from_static(b"v1"), create())
        .await
        .unwrap();
    let again = store
        .put_opts(&p, PutPayload::from_static(b"v1b"), create())
        .await;
    assert!(
        matches!(again, Err(object_store::Error::AlreadyExists { .. })),
        "{again:?}"
    );
    let meta = store.head(&p).await.unwrap();
    let v1 = UpdateVersion {
        e_tag: meta.e_tag.clone(),
        version: meta.version.clone(),
    };
    assert!(v1.e_tag.is_some(), "the server returns ETags");
    let update = |v: UpdateVersion| PutOptions {
        mode: PutMode::Update(v),
        ..PutOptions::default()
    };
    store
        .put_opts(&p, PutPayload::from_static(b"v2"), update(v1.clone()))
        .await
        .unwrap();
    let stale = store
        .put_opts(&p, PutPayload::from_static(b"v3"), update(v1))
        .await;
    assert!(
        matches!(stale, Err(object_store::Error::Precondition { .. })),
        "an update with the ETag of an older version is refused: {stale:?}"
    );
    let got = store.get(&p).await.unwrap().bytes().await.unwrap();
    assert_eq!(got.as_ref(), b"v2");
    assert_eq!(list_all(store.as_ref(), &prefix).await, vec![p.to_string()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn in_lock_mode_exactly_one_of_many_concurrent_creates_wins() {
    let t = target();
    let url = t.fresh_url("race");
    let (store, prefix) = t
        .open(&url, &[("concurrency", "lock"), ("lock_settle_ms", "100")])
        .unwrap()
        .into_parts();
    for round in 0..8 {
        let p = prefix.clone().join(format!("lock-{round}").as_str());
        let attempts = (0..8u8).map(|i| {
            let store = store.clone();
            let p = p.clone();
            async move {
                let body = vec![i; 200];
                store
                    .put_opts(&p, PutPayload::from(body), create())
                    .await
                    .map(|_| i)
            }
        });
        let results = futures::future::join_all(attempts).await;
        let winners: Vec<u8> = results
            .iter()
            .filter_map(|r| r.as_ref().ok().copied())
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {results:?}");
        for r in &results {
            if let Err(e) = r {
                assert!(
                    matches!(e, object_store::Error::AlreadyExists { .. }),
                    "round {round}: losers see AlreadyExists: {e:?}"
                );
            }
        }
        let stored = store.get(&p).await.unwrap().bytes().await.unwrap();
        assert_eq!(
            stored.as_ref(),
            vec![winners[0]; 200].as_slice(),
            "round {round}"
        );
    }
    // If-Match is not trusted in lock mode: the partition writer is told to lock instead.
    let p = prefix.clone().join("lock-0");
    let update = store
        .put_opts(
            &p,
            PutPayload::from_static(b"x"),
            PutOptions {
                mode: PutMode::Update(UpdateVersion {
                    e_tag: Some("\"whatever\"".into()),
                    version: None,
                }),
                ..PutOptions::default()
            },
        )
        .await;
    assert!(
        matches!(update, Err(object_store::Error::NotImplemented { .. })),
        "{update:?}"
    );
}

#[tokio::test]
async fn probe_passes_cleans_up_and_names_the_failing_step() {
    let t = target();
    let url = t.fresh_url("probe");
    let (store, prefix) = t.open(&url, &[]).unwrap().into_parts();
    let r = probe(store.as_ref(), &prefix).await.unwrap();
    assert!(
        r.object.as_ref().contains("/_doctor/probe-"),
        "{:?}",
        r.object
    );
    assert!(
        list_all(store.as_ref(), &prefix).await.is_empty(),
        "the probe object is deleted"
    );

    // Wrong secret: the first request (list) is refused, and the error says so.
    let mut opts = t.options();
    opts.insert("max_retries".into(), "0".into());
    let wrong = vec![
        ("AWS_ACCESS_KEY_ID".to_owned(), "AKNOBODY".to_owned()),
        (
            "AWS_SECRET_ACCESS_KEY".to_owned(),
            "not-the-secret".to_owned(),
        ),
    ];
    let (store, prefix) = jirafe_sink_s3::open_with_env(&url, &opts, wrong)
        .unwrap()
        .into_parts();
    let e = probe(store.as_ref(), &prefix).await.unwrap_err();
    assert_eq!(e.step, ProbeStep::List);
    let msg = e.to_string();
    assert!(
        msg.contains("'list'") && msg.contains("s3:ListBucket"),
        "{msg}"
    );
    assert!(!msg.contains("not-the-secret"), "{msg}");

    // A bucket that does not exist.
    let (store, prefix) = t
        .open("s3://no-such-bucket-here/x", &[("max_retries", "0")])
        .unwrap()
        .into_parts();
    let e = probe(store.as_ref(), &prefix).await.unwrap_err();
    assert_eq!(e.step, ProbeStep::List, "{e}");
}

#[tokio::test]
async fn server_side_encryption_settings_do_not_break_writes() {
    // s3s-fs accepts the SSE headers; on AWS they select the encryption (see the README).
    let t = target();
    for sse in [
        &[("sse", "AES256")][..],
        &[("sse", "aws:kms"), ("sse_kms_key_id", "alias/jirafe")][..],
    ] {
        let url = t.fresh_url("sse");
        let (store, prefix) = t.open(&url, sse).unwrap().into_parts();
        probe(store.as_ref(), &prefix)
            .await
            .unwrap_or_else(|e| panic!("{sse:?}: {e}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_downs_and_connection_resets_are_retried() {
    let t = target();
    // Every third request answered 503 Slow Down, every fifth connection reset (never two
    // faults in a row for long): each operation still succeeds.
    let proxy = FaultProxy::start(t.endpoint(), |n, _method, _path| match n % 15 {
        0 | 3 | 6 | 9 | 12 => Fault::SlowDown,
        5 | 10 => Fault::Reset,
        _ => Fault::Forward,
    })
    .await
    .unwrap();
    let url = t.fresh_url("retry");
    let proxied = proxy.endpoint();
    let (store, prefix) = t
        .open(
            &url,
            &[
                ("endpoint", proxied.as_str()),
                ("max_retries", "10"),
                ("retry_initial_backoff_ms", "10"),
                ("retry_max_backoff_secs", "1"),
            ],
        )
        .unwrap()
        .into_parts();
    let mut want = Vec::new();
    for i in 0..10 {
        let p = prefix.clone().join(format!("obj-{i}").as_str());
        store
            .put(&p, PutPayload::from(format!("body {i}").into_bytes()))
            .await
            .unwrap_or_else(|e| panic!("put {i}: {e}"));
        let got = store.get(&p).await.unwrap().bytes().await.unwrap();
        assert_eq!(got.as_ref(), format!("body {i}").as_bytes());
        want.push(p.to_string());
    }
    want.sort();
    assert_eq!(list_all(store.as_ref(), &prefix).await, want);
    probe(store.as_ref(), &prefix).await.unwrap();
    let s = proxy.stats();
    assert!(
        s.slow_downs.load(Ordering::Relaxed) >= 5 && s.resets.load(Ordering::Relaxed) >= 2,
        "faults were injected: {s:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_made_while_the_server_is_down_succeeds_once_it_is_back() {
    let mut t = S3Target::start_own().unwrap_or_else(|e| panic!("{e}"));
    let url = t.fresh_url("down");
    let (store, prefix) = t
        .open(
            &url,
            &[
                ("max_retries", "20"),
                ("retry_initial_backoff_ms", "50"),
                ("retry_max_backoff_secs", "1"),
                ("retry_timeout_secs", "60"),
            ],
        )
        .unwrap()
        .into_parts();
    let p = prefix.clone().join("before");
    store
        .put(&p, PutPayload::from_static(b"kept"))
        .await
        .unwrap();

    t.server().unwrap().kill();
    let q = prefix.clone().join("during");
    let pending = {
        let store = store.clone();
        let q = q.clone();
        tokio::spawn(async move { store.put(&q, PutPayload::from_static(b"late")).await })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!pending.is_finished(), "the put waits for the server");
    t.server().unwrap().restart().unwrap();
    pending.await.unwrap().unwrap();
    assert_eq!(
        store.get(&q).await.unwrap().bytes().await.unwrap().as_ref(),
        b"late"
    );
    assert_eq!(
        store.get(&p).await.unwrap().bytes().await.unwrap().as_ref(),
        b"kept",
        "objects written before the outage are intact"
    );
}
