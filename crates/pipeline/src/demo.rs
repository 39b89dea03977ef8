//! `jirafe demo`: the simulated Jira in-process, the whole sync into a local folder.

use std::path::Path;

use jirafe_jira_client::{Auth, ClientBuilder};
use jirafe_jira_sim::{OrgConfig, SimConfig, SimServer};
use jirafe_pii_scrub::HashKey;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::sync::Progress;
use crate::warehouse::Warehouse;

/// A demo key, fresh for every run: the demo's pseudonyms cannot be linked across runs.
fn demo_key() -> Result<HashKey> {
    Ok(HashKey::from_bytes(&demo_key_bytes())?)
}

fn demo_key_bytes() -> [u8; 32] {
    use std::hash::{BuildHasher, Hasher};
    let mut bytes = [0u8; 32];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(i);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    bytes
}

/// Starts the simulated Jira (seed 42, `issues` issues) on loopback and returns it with a
/// configuration pointing at it (a fresh random hash key; warehouse and scope unset). For
/// examples and tests that need a Jira without credentials.
///
/// # Errors
/// When the simulator cannot bind a loopback port.
pub async fn simulated_jira(issues: usize) -> Result<(SimServer, Config)> {
    let sim = SimServer::start(SimConfig {
        org: OrgConfig::new(42, issues),
        ..SimConfig::default()
    })
    .await?;
    let creds = sim.credentials();
    let mut cfg = Config::default();
    cfg.jira.base_url = Some(sim.base_url());
    cfg.jira.email = Some(creds.email);
    cfg.secrets.api_token = Some(jirafe_jira_client::Secret::new(creds.api_token));
    cfg.secrets.hash_key = Some(jirafe_jira_client::Secret::new(hex_key(&demo_key_bytes())));
    Ok((sim, cfg))
}

fn hex_key(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs the simulated organisation (`issues` issues, seed 42) through the full pipeline
/// into `out`, a local folder: the sync, the leak scan and the audit records (in `out`'s
/// `_audit/`; the demo keeps no local copy).
///
/// # Errors
/// When the folder cannot be created or any stage fails.
pub async fn run_demo(
    out: &Path,
    issues: usize,
    progress: &mut dyn Progress,
) -> Result<crate::job::JobOutcome> {
    let sim = SimServer::start(SimConfig {
        org: OrgConfig::new(42, issues),
        ..SimConfig::default()
    })
    .await?;
    let creds = sim.credentials();
    let out_str = out.to_str().ok_or(Error::Config {
        key: "--out",
        reason: "is not valid UTF-8".into(),
    })?;
    let warehouse = Warehouse::open(out_str)?;
    let mut cfg = Config::default();
    cfg.jira.base_url = Some(sim.base_url());
    cfg.jira.email = Some(creds.email.clone());
    cfg.warehouse.url = Some(out_str.to_owned());
    let client = ClientBuilder::new(sim.base_url())
        .with_auth(Auth::basic(creds.email, creds.api_token))
        .build()?;
    let outcome = crate::job::run_sync_job(
        &cfg,
        client,
        warehouse,
        demo_key()?,
        &crate::job::JobOptions::default(),
        progress,
    )
    .await?;
    sim.shutdown().await;
    Ok(outcome)
}
