//! Criterion bench: serving enhanced-search pages over loopback HTTP (20,000-issue org).
//!
//! Run: `cargo bench -p jirafe-jira-sim --bench serve -- --warm-up-time 1 --measurement-time 3`

// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jirafe_jira_sim::{OrgConfig, SimConfig, SimServer};
use serde_json::json;

fn serve(c: &mut Criterion) {
    let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    else {
        return;
    };
    let Ok(sim) = rt.block_on(SimServer::start(SimConfig {
        org: OrgConfig::new(42, 20_000),
        ..SimConfig::default()
    })) else {
        return;
    };
    let http = reqwest::Client::new();
    let creds = sim.credentials();
    let url = format!("{}/rest/api/3/search/jql", sim.base_url());
    let mut g = c.benchmark_group("serve");
    g.sample_size(10);
    for (name, fields, max) in [
        (
            "page_100_full",
            json!(["*navigable", "comment", "worklog"]),
            100u64,
        ),
        ("census_5000_ids", json!(["id"]), 5000u64),
    ] {
        g.throughput(Throughput::Elements(max));
        let body = json!({"jql": "ORDER BY id ASC", "fields": fields, "maxResults": max});
        g.bench_function(name, |b| {
            b.iter(|| {
                rt.block_on(async {
                    let r = http
                        .post(&url)
                        .basic_auth(&creds.email, Some(&creds.api_token))
                        .json(&body)
                        .send()
                        .await;
                    if let Ok(r) = r {
                        let _ = r.bytes().await;
                    }
                })
            })
        });
    }
    g.finish();
    rt.block_on(sim.shutdown());
}

criterion_group!(benches, serve);
criterion_main!(benches);
