//! `jirafe doctor`: is everything in place for a sync?

use futures::TryStreamExt;
use jirafe_partition_writer::Concurrency;

use crate::config::Config;
use crate::report::SkippedProject;
use crate::warehouse::Warehouse;

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Check {
    /// What was checked.
    pub name: &'static str,
    /// Passed?
    pub ok: bool,
    /// What was found, or what to fix. No secrets, no user content.
    pub detail: String,
}

/// The doctor's findings.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DoctorReport {
    /// Every check, in order.
    pub checks: Vec<Check>,
    /// Projects a sync would collect (keys).
    pub collect: Vec<String>,
    /// Projects a sync would skip, with reasons.
    pub skip: Vec<SkippedProject>,
}

impl DoctorReport {
    /// True when every check passed.
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }

    fn push(&mut self, name: &'static str, r: std::result::Result<String, String>) {
        let (ok, detail) = match r {
            Ok(d) => (true, d),
            Err(d) => (false, d),
        };
        self.checks.push(Check { name, ok, detail });
    }
}

/// Checks credentials (who am I, time zone), the projects that would be collected and
/// skipped, the hash key, and the warehouse (opened with `[warehouse.options]`): list,
/// put, read back, a refused second create (conditional writes work), delete of a probe
/// object under `_doctor/`. A failure names the step and the permission it needs.
pub async fn doctor(cfg: &Config) -> DoctorReport {
    let mut r = DoctorReport::default();
    r.push(
        "hash key",
        cfg.hash_key()
            .map(|k| format!("set (key id {})", k.key_id()))
            .map_err(|e| e.to_string()),
    );
    match cfg.jira_client() {
        Err(e) => r.push("jira", Err(e.to_string())),
        Ok(client) => {
            let me = client.myself().await;
            r.push(
                "credentials",
                me.as_ref()
                    .map(|m| {
                        format!(
                            "authenticated; account time zone {}",
                            m.time_zone.as_deref().unwrap_or("unknown")
                        )
                    })
                    .map_err(ToString::to_string),
            );
            if me.is_ok() {
                match client.projects().try_collect::<Vec<_>>().await {
                    Ok(projects) => {
                        let (collect, skip) = crate::sync::scope(cfg, &projects);
                        r.collect = collect.iter().map(|p| p.key.clone()).collect();
                        r.skip = skip;
                        r.push(
                            "projects",
                            Ok(format!(
                                "{} to collect, {} skipped",
                                r.collect.len(),
                                r.skip.len()
                            )),
                        );
                    }
                    Err(e) => r.push("projects", Err(e.to_string())),
                }
            }
        }
    }
    let warehouse = cfg
        .warehouse_url()
        .map_err(|e| e.to_string())
        .and_then(|u| {
            Warehouse::open_with_options(u, &cfg.warehouse.options).map_err(|e| e.to_string())
        });
    match warehouse {
        Err(e) => r.push("warehouse", Err(e)),
        Ok(w) => {
            let res = match probe(&w).await {
                Ok(()) => Ok(format!(
                    "{}: writable (list, put, get, conditional create, delete); concurrent writers kept apart by {}",
                    w.url,
                    concurrency_name(w.concurrency)
                )),
                Err(e) => Err(format!("{}: {e}", w.url)),
            };
            r.push("warehouse", res);
        }
    }
    r
}

#[cfg(feature = "s3")]
async fn probe(w: &Warehouse) -> Result<(), String> {
    jirafe_sink_s3::probe(w.store.as_ref(), &w.prefix)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Without `jirafe-sink-s3`: list, put, read back, conditional create, delete.
#[cfg(not(feature = "s3"))]
async fn probe(w: &Warehouse) -> Result<(), String> {
    use futures::StreamExt;
    use object_store::{ObjectStoreExt, PutMode, PutOptions};
    let path = w.path("_doctor/probe");
    let body: &'static [u8] = b"jirafe doctor probe";
    let step = |name: &'static str| move |e: object_store::Error| format!("{name} failed: {e}");
    if let Some(Err(e)) = w.store.list(Some(&w.prefix)).next().await {
        return Err(step("list")(e));
    }
    w.store.put(&path, body.into()).await.map_err(step("put"))?;
    let got = async { w.store.get(&path).await?.bytes().await }
        .await
        .map_err(step("get"))?;
    if got.as_ref() != body {
        return Err("get failed: read back different bytes".to_owned());
    }
    let create = PutOptions {
        mode: PutMode::Create,
        ..PutOptions::default()
    };
    let refused = matches!(
        w.store.put_opts(&path, body.into(), create).await,
        Err(object_store::Error::AlreadyExists { .. })
    );
    w.store.delete(&path).await.map_err(step("delete"))?;
    if refused {
        Ok(())
    } else {
        Err("conditional create failed: the store accepted a create of an existing object".into())
    }
}

fn concurrency_name(c: Concurrency) -> &'static str {
    match c {
        Concurrency::ConditionalPut => "conditional puts (If-None-Match / If-Match)",
        Concurrency::LockFile => "partition locks",
        _ => "conditional create, and partition locks where the store has no conditional update",
    }
}
