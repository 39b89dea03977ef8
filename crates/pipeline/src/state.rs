//! Sync state: per-project cursors and known issue ids. Ids and instants only — never
//! content. Stored as `_state/cursors.json` and `_state/ids/<project id>.json` in the
//! warehouse and written only after the partitions they describe are durable.

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
            projects: BTreeMap::new(),
        }))
    }

    /// Saves the state (one PUT).
    ///
    /// # Errors
    /// A store failure.
    pub async fn save(&self, w: &Warehouse) -> Result<()> {
        w.put_json(CURSORS, self).await
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
