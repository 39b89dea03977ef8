//! The client against the simulated Jira: complete walks equal the ground truth, with
//! and without injected faults, and the request cost stays low.
#![allow(clippy::print_stdout)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use jirafe_jira_client::{Auth, ClientBuilder, Error, IssueBundle, JiraClient, Jql, SearchRequest};
use jirafe_jira_sim::{Faults, Mutation, OrgConfig, SimConfig, SimServer};

async fn sim(issues: usize, faults: Faults) -> SimServer {
    let cfg = SimConfig {
        org: OrgConfig::new(7, issues),
        faults,
        ..SimConfig::default()
    };
    SimServer::start(cfg).await.expect("sim starts")
}

fn client(sim: &SimServer, concurrency: usize) -> JiraClient {
    let c = sim.credentials();
    ClientBuilder::new(sim.base_url())
        .with_auth(Auth::basic(c.email, c.api_token))
        .with_max_concurrency(concurrency)
        .with_backoff(Duration::from_millis(5), Duration::from_millis(50))
        .build()
        .expect("client builds")
}

/// Walks every browsable project with `search_complete`.
async fn walk(client: &JiraClient) -> BTreeMap<i64, IssueBundle> {
    let projects: Vec<_> = client.projects().try_collect().await.expect("projects");
    assert!(!projects.is_empty());
    let mut out = BTreeMap::new();
    for p in projects {
        let jql = Jql::new()
            .project(&p.key)
            .order_by_updated()
            .build()
            .expect("jql");
        let mut pages = client.search_complete(SearchRequest::new(jql));
        while let Some(page) = pages.try_next().await.expect("page") {
            for b in page {
                assert!(out.insert(b.issue.id, b).is_none(), "an issue came twice");
            }
        }
    }
    out
}

