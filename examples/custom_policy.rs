//! A load with a custom column policy: keep summaries as they are (a team decided they hold
//! no personal data), drop descriptions entirely, pseudonymize labels, scrub the rest.
//!
//! ```sh
//! cargo run --example custom_policy -- /tmp/custom   # simulated Jira unless JIRA_BASE_URL is set
//! ```
#![allow(clippy::print_stdout)]

use jirafe::pipeline::{Config, NoProgress, Sync, Warehouse, simulated_jira};

const POLICY: &str = r#"
[privacy.policy.tables.issues]
summary = "keep"
description = "drop"
labels = "pseudonymize"
"#;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "custom-policy".into());
    let (_sim, mut cfg) = match std::env::var("JIRA_BASE_URL") {
        Ok(_) => (None, Config::load(None, |k| std::env::var(k).ok())?),
        Err(_) => simulated_jira(300).await.map(|(s, c)| (Some(s), c))?,
    };
    cfg.privacy.policy = Config::from_toml(POLICY)?.privacy.policy;
    cfg.warehouse.url = Some(out.clone());

    let warehouse = Warehouse::open(&out)?;
    let mut sync = Sync::new(&cfg, cfg.jira_client()?, warehouse, cfg.hash_key()?)?;
    let report = sync.run(&mut NoProgress).await?;
    println!(
        "{} issues into {out}/ with summaries kept and descriptions dropped",
        report.issues()
    );
    println!("rows per table: {:?}", report.rows);
    Ok(())
}
