//! One-off load: the issues of a JQL query, pseudonymized and scrubbed, into local Parquet.
//!
//! ```sh
//! # against your Jira (JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN, JIRAFE_HASH_KEY set):
//! cargo run --example jql_to_parquet -- 'project = ENG AND updated >= -30d' /tmp/eng
//! # without JIRA_BASE_URL it runs against the built-in simulated Jira:
//! cargo run --example jql_to_parquet -- 'project = MOB' /tmp/mob
//! ```
#![allow(clippy::print_stdout)]

use futures::TryStreamExt;
use jirafe::jira_client::SearchRequest;
use jirafe::partition_writer::PartitionWriter;
use jirafe::pipeline::{Config, RunPrivacy, Warehouse, simulated_jira};
use jirafe::schema::{FieldCatalog, Flattener, IssueRecord, Table};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let jql = args
        .next()
        .unwrap_or_else(|| "project = MOB ORDER BY updated".into());
    let out = args.next().unwrap_or_else(|| "jql-to-parquet".into());

    let (_sim, cfg) = match std::env::var("JIRA_BASE_URL") {
        Ok(_) => (None, Config::load(None, |k| std::env::var(k).ok())?),
        Err(_) => simulated_jira(300).await.map(|(s, c)| (Some(s), c))?,
    };
    let client = cfg.jira_client()?;
    let catalog = FieldCatalog::new(&client.fields().await?);
    let mut privacy = RunPrivacy::new(cfg.hash_key()?, Default::default(), Vec::new())?;
    for u in client
        .users()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_or_default()
    {
        privacy.observe(&u);
    }
    privacy.refresh()?;

    let warehouse = Warehouse::open(&out)?;
    let writer = PartitionWriter::new(warehouse.store.clone(), warehouse.prefix.clone());
    let mut pages = client.search_complete(SearchRequest::new(jql));
    let mut total = 0;
    while let Some(page) = pages.try_next().await? {
        let page: Vec<_> = page
            .into_iter()
            .filter(|b| !b.issue.has_security_level())
            .collect();
        let mut f = Flattener::new(&privacy, catalog.clone());
        for b in &page {
            f.append_issue(
                IssueRecord::new(&b.issue)
                    .with_comments(&b.comments)
                    .with_worklogs(&b.worklogs)
                    .with_changelog(&b.changelog),
            )?;
        }
        for (table, batch) in f.finish()?.non_empty() {
            writer.upsert(&Table::spec(table)?, [batch.clone()]).await?;
        }
        total += page.len();
    }
    println!("{total} issues written to {out}/ (issues, comments, changelog, worklogs, …)");
    Ok(())
}