/// Every visible issue, with every comment, history and worklog, as the sim holds it.
fn assert_equals_ground_truth(sim: &SimServer, got: &BTreeMap<i64, IssueBundle>) {
    let org = sim.org();
    let expected: BTreeMap<i64, _> = org.visible_issues().map(|i| (i.id as i64, i)).collect();
    let got_ids: BTreeSet<_> = got.keys().copied().collect();
    let want_ids: BTreeSet<_> = expected.keys().copied().collect();
    assert_eq!(got_ids, want_ids, "issue ids differ");
    for (id, want) in &expected {
        let b = &got[id];
        let f = &b.issue.fields;
        assert_eq!(b.issue.key.as_deref(), Some(want.key.as_str()));
        assert_eq!(
            f.summary.as_deref(),
            Some(want.summary.as_str()),
            "summary of {id}"
        );
        assert_eq!(
            f.project.as_ref().map(|p| p.id),
            Some(want.project_id as i64)
        );
        assert_eq!(f.created.map(|t| t.unix_millis()), Some(want.created_ms));
        assert_eq!(f.updated.map(|t| t.unix_millis()), Some(want.updated_ms));
        assert_eq!(
            f.security.is_some(),
            want.security_level.is_some(),
            "security of {id}"
        );
        assert_eq!(
            f.reporter.as_ref().and_then(|u| u.account_id.as_deref()),
            Some(want.reporter.as_str())
        );
        let ids = |v: Vec<i64>| v;
        assert_eq!(
            ids(b.comments.iter().map(|c| c.id).collect()),
            want.comments
                .iter()
                .map(|c| c.id as i64)
                .collect::<Vec<_>>(),
            "comments of {id}"
        );
        let mut hist: Vec<i64> = b.changelog.iter().map(|h| h.id).collect();
        let mut want_hist: Vec<i64> = want.histories.iter().map(|h| h.id as i64).collect();
        hist.sort_unstable();
        want_hist.sort_unstable();
        assert_eq!(hist, want_hist, "changelog of {id}");
        let mut wl: Vec<i64> = b.worklogs.iter().map(|w| w.id).collect();
        let mut want_wl: Vec<i64> = want.worklogs.iter().map(|w| w.id as i64).collect();
        wl.sort_unstable();
        want_wl.sort_unstable();
        assert_eq!(wl, want_wl, "worklogs of {id}");
        for (c, w) in b.comments.iter().zip(&want.comments) {
            assert_eq!(
                c.author.as_ref().and_then(|u| u.account_id.as_deref()),
                Some(w.author.as_str())
            );
            assert!(
                c.body
                    .as_ref()
                    .is_some_and(|v| v.get("type").and_then(|t| t.as_str()) == Some("doc"))
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn walks_the_default_org_completely_and_cheaply() {
    let sim = SimServer::start(SimConfig::default()).await.expect("sim");
    let client = client(&sim, 4);
    let got = walk(&client).await;
    assert_equals_ground_truth(&sim, &got);

    // Some issues needed paging beyond the inline first pages, and the walk got them.
    let org = sim.org();
    assert!(
        org.visible_issues().any(|i| i.histories.len() > 100),
        "sim has long changelogs"
    );
    assert!(
        org.visible_issues().any(|i| i.comments.len() > 20),
        "sim has long comment threads"
    );
    assert!(
        org.visible_issues().any(|i| i.worklogs.len() > 20),
        "sim has many worklogs"
    );

    let m = client.metrics();
    let per_1000 = m.total_requests() as f64 * 1000.0 / got.len() as f64;
    println!(
        "requests: {} for {} issues = {per_1000:.1} per 1,000 issues; by endpoint: {:?}",
        m.total_requests(),
        got.len(),
        m.requests
    );
    assert!(per_1000 <= 60.0, "{per_1000} requests per 1,000 issues");
    assert_eq!(
        m.total_requests(),
        sim.stats().total,
        "client and server count the same requests"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survives_rate_limit_storms_errors_and_truncated_bodies() {
    let faults = Faults {
        rate_limit_every: Some(5),
        retry_after_secs: 1,
        server_error_every: Some(7),
        truncate_every: Some(9),
        latency: None,
    };
    let sim = sim(300, faults).await;
    // One request at a time, so every Retry-After wait shows in the wall time.
    let client = client(&sim, 1);
    let start = Instant::now();
    let got = walk(&client).await;
    let elapsed = start.elapsed();
    assert_equals_ground_truth(&sim, &got);

    let m = client.metrics();
    let throttled = sim.stats().status(429);
    assert!(throttled >= 3, "the storm happened ({throttled} 429s)");
    assert!(sim.stats().status(500) + sim.stats().status(502) + sim.stats().status(503) > 0);
    assert!(m.retries >= throttled);
    assert!(
        elapsed >= Duration::from_secs(throttled),
        "waited {elapsed:?} for {throttled} answers of Retry-After: 1"
    );
    assert!(m.rate_limit_wait >= Duration::from_secs(throttled));
}

#[tokio::test]
async fn bad_credentials_are_an_error_never_an_empty_result() {
    let sim = sim(50, Faults::default()).await;
    let client = ClientBuilder::new(sim.base_url())
        .with_auth(Auth::basic(sim.credentials().email, "wrong-token"))
        .build()
        .unwrap();
    let e = client.myself().await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Unauthorized {
                endpoint: "GET /rest/api/3/myself"
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("JIRA_API_TOKEN"));
    let e = client
        .search(SearchRequest::new("order by id"))
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Unauthorized { .. }), "{e:?}");
    let e = client.projects().try_collect::<Vec<_>>().await.unwrap_err();
    assert!(matches!(e, Error::Unauthorized { .. }), "{e:?}");
}

#[tokio::test]
async fn myself_has_a_time_zone_and_projects_flag_private() {
    let sim = sim(120, Faults::default()).await;
    let client = client(&sim, 2);
    let me = client.myself().await.unwrap();
    assert_eq!(
        me.account_id.as_deref(),
        Some(sim.org().owner_account_id.as_str())
    );
    assert!(me.time_zone.is_some());
    let projects: Vec<_> = client.projects().try_collect().await.unwrap();
    let org = sim.org();
    let visible: BTreeSet<_> = org.visible_projects().map(|p| p.id as i64).collect();
    assert_eq!(
        projects.iter().map(|p| p.id).collect::<BTreeSet<_>>(),
        visible,
        "only browsable projects"
    );
    assert!(projects.iter().any(|p| p.is_private == Some(true)));
    let server = client.server_info().await.unwrap();
    assert_eq!(server.deployment_type.as_deref(), Some("Cloud"));
    let fields = client.fields().await.unwrap();
    assert!(fields.iter().any(|f| f.custom == Some(true)));
}

#[tokio::test]
async fn census_lists_every_visible_id_in_few_requests() {
    let sim = sim(600, Faults::default()).await;
    let client = client(&sim, 2);
    let org = sim.org();
    for p in org.visible_projects() {
        let ids: BTreeSet<i64> = client
            .census(Jql::new().project(&p.key).order_by_id().build().unwrap())
            .try_collect()
            .await
            .unwrap();
        let want: BTreeSet<i64> = org
            .visible_issues()
            .filter(|i| i.project_id == p.id)
            .map(|i| i.id as i64)
            .collect();
        assert_eq!(ids, want, "census of {}", p.key);
    }
    // Ids only: one page per project at this size.
    let searches = client.metrics().requests_to("POST /rest/api/3/search/jql");
    assert_eq!(searches as usize, org.visible_projects().count());
}

#[tokio::test]
async fn incremental_window_finds_mutations_and_deletions_vanish() {
    let sim = sim(200, Faults::default()).await;
    let client = client(&sim, 2);
    let org = sim.org();
    let target = org.visible_issues().next().unwrap().clone();
    let project = org.project(target.project_id).unwrap().key.clone();
    let since = org.visible_issues().map(|i| i.updated_ms).max().unwrap() + 1;

    let jql = Jql::new()
        .project(&project)
        .updated_at_or_after_ms(since)
        .order_by_updated()
        .build()
        .unwrap();
    let before: Vec<_> = client
        .search(SearchRequest::new(jql.clone()))
        .try_collect()
        .await
        .unwrap();
    assert!(before.is_empty(), "nothing changed yet");

    sim.mutate(Mutation::UpdateSummary {
        issue: target.key.clone(),
        summary: "Renamed".into(),
    })
    .unwrap();
    sim.mutate(Mutation::AddComment {
        issue: target.key.clone(),
        body: jirafe_jira_sim::RichText::paragraph("a new comment"),
    })
    .unwrap();
    let after: Vec<_> = client
        .search_complete(SearchRequest::new(jql.clone()))
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    let after: Vec<_> = after.into_iter().flatten().collect();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].issue.id, target.id as i64);
    assert_eq!(after[0].issue.fields.summary.as_deref(), Some("Renamed"));
    assert_eq!(after[0].comments.len(), target.comments.len() + 1);

    sim.mutate(Mutation::DeleteIssue {
        issue: target.key.clone(),
    })
    .unwrap();
    let e = client
        .issue(&target.id.to_string(), &["summary"], &[])
        .await
        .unwrap_err();
    assert!(e.is_not_found());
    let census: BTreeSet<i64> = client
        .census(Jql::new().project(&project).build().unwrap())
        .try_collect()
        .await
        .unwrap();
    assert!(!census.contains(&(target.id as i64)));
}

#[tokio::test]
async fn worklog_cursor_never_advances_to_now() {
    let sim = sim(200, Faults::default()).await;
    let client = client(&sim, 2);
    let org = sim.org();
    let changes = client.worklogs_updated_since(0).await.unwrap();
    let now = sim.now_ms();
    assert!(
        changes.until <= now - 60_000,
        "until {} is inside the last minute of {now}",
        changes.until
    );
    let all_visible: BTreeSet<i64> = org
        .visible_issues()
        .flat_map(|i| {
            i.worklogs
                .iter()
                .filter(|w| w.updated_ms <= changes.until)
                .map(|w| w.id as i64)
        })
        .collect();
    let listed: BTreeSet<i64> = changes.changes.iter().map(|c| c.worklog_id).collect();
    assert!(
        all_visible.is_subset(&listed),
        "every visible worklog updated before `until` is listed"
    );
    let fetched: Vec<_> = client
        .worklogs_by_ids(listed.iter().copied().collect())
        .try_collect()
        .await
        .unwrap();
    assert!(fetched.iter().all(|w| listed.contains(&w.id)));
    assert!(!fetched.is_empty());
}

#[tokio::test]
async fn boards_and_sprints() {
    let sim = sim(200, Faults::default()).await;
    let client = client(&sim, 2);
    let org = sim.org();
    let visible: BTreeSet<u64> = org.visible_projects().map(|p| p.id).collect();
    let boards: Vec<_> = client.boards(None).try_collect().await.unwrap();
    let want: BTreeSet<i64> = org
        .boards
        .iter()
        .filter(|b| visible.contains(&b.project_id))
        .map(|b| b.id as i64)
        .collect();
    assert_eq!(boards.iter().map(|b| b.id).collect::<BTreeSet<_>>(), want);
    let mut sprints = BTreeSet::new();
    for b in &boards {
        let s: Vec<_> = client.sprints(b.id).try_collect().await.unwrap();
        sprints.extend(s.into_iter().map(|s| s.id));
    }
    let want: BTreeSet<i64> = org
        .sprints
        .iter()
        .filter(|s| want.contains(&(s.board_id as i64)))
        .map(|s| s.id as i64)
        .collect();
    assert_eq!(sprints, want);
}
