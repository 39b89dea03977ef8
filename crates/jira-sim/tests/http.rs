//! The simulated Jira over HTTP, as a client sees it.

use std::collections::BTreeSet;
use std::time::Duration;

use jirafe_jira_sim::{
    Faults, Mutation, Org, OrgConfig, RichText, SimConfig, SimServer, jira_timestamp,
};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

async fn sim(issues: usize) -> SimServer {
    let cfg = SimConfig {
        org: OrgConfig::new(9, issues),
        ..SimConfig::default()
    };
    match SimServer::start(cfg).await {
        Ok(s) => s,
        Err(e) => panic!("cannot start the simulator: {e}"),
    }
}

struct Api {
    http: Client,
    base: String,
    email: String,
    token: String,
}

impl Api {
    fn new(sim: &SimServer) -> Api {
        let c = sim.credentials();
        Api {
            http: Client::new(),
            base: sim.base_url(),
            email: c.email,
            token: c.api_token,
        }
    }

    async fn get(&self, path: &str) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .basic_auth(&self.email, Some(&self.token))
            .send()
            .await
            .expect("request");
        let (s, h) = (r.status(), r.headers().clone());
        let body = r.bytes().await.expect("body");
        (s, h, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .basic_auth(&self.email, Some(&self.token))
            .json(body)
            .send()
            .await
            .expect("request");
        let s = r.status();
        let body = r.bytes().await.expect("body");
        (s, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    /// Walks a JQL search to the end; returns every issue and the number of pages.
    async fn search_all(&self, jql: &str, fields: &[&str], max: u32) -> (Vec<Value>, usize) {
        let mut token: Option<String> = None;
        let mut out = Vec::new();
        let mut pages = 0;
        loop {
            let mut body = json!({"jql": jql, "fields": fields, "maxResults": max});
            if let Some(t) = &token {
                body["nextPageToken"] = json!(t);
            }
            let (s, v) = self.post("/rest/api/3/search/jql", &body).await;
            assert_eq!(s, StatusCode::OK, "{v}");
            assert!(v.get("total").is_none(), "enhanced search has no total");
            pages += 1;
            out.extend(v["issues"].as_array().cloned().unwrap_or_default());
            if v["isLast"] == json!(true) {
                assert!(v.get("nextPageToken").is_none());
                return (out, pages);
            }
            token = v["nextPageToken"].as_str().map(str::to_owned);
            assert!(token.is_some(), "not last but no token");
        }
    }
}

fn ids(v: &[Value]) -> BTreeSet<u64> {
    v.iter()
        .filter_map(|i| i["id"].as_str().and_then(|s| s.parse().ok()))
        .collect()
}

#[tokio::test]
async fn auth_is_required_and_errors_are_jira_shaped() {
    let sim = sim(50).await;
    let api = Api::new(&sim);
    let url = format!("{}/rest/api/3/myself", api.base);
    let none = api.http.get(&url).send().await.expect("request");
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    let v: Value = none.json().await.expect("json");
    assert!(v["errorMessages"][0].as_str().is_some());
    assert_eq!(v["errors"], json!({}));
    let wrong = api
        .http
        .get(&url)
        .basic_auth(&api.email, Some("nope"))
        .send()
        .await
        .expect("request");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let bearer = api
        .http
        .get(&url)
        .bearer_auth(sim.credentials().pat)
        .send()
        .await
        .expect("request");
    assert_eq!(bearer.status(), StatusCode::OK);
    let (s, _, me) = api.get("/rest/api/3/myself").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["timeZone"], "Europe/Berlin");
    assert_eq!(me["accountType"], "atlassian");
    assert_eq!(me["emailAddress"], json!(api.email));
    let (s, _, v) = api.get("/rest/api/3/nope").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(v["errorMessages"].is_array());
    let (s, _, info) = api.get("/rest/api/3/serverInfo").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(info["deploymentType"], "Cloud");
    sim.shutdown().await;
}

#[tokio::test]
async fn old_search_is_gone() {
    let sim = sim(20).await;
    let api = Api::new(&sim);
    let (s, _, v) = api.get("/rest/api/3/search?jql=project%3DPLAT").await;
    assert_eq!(s, StatusCode::GONE);
    assert!(
        v["errorMessages"][0]
            .as_str()
            .unwrap_or("")
            .contains("/rest/api/3/search/jql")
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn search_pages_with_tokens_and_caps_pages_at_100_with_fields() {
    let sim = sim(700).await;
    let api = Api::new(&sim);
    let org = sim.org();
    let plat = org.projects.iter().find(|p| p.key == "PLAT").map(|p| p.id);
    let truth: BTreeSet<u64> = org
        .visible_issues()
        .filter(|i| Some(i.project_id) == plat)
        .map(|i| i.id)
        .collect();
    assert!(truth.len() > 150);
    let (issues, pages) = api
        .search_all(
            "project = PLAT ORDER BY id ASC",
            &["summary", "updated"],
            1000,
        )
        .await;
    assert_eq!(ids(&issues), truth);
    assert_eq!(issues.len(), truth.len(), "no duplicates");
    assert_eq!(pages, truth.len().div_ceil(100));
    assert!(issues.iter().all(|i| i["fields"]["summary"].is_string()
        && i["fields"].get("description").is_none()));

    // Default: 50 per page, id only.
    let (s, v) = api
        .post("/rest/api/3/search/jql", &json!({"jql": "project = PLAT"}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let first = v["issues"].as_array().cloned().unwrap_or_default();
    assert_eq!(first.len(), 50);
    assert_eq!(
        first[0].as_object().map(|o| o.len()),
        Some(1),
        "{}",
        first[0]
    );

    // A token is bound to its query.
    let token = v["nextPageToken"].as_str().unwrap_or_default().to_owned();
    let (s, e) = api
        .post(
            "/rest/api/3/search/jql",
            &json!({"jql": "project = WEB", "nextPageToken": token}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["errorMessages"].is_array());

    // GET form with comma-separated fields.
    let (s, _, g) = api
        .get("/rest/api/3/search/jql?jql=project%20%3D%20PLAT&fields=summary,status&maxResults=3")
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(g["issues"].as_array().map(Vec::len), Some(3));
    assert!(g["issues"][0]["fields"]["status"]["statusCategory"]["key"].is_string());

    // Unsupported JQL names the problem.
    let (s, e) = api
        .post(
            "/rest/api/3/search/jql",
            &json!({"jql": "assignee = currentUser()"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        e["errorMessages"][0]
            .as_str()
            .unwrap_or("")
            .contains("assignee")
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn id_only_census_pages_up_to_5000_and_hides_invisible_issues() {
    let sim = sim(6000).await;
    let api = Api::new(&sim);
    let org = sim.org();
    let truth: BTreeSet<u64> = org.visible_issues().map(|i| i.id).collect();
    assert!(truth.len() > 5000, "{}", truth.len());
    let (issues, pages) = api.search_all("ORDER BY id ASC", &["id"], 10_000).await;
    assert_eq!(pages, 2);
    assert_eq!(ids(&issues), truth);
    let hidden: Vec<u64> = org
        .issues
        .iter()
        .filter(|i| !i.visible_to_owner)
        .map(|i| i.id)
        .collect();
    assert!(!hidden.is_empty());
    let (keys, _) = api.search_all("ORDER BY id ASC", &["key"], 10_000).await;
    assert!(keys.iter().all(|i| i["key"].is_string()));
    // Invisible issues are 404, visible restricted ones carry their security level.
    let (s, _, _) = api.get(&format!("/rest/api/3/issue/{}", hidden[0])).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let restricted = org
        .visible_issues()
        .find(|i| i.security_level.is_some())
        .map(|i| i.key.clone())
        .unwrap_or_default();
    let (s, _, v) = api
        .get(&format!("/rest/api/3/issue/{restricted}?fields=security"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["fields"]["security"]["name"], "Internal");
    sim.shutdown().await;
}

#[tokio::test]
async fn quoted_dates_are_read_in_the_owners_zone_epoch_ms_is_exact() {
    let sim = sim(800).await;
    let api = Api::new(&sim);
    let org = sim.org();
    let mut vis: Vec<i64> = org.visible_issues().map(|i| i.updated_ms).collect();
    vis.sort_unstable();
    // A bound with at least one issue updated in the hour before it.
    let bound = vis
        .windows(2)
        .find(|w| w[1] - w[0] < 3_600_000 && w[0] < w[1] - w[1] % 60_000)
        .map(|w| w[1] - w[1] % 60_000)
        .unwrap_or(0);
    assert!(bound > 0);
    // The naive client: UTC wall time written as a quoted date.
    let utc = time::OffsetDateTime::from_unix_timestamp(bound / 1000).expect("time");
    let quoted = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        utc.year(),
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute()
    );
    let (by_ms, _) = api
        .search_all(&format!("updated >= {bound}"), &["id"], 5000)
        .await;
    let (by_quoted, _) = api
        .search_all(&format!("updated >= \"{quoted}\""), &["id"], 5000)
        .await;
    let truth: BTreeSet<u64> = org
        .visible_issues()
        .filter(|i| i.updated_ms >= bound)
        .map(|i| i.id)
        .collect();
    assert_eq!(ids(&by_ms), truth);
    // Berlin is UTC+1/+2: the quoted bound is an hour or two earlier.
    let offset = if jira_timestamp(bound).ends_with("+0200") {
        7_200_000
    } else {
        3_600_000
    };
    let early: BTreeSet<u64> = org
        .visible_issues()
        .filter(|i| i.updated_ms >= bound - offset)
        .map(|i| i.id)
        .collect();
    assert_eq!(ids(&by_quoted), early);
    assert!(early.len() > truth.len(), "the boundary issue must differ");
    sim.shutdown().await;
}

#[tokio::test]
async fn inline_first_pages_carry_totals_and_the_rest_pages() {
    let sim = sim(900).await;
    let api = Api::new(&sim);
    let org = sim.org();
    let big_c = org
        .visible_issues()
        .find(|i| i.comments.len() > 100)
        .expect("issue with >100 comments");
    let big_w = org
        .visible_issues()
        .find(|i| i.worklogs.len() > 20)
        .expect("issue with >20 worklogs");
    let big_h = org
        .visible_issues()
        .find(|i| i.histories.len() > 100)
        .expect("issue with >100 histories");

    let (s, v) = api
        .post(
            "/rest/api/3/search/jql",
            &json!({"jql": format!("id in ({}, {}, {})", big_c.id, big_w.id, big_h.id),
                    "fields": ["comment", "worklog"], "expand": "changelog"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    for i in v["issues"].as_array().cloned().unwrap_or_default() {
        let id: u64 = i["id"].as_str().and_then(|s| s.parse().ok()).unwrap_or(0);
        let truth = org.issue(&id.to_string()).expect("issue");
        let c = &i["fields"]["comment"];
        assert_eq!(c["total"], json!(truth.comments.len()));
        assert_eq!(
            c["comments"].as_array().map(Vec::len),
            Some(truth.comments.len().min(20))
        );
        let w = &i["fields"]["worklog"];
        assert_eq!(w["total"], json!(truth.worklogs.len()));
        assert_eq!(w["maxResults"], 20);
        assert_eq!(
            w["worklogs"].as_array().map(Vec::len),
            Some(truth.worklogs.len().min(20))
        );
        let h = &i["changelog"];
        assert_eq!(h["total"], json!(truth.histories.len()));
        assert_eq!(
            h["histories"].as_array().map(Vec::len),
            Some(truth.histories.len().min(100))
        );
    }

    // The comment endpoint pages by startAt with at most 100 per page.
    let mut got = Vec::new();
    let mut start = 0;
    loop {
        let (s, _, p) = api
            .get(&format!(
                "/rest/api/3/issue/{}/comment?startAt={start}&maxResults=5000",
                big_c.key
            ))
            .await;
        assert_eq!(s, StatusCode::OK);
        let page = p["comments"].as_array().cloned().unwrap_or_default();
        assert!(page.len() <= 100);
        start += page.len();
        got.extend(page);
        if start >= p["total"].as_u64().unwrap_or(0) as usize {
            break;
        }
    }
    let want: Vec<String> = big_c.comments.iter().map(|c| c.id.to_string()).collect();
    let got: Vec<String> = got
        .iter()
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(got, want);
    assert_eq!(
        big_c.comments.first().map(|c| c.body.to_adf()),
        Some(
            api.get(&format!(
                "/rest/api/3/issue/{}/comment?maxResults=1",
                big_c.id
            ))
            .await
            .2["comments"][0]["body"]
                .clone()
        )
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn bulk_endpoints_enforce_limits_and_return_everything() {
    let sim = sim(900).await;
    let api = Api::new(&sim);
    let org = sim.org();
    let all: Vec<String> = org.issues.iter().map(|i| i.id.to_string()).collect();

    let (s, v) = api
        .post(
            "/rest/api/3/issue/bulkfetch",
            &json!({"issueIdsOrKeys": &all[..101], "fields": ["summary"]}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = api
        .post(
            "/rest/api/3/issue/bulkfetch",
            &json!({"issueIdsOrKeys": &all[..100], "fields": ["summary"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let visible_first_100 = org.issues[..100]
        .iter()
        .filter(|i| i.visible_to_owner)
        .count();
    assert_eq!(
        v["issues"].as_array().map(Vec::len),
        Some(visible_first_100)
    );
    assert_eq!(v["issueErrors"], json!([]));

    let many: Vec<String> = (0..1001).map(|i| (10_000 + i).to_string()).collect();
    let (s, _) = api
        .post(
            "/rest/api/3/changelog/bulkfetch",
            &json!({"issueIdsOrKeys": many}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let wl: Vec<u64> = (0..1001).collect();
    let (s, _) = api
        .post("/rest/api/3/worklog/list", &json!({"ids": wl}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Changelog bulk fetch walks every history of up to 1000 issues.
    let mut token: Option<String> = None;
    let mut seen = 0usize;
    let mut calls = 0;
    loop {
        let mut body = json!({"issueIdsOrKeys": all, "maxResults": 1000});
        if let Some(t) = &token {
            body["nextPageToken"] = json!(t);
        }
        let (s, v) = api.post("/rest/api/3/changelog/bulkfetch", &body).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        calls += 1;
        for l in v["issueChangeLogs"].as_array().cloned().unwrap_or_default() {
            seen += l["changeHistories"].as_array().map(Vec::len).unwrap_or(0);
        }
        match v["nextPageToken"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    let truth: usize = org.visible_issues().map(|i| i.histories.len()).sum();
    assert_eq!(seen, truth);
    assert_eq!(calls, truth.div_ceil(1000));
    sim.shutdown().await;
}

#[tokio::test]
async fn worklog_updated_leaves_out_the_last_minute() {
    let sim = sim(200).await;
    let api = Api::new(&sim);
    let org = sim.org();
    let issue = org
        .visible_issues()
        .next()
        .map(|i| i.key.clone())
        .unwrap_or_default();
    let all = org
        .visible_issues()
        .map(|i| i.worklogs.len())
        .sum::<usize>();
    let (s, _, v) = api.get("/rest/api/3/worklog/updated?since=0").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["values"].as_array().map(Vec::len), Some(all.min(1000)));

    let applied = sim
        .mutate(Mutation::AddWorklog {
            issue,
            time_spent_seconds: 1800,
            comment: Some(RichText::paragraph("pairing")),
        })
        .expect("mutation");
    let jirafe_jira_sim::Applied::WorklogAdded {
        worklog_id,
        updated_ms,
        ..
    } = applied
    else {
        panic!("unexpected {applied:?}");
    };
    let since = updated_ms - 600_000;
    let (_, _, v) = api
        .get(&format!("/rest/api/3/worklog/updated?since={since}"))
        .await;
    let listed = |v: &Value| {
        v["values"]
            .as_array()
            .map(|a| a.iter().any(|x| x["worklogId"] == json!(worklog_id)))
            .unwrap_or(false)
    };
    assert!(
        !listed(&v),
        "a worklog from the last minute must not be listed"
    );
    assert!(v["until"].as_i64().unwrap_or(i64::MAX) <= sim.now_ms() - 60_000);
    assert_eq!(v["lastPage"], true);
    sim.advance_clock(Duration::from_secs(61));
    let (_, _, v) = api
        .get(&format!("/rest/api/3/worklog/updated?since={since}"))
        .await;
    assert!(listed(&v));
    let (s, w) = api
        .post("/rest/api/3/worklog/list", &json!({"ids": [worklog_id]}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(w[0]["timeSpentSeconds"], 1800);
    sim.shutdown().await;
}

#[tokio::test]
async fn rate_limits_and_faults_have_headers_and_no_side_effects() {
    let sim = sim(50).await;
    let api = Api::new(&sim);
    sim.set_faults(Faults {
        rate_limit_every: Some(2),
        retry_after_secs: 7,
        ..Faults::default()
    });
    let (s1, _, _) = api.get("/rest/api/3/myself").await;
    let (s2, h2, v2) = api.get("/rest/api/3/myself").await;
    assert_eq!(s1, StatusCode::OK);
    assert_eq!(s2, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        h2.get("retry-after").and_then(|v| v.to_str().ok()),
        Some("7")
    );
    assert_eq!(
        h2.get("x-ratelimit-remaining")
            .and_then(|v| v.to_str().ok()),
        Some("0")
    );
    assert!(h2.get("x-ratelimit-reset").is_some() && h2.get("x-ratelimit-limit").is_some());
    assert!(v2["errorMessages"].is_array());
    let mut statuses = BTreeSet::new();
    for _ in 0..6 {
        statuses.insert(api.get("/rest/api/3/myself").await.0.as_u16());
    }
    assert!(statuses.contains(&503), "{statuses:?}");

    sim.set_faults(Faults {
        server_error_every: Some(1),
        ..Faults::default()
    });
    let mut statuses = BTreeSet::new();
    for _ in 0..3 {
        statuses.insert(api.get("/rest/api/3/serverInfo").await.0.as_u16());
    }
    assert_eq!(statuses, BTreeSet::from([500, 502, 503]));

    sim.set_faults(Faults {
        truncate_every: Some(1),
        ..Faults::default()
    });
    let r = api
        .http
        .get(format!("{}/rest/api/3/field", api.base))
        .basic_auth(&api.email, Some(&api.token))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::OK);
    let len = r.content_length();
    let body = r.bytes().await.expect("body");
    assert_eq!(len, Some(body.len() as u64));
    assert!(serde_json::from_slice::<Value>(&body).is_err());

    sim.set_faults(Faults::default());
    let stats = sim.stats();
    assert_eq!(stats.endpoint("GET /rest/api/3/myself"), 8);
    assert!(stats.status(429) + stats.status(503) >= 4);
    assert_eq!(stats.endpoint("GET /rest/api/3/field"), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn mutations_move_updated_and_show_in_search() {
    let sim = sim(300).await;
    let api = Api::new(&sim);
    let org0: std::sync::Arc<Org> = sim.org();
    let target = org0.visible_issues().nth(5).expect("issue").clone();
    let before = sim.now_ms();
    let applied = sim
        .mutate(Mutation::UpdateSummary {
            issue: target.key.clone(),
            summary: "Renamed by the test".into(),
        })
        .expect("mutation");
    let jirafe_jira_sim::Applied::IssueUpdated { updated_ms, .. } = applied else {
        panic!("unexpected {applied:?}");
    };
    assert!(updated_ms >= before && updated_ms > target.updated_ms);
    let (issues, _) = api
        .search_all(
            &format!("updated >= {updated_ms}"),
            &["summary", "updated"],
            100,
        )
        .await;
    assert_eq!(ids(&issues), BTreeSet::from([target.id]));
    assert_eq!(issues[0]["fields"]["summary"], "Renamed by the test");
    assert_eq!(
        issues[0]["fields"]["updated"],
        json!(jira_timestamp(updated_ms))
    );
    // The snapshot taken before is unchanged; the new one has the history.
    assert_eq!(
        org0.issue(&target.key).map(|i| i.summary.clone()),
        Some(target.summary.clone())
    );
    assert_eq!(
        sim.org().issue(&target.key).map(|i| i.histories.len()),
        Some(target.histories.len() + 1)
    );

    // Comments too, and stamps keep moving forward.
    let c = sim
        .mutate(Mutation::AddComment {
            issue: target.key.clone(),
            body: RichText::paragraph("hi"),
        })
        .expect("comment");
    let jirafe_jira_sim::Applied::CommentAdded { updated_ms: t2, .. } = c else {
        panic!("unexpected {c:?}");
    };
    assert!(t2 > updated_ms);

    // Create, delete, revoke.
    let created = sim
        .mutate(Mutation::CreateIssue {
            project: "WEB".into(),
            issue_type: "Bug".into(),
            summary: "New".into(),
        })
        .expect("create");
    let jirafe_jira_sim::Applied::IssueCreated { key, .. } = created else {
        panic!("unexpected {created:?}");
    };
    assert_eq!(
        api.get(&format!("/rest/api/3/issue/{key}")).await.0,
        StatusCode::OK
    );
    sim.mutate(Mutation::DeleteIssue { issue: key.clone() })
        .expect("delete");
    assert_eq!(
        api.get(&format!("/rest/api/3/issue/{key}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert!(sim.mutate(Mutation::DeleteIssue { issue: key }).is_err());

    sim.mutate(Mutation::RevokeBrowse {
        project: "PLAT".into(),
    })
    .expect("revoke");
    let (s, _) = api
        .post("/rest/api/3/search/jql", &json!({"jql": "project = PLAT"}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (_, _, projects) = api.get("/rest/api/3/project/search").await;
    let keys: Vec<&str> = projects["values"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| p["key"].as_str()).collect())
        .unwrap_or_default();
    assert!(!keys.contains(&"PLAT") && keys.contains(&"WEB"));
    sim.shutdown().await;
}

#[tokio::test]
async fn projects_fields_boards_and_sprints_look_like_jira() {
    let sim = sim(100).await;
    let api = Api::new(&sim);
    let (s, _, p) = api.get("/rest/api/3/project/search?maxResults=2").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(p["total"], 5);
    assert_eq!(p["isLast"], false);
    assert!(p["nextPage"].as_str().unwrap_or("").contains("startAt=2"));
    let (_, _, all) = api.get("/rest/api/3/project/search").await;
    let values = all["values"].as_array().cloned().unwrap_or_default();
    assert!(values.iter().any(|p| p["isPrivate"] == true));
    assert!(values.iter().all(|p| p["key"] != "LEGAL"));

    let (_, _, f) = api.get("/rest/api/3/field").await;
    let f = f.as_array().cloned().unwrap_or_default();
    assert!(
        f.iter()
            .any(|x| x["schema"]["custom"] == "com.pyxis.greenhopper.jira:gh-sprint")
    );
    assert!(
        f.iter()
            .any(|x| x["id"] == "summary" && x["custom"] == false)
    );

    let (_, _, b) = api.get("/rest/agile/1.0/board").await;
    let boards = b["values"].as_array().cloned().unwrap_or_default();
    let kanban = boards
        .iter()
        .find(|b| b["type"] == "kanban")
        .map(|b| b["id"].clone());
    let scrum = boards
        .iter()
        .find(|b| b["type"] == "scrum")
        .map(|b| b["id"].clone());
    let (s, _, e) = api
        .get(&format!(
            "/rest/agile/1.0/board/{}/sprint",
            kanban.unwrap_or_default()
        ))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["errorMessages"][0], "The board does not support sprints");
    let (s, _, sp) = api
        .get(&format!(
            "/rest/agile/1.0/board/{}/sprint",
            scrum.unwrap_or_default()
        ))
        .await;
    assert_eq!(s, StatusCode::OK);
    let sp = sp["values"].as_array().cloned().unwrap_or_default();
    assert!(sp.iter().any(|s| s["state"] == "active") && sp.iter().any(|s| s["state"] == "closed"));
    // The board of the project the owner cannot browse is not there.
    assert_eq!(
        api.get("/rest/agile/1.0/board/6/sprint").await.0,
        StatusCode::NOT_FOUND
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn links_never_reveal_issues_the_owner_cannot_see() {
    let sim = sim(1500).await;
    let api = Api::new(&sim);
    let org = sim.org();
    let hidden: BTreeSet<String> = org
        .issues
        .iter()
        .filter(|i| !i.visible_to_owner)
        .map(|i| i.id.to_string())
        .collect();
    let linked_to_hidden = org.visible_issues().filter(|i| {
        i.links
            .iter()
            .any(|l| hidden.contains(&l.other_issue_id.to_string()))
            || i.subtask_ids
                .iter()
                .any(|s| hidden.contains(&s.to_string()))
    });
    let ids: Vec<String> = linked_to_hidden
        .map(|i| i.id.to_string())
        .take(100)
        .collect();
    assert!(
        !ids.is_empty(),
        "the org should link visible issues to hidden ones"
    );
    let (s, v) = api
        .post(
            "/rest/api/3/issue/bulkfetch",
            &json!({"issueIdsOrKeys": ids, "fields": ["issuelinks", "subtasks", "parent"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let text = v.to_string();
    for h in &hidden {
        assert!(
            !text.contains(&format!("\"id\":\"{h}\"")),
            "hidden issue {h} leaked"
        );
    }
    sim.shutdown().await;
}
