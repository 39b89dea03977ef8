//! The store handed out by [`open`](crate::open): the `object_store` store, wrapped so that
//! `Debug` shows no credential and, in lock mode, conditional writes mean what the
//! partition writer needs them to mean on servers whose own checks are not atomic.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::BoxStream;
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    ObjectStoreExt, PutMode, PutMultipartOptions, PutOptions, PutPayload, PutResult, RenameOptions,
    Result,
};

/// A store wrapper. In lock mode (`settle` is `Some`):
///
/// - `PutMode::Update` answers `NotImplemented`, so the partition writer takes its
///   partition lock and overwrites under it instead of trusting `If-Match`;
/// - a successful `PutMode::Create` is verified: after `settle`, the object is read back
///   and must hold exactly the bytes written, otherwise the create is reported as
///   `AlreadyExists` (another writer's create passed the server's check at the same time).
pub(crate) struct Guarded {
    inner: Arc<dyn ObjectStore>,
    label: String,
    settle: Option<Duration>,
}

impl Guarded {
    pub(crate) fn new(
        inner: Arc<dyn ObjectStore>,
        label: String,
        settle: Option<Duration>,
    ) -> Self {
        Guarded {
            inner,
            label,
            settle,
        }
    }

    async fn verified_create(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
        settle: Duration,
    ) -> Result<PutResult> {
        let written = payload.clone();
        let result = self.inner.put_opts(location, payload, opts).await?;
        tokio::time::sleep(settle).await;
        let lost = |why: &'static str| object_store::Error::AlreadyExists {
            path: location.to_string(),
            source: why.into(),
        };
        let stored = match self.inner.get(location).await {
            Ok(r) => r.bytes().await?,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(lost("created, then gone before the settle check"));
            }
            Err(e) => return Err(e),
        };
        if same_bytes(&written, &stored) {
            Ok(result)
        } else {
            tracing::debug!(path = %location, "concurrent create detected by read-back; reporting AlreadyExists");
            Err(lost("a concurrent create replaced this one"))
        }
    }
}

fn same_bytes(payload: &PutPayload, stored: &Bytes) -> bool {
    if payload.content_length() != stored.len() {
        return false;
    }
    let mut at = 0usize;
    for chunk in payload {
        let end = at + chunk.len();
        if stored.get(at..end) != Some(chunk.as_ref()) {
            return false;
        }
        at = end;
    }
    true
}

impl fmt::Debug for Guarded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WarehouseStore")
            .field("store", &self.label)
            .field(
                "concurrency",
                &if self.settle.is_some() {
                    "lock"
                } else {
                    "conditional_put"
                },
            )
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Guarded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

#[async_trait]
impl ObjectStore for Guarded {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        match (&opts.mode, self.settle) {
            (PutMode::Update(_), Some(_)) => Err(object_store::Error::NotImplemented {
                operation: "`put_opts` with mode `PutMode::Update` (concurrency = lock)".into(),
                implementer: self.label.clone(),
            }),
            (PutMode::Create, Some(settle)) => {
                self.verified_create(location, payload, opts, settle).await
            }
            _ => self.inner.put_opts(location, payload, opts).await,
        }
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        self.inner.get_opts(location, options).await
    }

    async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
        self.inner.get_ranges(location, ranges).await
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        self.inner.list(prefix)
    }

    fn list_with_offset(
        &self,
        prefix: Option<&Path>,
        offset: &Path,
    ) -> BoxStream<'static, Result<ObjectMeta>> {
        self.inner.list_with_offset(prefix, offset)
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.inner.copy_opts(from, to, options).await
    }

    async fn rename_opts(&self, from: &Path, to: &Path, options: RenameOptions) -> Result<()> {
        self.inner.rename_opts(from, to, options).await
    }
}
