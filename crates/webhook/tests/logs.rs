//! Request logs: method, route, status, latency and the delivery id — no payload content,
//! no query string, no unmatched path, no secret.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{Recorder, SECRET, Server, issue_body, secret};
use jirafe_webhook::Receiver;

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// Single-threaded runtime: the server's tasks run on this thread, under this subscriber.
#[tokio::test(flavor = "current_thread")]
async fn request_logs_carry_ids_not_content() {
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_env_filter("jirafe_webhook=trace")
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let root = tempfile::tempdir().unwrap();
    let srv = Server::start(
        Receiver::builder(root.path().join("d")).with_secret(secret()),
        Arc::new(Recorder::default()),
    )
    .await;
    let good = issue_body("jira:issue_created", "98765", "LOGKEY-7");
    assert_eq!(srv.post_signed_with_id(&good, "delivery-4711").await.0, 202);
    let bad = issue_body("jira:issue_created", "1", "../../etc/passwd");
    assert_eq!(srv.post_signed_with_id(&bad, "delivery-bad").await.0, 400);
    assert_eq!(
        srv.post(good.clone(), &[("x-hub-signature", "sha256=00")])
            .await
            .0,
        401
    );
    let q = srv
        .client
        .post(format!("{}/webhooks/jira?token=QUERYSECRET", srv.base))
        .body(good.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(q.status().as_u16(), 401);
    let p = srv
        .client
        .post(format!("{}/hidden-path-PATHSECRET", srv.base))
        .send()
        .await
        .unwrap();
    assert_eq!(p.status().as_u16(), 404);
    srv.wait_processed(1).await;
    srv.shutdown().await;

    let logs = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    let access: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("jirafe_webhook::access"))
        .collect();
    assert_eq!(access.len(), 5, "{logs}");
    let first = access[0];
    for field in [
        "method=POST",
        "route=\"/webhooks/jira\"",
        "status=202",
        "latency_us=",
        "delivery=\"delivery-4711\"",
        "seq=1",
        "outcome=\"accepted\"",
    ] {
        assert!(first.contains(field), "{field} missing in {first}");
    }
    assert!(
        access[1].contains("status=400") && access[1].contains("outcome=\"malformed_payload\"")
    );
    assert!(access[4].contains("route=\"<unmatched>\"") && access[4].contains("status=404"));
    for leak in [
        "LOGKEY",
        "98765",
        "planted",
        "ZQXJ",
        "etc/passwd",
        "QUERYSECRET",
        "PATHSECRET",
        SECRET,
        "sha256",
    ] {
        assert!(!logs.contains(leak), "logs contain {leak:?}:\n{logs}");
    }
}
