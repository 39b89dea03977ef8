//! Sync state: per-project cursors and known issue ids. Ids and instants only — never
//! content. Stored as `_state/cursors.json` and `_state/ids/<project id>.json` in the
//! warehouse and written only after the partitions they describe are durable.
//!
//! Several processes may sync different projects into one warehouse: saving the cursors
//! re-reads the object and applies only this process's changes, replacing it with a
//! conditional update where the store has one (S3, GCS, Azure, memory), so one process's
//! cursor never overwrites another's.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::warehouse::Warehouse;

/// Where a project's incremental sync stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectCursor {
    /// Project key at the last run (informational; the id is the key of the map).
    pub key: String,
    /// The largest `updated` (epoch ms) written to the warehouse.
    pub updated_ms: Option<i64>,
    /// Completed runs.
    pub runs: u64,
}

/// All cursors.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncState {
    /// Format version.
    pub version: u32,
    /// By project id.
    pub projects: BTreeMap<i64, ProjectCursor>,
    /// This process's changes since loading (`None` = removed), applied on save.
    #[serde(skip)]
    changes: BTreeMap<i64, Option<ProjectCursor>>,
}

const CURSORS: &str = "_state/cursors.json";

fn ids_path(project_id: i64) -> String {
    format!("_state/ids/{project_id}.json")
}

impl SyncState {
    /// Loads the state, or an empty one for a first run.
    ///
    /// # Errors
    /// A store failure or an unreadable state object.
    pub async fn load(w: &Warehouse) -> Result<SyncState> {
        Ok(w.get_json(CURSORS).await?.unwrap_or(SyncState {
            version: 1,
            ..SyncState::default()
        }))
    }

    /// Sets a project's cursor (saved by [`save`](Self::save)).
    pub fn set_project(&mut self, project_id: i64, cursor: ProjectCursor) {
        self.projects.insert(project_id, cursor.clone());
        self.changes.insert(project_id, Some(cursor));
    }

    /// Forgets a project (saved by [`save`](Self::save)).
    pub fn remove_project(&mut self, project_id: i64) {
        self.projects.remove(&project_id);
        self.changes.insert(project_id, None);
    }

    /// Saves this process's changes: re-reads the stored cursors, applies the changes,
    /// and replaces the object — conditionally on the version read where the store
    /// supports it (retrying when another process wrote in between), else with a plain
    /// PUT right after the read.
    ///
    /// # Errors
    /// A store failure, or an unreadable state object.
    pub async fn save(&mut self, w: &Warehouse) -> Result<()> {
        use object_store::{ObjectStoreExt, PutMode, PutOptions, UpdateVersion};
        let path = w.path(CURSORS);
        let store_err = |source| crate::error::Error::Store {
            path: path.to_string(),
            source,
        };
        for _ in 0..50 {
            let (mut current, mode) = match w.store.get(&path).await {
                Ok(r) => {
                    let version = UpdateVersion {
                        e_tag: r.meta.e_tag.clone(),
                        version: r.meta.version.clone(),
                    };
                    let bytes = r.bytes().await.map_err(store_err)?;
                    let current: SyncState =
                        serde_json::from_slice(&bytes).map_err(|e| crate::error::Error::State {
                            path: path.to_string(),
                            reason: format!("line {} column {}", e.line(), e.column()),
                        })?;
                    (current, PutMode::Update(version))
                }
                Err(object_store::Error::NotFound { .. }) => (
                    SyncState {
                        version: 1,
                        ..SyncState::default()
                    },
                    PutMode::Create,
                ),
                Err(e) => return Err(store_err(e)),
            };
            for (pid, change) in &self.changes {
                match change {
                    Some(c) => current.projects.insert(*pid, c.clone()),
                    None => current.projects.remove(pid),
                };
            }
            let body =
                serde_json::to_vec_pretty(&current).map_err(|e| crate::error::Error::State {
                    path: path.to_string(),
                    reason: e.to_string(),
                })?;
            let opts = PutOptions {
                mode,
                ..PutOptions::default()
            };
            match w.store.put_opts(&path, body.clone().into(), opts).await {
                Ok(_) => {}
                Err(object_store::Error::Precondition { .. })
                | Err(object_store::Error::AlreadyExists { .. }) => continue,
                // No conditional update (local disk, lock-mode servers): the read above
                // was just now, so only a write in the last moment can be lost.
                Err(object_store::Error::NotImplemented { .. }) => {
                    w.store.put(&path, body.into()).await.map_err(store_err)?;
                }
                Err(e) => return Err(store_err(e)),
            }
            self.projects = current.projects;
            self.changes.clear();
            return Ok(());
        }
        Err(crate::error::Error::State {
            path: path.to_string(),
            reason: "could not save after 50 attempts (heavy contention)".into(),
        })
    }

    /// The ids of a project's issues in the warehouse.
    ///
    /// # Errors
    /// A store failure or an unreadable object.
    pub async fn known_ids(w: &Warehouse, project_id: i64) -> Result<BTreeSet<i64>> {
        Ok(w.get_json(&ids_path(project_id)).await?.unwrap_or_default())
    }

    /// Saves the ids of a project's issues in the warehouse.
    ///
    /// # Errors
    /// A store failure.
    pub async fn save_known_ids(w: &Warehouse, project_id: i64, ids: &BTreeSet<i64>) -> Result<()> {
        w.put_json(&ids_path(project_id), ids).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(key: &str, ms: i64) -> ProjectCursor {
        ProjectCursor {
            key: key.into(),
            updated_ms: Some(ms),
            runs: 1,
        }
    }

    #[tokio::test]
    async fn two_processes_saving_different_projects_keep_both_cursors() {
        let dir = tempfile::tempdir().unwrap();
        for w in [
            Warehouse::open("memory://").unwrap(),
            Warehouse::open(dir.path().to_str().unwrap()).unwrap(),
        ] {
            let mut first = SyncState::load(&w).await.unwrap();
            first.set_project(1, cursor("OLD", 5));
            first.save(&w).await.unwrap();
            // Two processes load the same state, then each checkpoints its own project.
            let mut a = SyncState::load(&w).await.unwrap();
            let mut b = SyncState::load(&w).await.unwrap();
            a.set_project(10, cursor("ABC", 100));
            b.set_project(20, cursor("DEF", 200));
            b.remove_project(1);
            a.save(&w).await.unwrap();
            b.save(&w).await.unwrap();
            let stored = SyncState::load(&w).await.unwrap();
            assert_eq!(
                stored.projects.get(&10),
                Some(&cursor("ABC", 100)),
                "{}",
                w.url
            );
            assert_eq!(stored.projects.get(&20), Some(&cursor("DEF", 200)));
            assert!(!stored.projects.contains_key(&1));
            // A later save by `a` does not bring back what `b` removed or drop `b`'s cursor.
            a.set_project(10, cursor("ABC", 150));
            a.save(&w).await.unwrap();
            let stored = SyncState::load(&w).await.unwrap();
            assert_eq!(stored.projects.len(), 2);
            assert_eq!(stored.projects[&10].updated_ms, Some(150));
        }
    }
}
