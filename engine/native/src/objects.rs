//! Small object operations on the session's object stores (local files and registered `s3://`
//! buckets): the lake's pointer files and the clean-up of replaced data. Data files themselves
//! are written by the engine (COPY / INSERT), never here.

use std::sync::Arc;

use datafusion::datasource::listing::ListingTableUrl;
use datafusion::error::DataFusionError;
use datafusion::prelude::SessionContext;
use futures::TryStreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::errors::BridgeResult;
use crate::runtime::runtime;

pub struct ObjectOps<'a> {
    ctx: &'a SessionContext,
}

/// One listed object: its path relative to the listed location, and its size in bytes.
pub struct ListedObject {
    pub path: String,
    pub size: u64,
}

impl<'a> ObjectOps<'a> {
    pub fn new(ctx: &'a SessionContext) -> Self {
        ObjectOps { ctx }
    }

    fn resolve(&self, location: &str) -> BridgeResult<(Arc<dyn ObjectStore>, Path)> {
        let url = ListingTableUrl::parse(location)?;
        let store = self.ctx.runtime_env().object_store(url.object_store())?;
        Ok((store, url.prefix().clone()))
    }

    /// The whole object, or None when it does not exist.
    pub fn get(&self, location: &str) -> BridgeResult<Option<Vec<u8>>> {
        let (store, path) = self.resolve(location)?;
        runtime().block_on(async {
            match store.get(&path).await {
                Ok(result) => Ok(Some(result.bytes().await.map_err(DataFusionError::from)?.to_vec())),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(DataFusionError::from(e).into()),
            }
        })
    }

    /// Writes the whole object at once: a single PUT on S3, a write-then-rename locally, so
    /// readers see the old or the new content, never a part.
    pub fn put(&self, location: &str, bytes: Vec<u8>) -> BridgeResult<()> {
        let (store, path) = self.resolve(location)?;
        runtime().block_on(store.put(&path, PutPayload::from(bytes))).map_err(DataFusionError::from)?;
        Ok(())
    }

    /// Every object under the location (recursively), sorted by path.
    pub fn list(&self, location: &str) -> BridgeResult<Vec<ListedObject>> {
        let (store, prefix) = self.resolve(location)?;
        let metas: Vec<_> = runtime()
            .block_on(store.list(Some(&prefix)).try_collect::<Vec<_>>())
            .map_err(DataFusionError::from)?;
        let base = prefix.as_ref().len();
        let mut listed: Vec<ListedObject> = metas
            .into_iter()
            .map(|meta| {
                let full = meta.location.as_ref();
                let relative = full.get(base..).unwrap_or(full).trim_start_matches('/');
                ListedObject { path: relative.to_string(), size: meta.size }
            })
            .collect();
        listed.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(listed)
    }

    /// Deletes every object under the location; returns how many were deleted.
    pub fn delete_all(&self, location: &str) -> BridgeResult<u64> {
        let (store, prefix) = self.resolve(location)?;
        runtime().block_on(async {
            let metas: Vec<_> = store.list(Some(&prefix)).try_collect().await.map_err(DataFusionError::from)?;
            let mut deleted = 0u64;
            for meta in metas {
                match store.delete(&meta.location).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => deleted += 1,
                    Err(e) => return Err(DataFusionError::from(e).into()),
                }
            }
            Ok(deleted)
        })
    }
}
