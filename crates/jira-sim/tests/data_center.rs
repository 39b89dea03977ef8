//! The Data Center flavor: REST v2, startAt/total paging, wiki markup, users by name/key.

use std::collections::BTreeSet;

use jirafe_jira_sim::{Flavor, OrgConfig, SimConfig, SimServer};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

async fn get(http: &Client, sim: &SimServer, path: &str) -> (StatusCode, Value) {
    let r = http
        .get(format!("{}{path}", sim.base_url()))
        .bearer_auth(sim.credentials().pat)
        .send()
        .await
        .expect("request");
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn data_center_pages_by_start_at_and_sends_wiki_markup() {
    let cfg = SimConfig {
        org: OrgConfig::new(4, 400),
        flavor: Flavor::DataCenter,
        ..SimConfig::default()
    };
    let sim = SimServer::start(cfg).await.expect("start");
    let http = Client::new();
    let org = sim.org();

    let (s, info) = get(&http, &sim, "/rest/api/2/serverInfo").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(info["deploymentType"], "Server");
    let (s, me) = get(&http, &sim, "/rest/api/2/myself").await;
    assert_eq!(s, StatusCode::OK);
    assert!(me.get("accountId").is_none() && me["name"].is_string() && me["key"].is_string());
    // Cloud endpoints do not exist on Data Center.
    let (s, _) = get(&http, &sim, "/rest/api/3/search/jql").await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // startAt/total paging over the whole org.
    let mut seen = BTreeSet::new();
    let mut start = 0;
    loop {
        let (s, v) = get(
            &http,
            &sim,
            &format!("/rest/api/2/search?jql=ORDER%20BY%20id%20ASC&startAt={start}&maxResults=150&fields=summary,comment,description"),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let total = v["total"].as_u64().unwrap_or(0) as usize;
        let page = v["issues"].as_array().cloned().unwrap_or_default();
        for i in &page {
            seen.insert(i["id"].as_str().unwrap_or("").to_owned());
            let truth = org.issue(i["key"].as_str().unwrap_or("")).expect("issue");
            // Every comment inline; bodies are wiki strings.
            assert_eq!(
                i["fields"]["comment"]["comments"].as_array().map(Vec::len),
                Some(truth.comments.len())
            );
            if let Some(c) = i["fields"]["comment"]["comments"]
                .as_array()
                .and_then(|a| a.first())
            {
                assert!(c["body"].is_string());
                assert!(c["author"]["name"].is_string());
            }
            if truth.description.is_some() {
                assert!(i["fields"]["description"].is_string());
            }
        }
        start += page.len();
        if start >= total || page.is_empty() {
            break;
        }
    }
    let truth: BTreeSet<String> = org.visible_issues().map(|i| i.id.to_string()).collect();
    assert_eq!(seen, truth);

    // Mentions become [~name].
    let mentioned = org
        .visible_issues()
        .flat_map(|i| i.comments.iter().map(move |c| (i, c)))
        .find(|(_, c)| !c.body.mentions().is_empty());
    if let Some((issue, c)) = mentioned {
        let (_, v) = get(
            &http,
            &sim,
            &format!("/rest/api/2/issue/{}/comment?maxResults=1000", issue.key),
        )
        .await;
        let body = v["comments"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["id"] == json!(c.id.to_string())))
            .map(|x| x["body"].as_str().unwrap_or("").to_owned())
            .unwrap_or_default();
        let name = org.dc_user_name(c.body.mentions()[0]).unwrap_or_default();
        assert!(body.contains(&format!("[~{name}]")), "{body}");
    }

    // Every history inline on the issue.
    let big = org
        .visible_issues()
        .max_by_key(|i| i.histories.len())
        .expect("issue");
    let (_, v) = get(
        &http,
        &sim,
        &format!(
            "/rest/api/2/issue/{}?expand=changelog&fields=summary",
            big.id
        ),
    )
    .await;
    assert_eq!(
        v["changelog"]["histories"].as_array().map(Vec::len),
        Some(big.histories.len())
    );
    sim.shutdown().await;
}
