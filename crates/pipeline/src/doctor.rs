//! `jirafe doctor`: is everything in place for a sync?

use futures::TryStreamExt;
use object_store::ObjectStoreExt;

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
/// skipped, the hash key, and that the warehouse is writable (put, read, delete of a
/// probe object).
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
        .and_then(|u| Warehouse::open(u).map_err(|e| e.to_string()));
    match warehouse {
        Err(e) => r.push("warehouse", Err(e)),
        Ok(w) => {
            let probe = w.path("_doctor/probe");
            let res = async {
                w.store
                    .put(&probe, bytes_probe().into())
                    .await
                    .map_err(|e| format!("put failed: {e}"))?;
                let got = w
                    .store
                    .get(&probe)
                    .await
                    .map_err(|e| format!("read failed: {e}"))?
                    .bytes()
                    .await
                    .map_err(|e| format!("read failed: {e}"))?;
                if got.as_ref() != bytes_probe() {
                    return Err("read back different bytes".to_owned());
                }
                w.store
                    .delete(&probe)
                    .await
                    .map_err(|e| format!("delete failed: {e}"))?;
                Ok(format!("{}: writable (put, read, delete)", w.url))
            }
            .await;
            r.push("warehouse", res);
        }
    }
    r
}

fn bytes_probe() -> &'static [u8] {
    b"jirafe doctor probe"
}
