//! Data Center flavor: REST v2, `startAt`/`total` paging, Bearer tokens, wiki-markup text.
//! Served by a small loopback server that pages a recorded Data Center search answer.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use futures::TryStreamExt;
use jirafe_jira_client::{Auth, ClientBuilder, Error, Flavor, SearchRequest};
use serde_json::{Value, json};

/// Recorded Data Center (REST v2) answers holding issues: search pages and single issues.
const FIXTURES: &[&str] = &[
    "mobitel-ltd__jira-to-matrix/test/fixtures/jira-api-requests/project-gens/search-project.json",
    "atlassian-api__atlassian-python-api/tests/responses/jira/rest/agile/1.0/epic/none/issue/GET.0.json",
    "atlassian-api__atlassian-python-api/tests/responses/jira/rest/agile/1.0/epic/BAR-22/issue/GET.0.json",
    "andygrunwald__go-jira/testing/mock-data/issues_in_sprint.json",
    "atlassian-api__atlassian-python-api/tests/responses/jira/rest/api/2/issue/FOO-123/GET.0.json",
];

#[derive(Clone)]
struct Dc {
    issues: Arc<Vec<Value>>,
    hits: Arc<AtomicUsize>,
}

async fn search(
    State(dc): State<Dc>,
    headers: HeaderMap,
    Query(q): Query<Vec<(String, String)>>,
) -> (StatusCode, Json<Value>) {
    dc.hits.fetch_add(1, Ordering::SeqCst);
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer dc-pat") {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"errorMessages": ["no"], "errors": {}})),
        );
    }
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let start: usize = get("startAt").and_then(|s| s.parse().ok()).unwrap_or(0);
    // Data Center caps pages on its own; use a small cap so paging happens.
    let max = get("maxResults")
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(50)
        .min(2);
    let page: Vec<Value> = dc.issues.iter().skip(start).take(max).cloned().collect();
    (
        StatusCode::OK,
        Json(
            json!({"startAt": start, "maxResults": max, "total": dc.issues.len(), "issues": page}),
        ),
    )
}

async fn serve() -> (String, Dc) {
    let mut issues: Vec<Value> = Vec::new();
    for rel in FIXTURES {
        let path = format!(
            "{}/../../../shared/fixtures/jira/{rel}",
            env!("CARGO_MANIFEST_DIR")
        );
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("json");
        let found = v
            .get("issues")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_else(|| vec![v]);
        for i in found {
            if !issues.iter().any(|o| o["id"] == i["id"]) {
                issues.push(i);
            }
        }
    }
    assert!(issues.len() >= 4, "the fixtures hold several issues");
    let dc = Dc {
        issues: Arc::new(issues),
        hits: Arc::new(AtomicUsize::new(0)),
    };
    let app = Router::new()
        .route("/rest/api/2/search", get(search))
        .route(
            "/rest/api/2/myself",
            get(|| async {
                Json(json!({"name": "jdoe", "key": "JIRAUSER1", "timeZone": "Europe/Moscow"}))
            }),
        )
        .with_state(dc.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), dc)
}

#[tokio::test]
async fn pages_with_start_at_and_bearer_token() {
    let (base, dc) = serve().await;
    let client = ClientBuilder::new(&base)
        .with_auth(Auth::bearer("dc-pat"))
        .with_flavor(Flavor::DataCenter)
        .build()
        .unwrap();
    let me = client.myself().await.unwrap();
    assert_eq!(me.stable_id(), Some("JIRAUSER1"));
    assert_eq!(me.time_zone.as_deref(), Some("Europe/Moscow"));

    let issues: Vec<_> = client
        .search(SearchRequest::new("project = X"))
        .try_collect()
        .await
        .unwrap();
    let want: Vec<i64> = dc
        .issues
        .iter()
        .map(|i| i["id"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(
        issues.iter().map(|i| i.id).collect::<Vec<_>>(),
        want,
        "every issue once, in order"
    );
    assert_eq!(
        client.metrics().requests_to("GET /rest/api/2/search") as usize,
        want.len().div_ceil(2)
    );
    // Data Center text is wiki markup: a JSON string, not an ADF document.
    assert!(
        issues
            .iter()
            .any(|i| i.fields.description.as_ref().is_some_and(Value::is_string))
    );

    let wrong = ClientBuilder::new(&base)
        .with_auth(Auth::bearer("other"))
        .with_flavor(Flavor::DataCenter)
        .build()
        .unwrap();
    let e = wrong
        .search(SearchRequest::new("project = X"))
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Unauthorized {
                endpoint: "GET /rest/api/2/search"
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn request_budget_paces_requests() {
    let (base, dc) = serve().await;
    // 1200 per minute: one request every 50 ms.
    let client = ClientBuilder::new(&base)
        .with_auth(Auth::bearer("dc-pat"))
        .with_flavor(Flavor::DataCenter)
        .with_requests_per_minute(Some(1200))
        .build()
        .unwrap();
    let start = Instant::now();
    for _ in 0..6 {
        client.myself().await.unwrap();
    }
    assert!(
        start.elapsed() >= Duration::from_millis(250),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(dc.hits.load(Ordering::SeqCst), 0, "myself is not search");
}
