//! The write probe `jirafe doctor` runs against a warehouse: list, put, read back, delete.

use std::time::{SystemTime, UNIX_EPOCH};

use futures::StreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};

/// One step of [`probe`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProbeStep {
    /// Listing objects under the prefix (`s3:ListBucket`).
    List,
    /// Writing the probe object (`s3:PutObject`; with SSE-KMS also `kms:GenerateDataKey`).
    Put,
    /// Reading it back (`s3:GetObject`; with SSE-KMS also `kms:Decrypt`).
    Get,
    /// A second create of the same object with `If-None-Match: *` must be refused: the
    /// store honours the conditional writes partition replacement relies on.
    ConditionalCreate,
    /// Deleting it (`s3:DeleteObject`).
    Delete,
}

impl ProbeStep {
    /// The step's name: `list`, `put`, `get`, `delete`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProbeStep::List => "list",
            ProbeStep::Put => "put",
            ProbeStep::Get => "get",
            ProbeStep::ConditionalCreate => "conditional create",
            ProbeStep::Delete => "delete",
        }
    }

    /// What the step needs, for a hint after a failure.
    pub fn needs(self) -> &'static str {
        match self {
            ProbeStep::List => "permission to list the bucket (s3:ListBucket) under the prefix",
            ProbeStep::Put => {
                "permission to write objects (s3:PutObject; with SSE-KMS also kms:GenerateDataKey on the key)"
            }
            ProbeStep::Get => {
                "permission to read objects (s3:GetObject; with SSE-KMS also kms:Decrypt on the key)"
            }
            ProbeStep::ConditionalCreate => {
                "a store that refuses to create an object that exists (If-None-Match: *); without it concurrent writers can lose rows"
            }
            ProbeStep::Delete => {
                "permission to delete objects (s3:DeleteObject); sync deletes locks and retention deletes partitions"
            }
        }
    }
}

impl std::fmt::Display for ProbeStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed probe: which step, and the store's error.
#[derive(Debug, thiserror::Error)]
#[error("warehouse probe failed at '{step}' ({}): {source}", step.needs())]
#[non_exhaustive]
pub struct ProbeError {
    /// The step that failed.
    pub step: ProbeStep,
    /// The store's error (no credentials: `object_store` never puts them in errors).
    #[source]
    pub source: object_store::Error,
}

/// What a successful probe did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProbeReport {
    /// The probe object written and deleted.
    pub object: Path,
    /// Objects seen by the list step (at most the first page, capped at 1000).
    pub listed: usize,
}

/// Lists the prefix, then writes, reads back, tries to create again (which must be
/// refused) and deletes a small probe object `<prefix>/_doctor/probe-<unique>`, stopping
/// at the first step that fails.
///
/// A unique name means concurrent probes (two doctors, or a doctor during a sync) do not
/// interfere, and a leftover probe (a crash between put and delete) is harmless.
///
/// ```
/// # tokio_test_block_on(async {
/// use std::sync::Arc;
/// use object_store::{memory::InMemory, path::Path};
/// let store = Arc::new(InMemory::new());
/// let r = jirafe_sink_s3::probe(store.as_ref(), &Path::from("warehouse")).await?;
/// assert!(r.object.as_ref().starts_with("warehouse/_doctor/probe-"));
/// # Ok::<(), jirafe_sink_s3::ProbeError>(())
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
/// # }
/// ```
///
/// # Errors
/// [`ProbeError`] naming the step that failed. A read-back with different bytes is
/// reported as a failed [`ProbeStep::Get`].
pub async fn probe(store: &dyn ObjectStore, prefix: &Path) -> Result<ProbeReport, ProbeError> {
    let fail = |step| move |source| ProbeError { step, source };
    let mut listed = 0usize;
    let mut stream = store.list(Some(prefix));
    while let Some(item) = stream.next().await {
        item.map_err(fail(ProbeStep::List))?;
        listed += 1;
        if listed >= 1000 {
            break;
        }
    }
    drop(stream);

    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let name = format!("probe-{}-{nanos:x}", std::process::id());
    let object = prefix.clone().join("_doctor").join(name.as_str());
    let body = format!("jirafe doctor probe {nanos:x}\n").into_bytes();

    store
        .put(&object, PutPayload::from(body.clone()))
        .await
        .map_err(fail(ProbeStep::Put))?;
    let got = async { store.get(&object).await?.bytes().await }
        .await
        .map_err(fail(ProbeStep::Get))?;
    if got.as_ref() != body.as_slice() {
        return Err(ProbeError {
            step: ProbeStep::Get,
            source: object_store::Error::Generic {
                store: "probe",
                source: "the object read back differs from the one written".into(),
            },
        });
    }
    let again = PutOptions {
        mode: PutMode::Create,
        ..PutOptions::default()
    };
    let conditional = match store.put_opts(&object, PutPayload::from(body), again).await {
        Err(object_store::Error::AlreadyExists { .. }) => Ok(()),
        Ok(_) => Err(object_store::Error::Generic {
            store: "probe",
            source: "the store accepted a create of an existing object: it ignores If-None-Match"
                .into(),
        }),
        Err(e) => Err(e),
    };
    // Delete even when the conditional check failed, then report the first failure.
    let deleted = store.delete(&object).await;
    conditional.map_err(fail(ProbeStep::ConditionalCreate))?;
    deleted.map_err(fail(ProbeStep::Delete))?;
    Ok(ProbeReport { object, listed })
}
