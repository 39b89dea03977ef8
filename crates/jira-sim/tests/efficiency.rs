//! A reference extraction of the default organisation with plain HTTP calls: it shows the
//! simulator supports the efficient pattern (search pages of 100 with inline first
//! pages, changelog bulk fetch, comment paging only where needed, worklogs through
//! `/worklog/updated` + `/worklog/list`), that the result equals the ground truth, and
//! what it costs in requests per 1,000 issues — with a 429 storm on.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use jirafe_jira_sim::{Faults, OrgConfig, SimConfig, SimServer};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

struct Walker {
    http: Client,
    base: String,
    email: String,
    token: String,
    waited: Duration,
}

impl Walker {
    async fn call(&mut self, post: Option<&Value>, path: &str) -> Value {
        loop {
            let url = format!("{}{path}", self.base);
            let req = match post {
                Some(b) => self.http.post(url).json(b),
                None => self.http.get(url),
            };
            let r = req
                .basic_auth(&self.email, Some(&self.token))
                .send()
                .await
                .expect("request");
            if r.status() == StatusCode::TOO_MANY_REQUESTS
                || r.status() == StatusCode::SERVICE_UNAVAILABLE
            {
                let secs: u64 = r
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok())
                    .expect("Retry-After on 429/503");
                let t = Instant::now();
                tokio::time::sleep(Duration::from_secs(secs)).await;
                self.waited += t.elapsed();
                continue;
            }
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            return r.json().await.expect("json");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_extraction_costs_under_60_requests_per_1000_issues() {
    let cfg = SimConfig {
        org: OrgConfig::default(),
        faults: Faults {
            rate_limit_every: Some(40),
            retry_after_secs: 1,
            ..Faults::default()
        },
        ..SimConfig::default()
    };
    let sim = SimServer::start(cfg).await.expect("start");
    let c = sim.credentials();
    let mut w = Walker {
        http: Client::new(),
        base: sim.base_url(),
        email: c.email,
        token: c.api_token,
        waited: Duration::ZERO,
    };

    // 1. Issues, with the first pages of comments and worklogs inline.
    let mut issues: Vec<Value> = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"jql": "ORDER BY id ASC", "maxResults": 100,
                              "fields": ["*navigable", "comment", "worklog"]});
        if let Some(t) = &token {
            body["nextPageToken"] = json!(t);
        }
        let v = w.call(Some(&body), "/rest/api/3/search/jql").await;
        issues.extend(v["issues"].as_array().cloned().unwrap_or_default());
        match v["nextPageToken"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    let ids: Vec<String> = issues
        .iter()
        .filter_map(|i| i["id"].as_str().map(str::to_owned))
        .collect();

    // 2. Changelogs: 1000 issues per call, 10000 histories per page.
    let mut histories: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for chunk in ids.chunks(1000) {
        let mut token: Option<String> = None;
        loop {
            let mut body = json!({"issueIdsOrKeys": chunk, "maxResults": 10000});
            if let Some(t) = &token {
                body["nextPageToken"] = json!(t);
            }
            let v = w.call(Some(&body), "/rest/api/3/changelog/bulkfetch").await;
            for l in v["issueChangeLogs"].as_array().cloned().unwrap_or_default() {
                let id = l["issueId"].as_str().unwrap_or("").to_owned();
                let e = histories.entry(id).or_default();
                for h in l["changeHistories"].as_array().cloned().unwrap_or_default() {
                    e.push(h["id"].as_str().unwrap_or("").to_owned());
                }
            }
            match v["nextPageToken"].as_str() {
                Some(t) => token = Some(t.to_owned()),
                None => break,
            }
        }
    }

    // 3. Comments: inline first page, the rest only where `total` says so.
    let mut comments: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for i in &issues {
        let id = i["id"].as_str().unwrap_or("").to_owned();
        let inline = &i["fields"]["comment"];
        let mut got: Vec<String> = inline["comments"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|c| c["id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let total = inline["total"].as_u64().unwrap_or(0) as usize;
        while got.len() < total {
            let v = w
                .call(
                    None,
                    &format!(
                        "/rest/api/3/issue/{id}/comment?startAt={}&maxResults=100",
                        got.len()
                    ),
                )
                .await;
            let page: Vec<String> = v["comments"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|c| c["id"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            assert!(!page.is_empty());
            got.extend(page);
        }
        comments.insert(id, got);
    }

    // 4. Worklogs: ids from /worklog/updated, bodies from /worklog/list.
    let mut wl_ids: Vec<u64> = Vec::new();
    let mut since = 0i64;
    loop {
        let v = w
            .call(None, &format!("/rest/api/3/worklog/updated?since={since}"))
            .await;
        for x in v["values"].as_array().cloned().unwrap_or_default() {
            wl_ids.push(x["worklogId"].as_u64().unwrap_or(0));
        }
        if v["lastPage"] == json!(true) {
            break;
        }
        since = v["until"].as_i64().unwrap_or(0);
    }
    wl_ids.sort_unstable();
    wl_ids.dedup();
    let mut worklogs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for chunk in wl_ids.chunks(1000) {
        let v = w
            .call(Some(&json!({"ids": chunk})), "/rest/api/3/worklog/list")
            .await;
        for x in v.as_array().cloned().unwrap_or_default() {
            worklogs
                .entry(x["issueId"].as_str().unwrap_or("").to_owned())
                .or_default()
                .insert(x["id"].as_str().unwrap_or("").to_owned());
        }
    }

    // Everything equals the ground truth.
    let org = sim.org();
    let truth: Vec<_> = org.visible_issues().collect();
    assert_eq!(issues.len(), truth.len());
    for t in &truth {
        let id = t.id.to_string();
        let want_h: Vec<String> = t.histories.iter().map(|h| h.id.to_string()).collect();
        assert_eq!(
            histories.get(&id).cloned().unwrap_or_default(),
            want_h,
            "histories of {id}"
        );
        let want_c: Vec<String> = t.comments.iter().map(|c| c.id.to_string()).collect();
        assert_eq!(
            comments.get(&id).cloned().unwrap_or_default(),
            want_c,
            "comments of {id}"
        );
        let want_w: BTreeSet<String> = t.worklogs.iter().map(|w| w.id.to_string()).collect();
        assert_eq!(
            worklogs.get(&id).cloned().unwrap_or_default(),
            want_w,
            "worklogs of {id}"
        );
    }

    let stats = sim.stats();
    let ok = stats.status(200);
    let per_1000 = ok as f64 * 1000.0 / truth.len() as f64;
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "issues {} requests(200) {ok} => {per_1000:.1} per 1000 issues; rate-limited {}; by endpoint {:?}",
            truth.len(),
            stats.status(429) + stats.status(503),
            stats.by_endpoint
        );
    }
    assert!(
        per_1000 <= 60.0,
        "{per_1000:.1} successful requests per 1000 issues: {:?}",
        stats.by_endpoint
    );
    let limited = stats.status(429) + stats.status(503);
    assert!(limited > 0);
    assert!(
        w.waited >= Duration::from_secs(limited),
        "waited {:?} for {limited} rate limits",
        w.waited
    );
    sim.shutdown().await;
}
