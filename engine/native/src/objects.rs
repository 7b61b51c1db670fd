//! Small object operations on the session's object stores (local files and registered `s3://`
//! buckets): the lake's pointer files, the clean-up of replaced data, and the carrying of
//! unchanged data files into a new generation. Data files themselves are written by the engine
//! (COPY / INSERT), never here.

use std::sync::Arc;

use datafusion::datasource::listing::ListingTableUrl;
use datafusion::error::DataFusionError;
use datafusion::prelude::SessionContext;
use futures::{StreamExt, TryStreamExt};
use object_store::path::Path;
use datafusion::parquet::arrow::async_reader::MetadataFetch;
use datafusion::parquet::errors::ParquetError;
use datafusion::parquet::file::metadata::ParquetMetaDataReader;
use futures::FutureExt;
use futures::future::BoxFuture;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};

use crate::errors::BridgeResult;
use crate::runtime::runtime;

pub struct ObjectOps<'a> {
    ctx: &'a SessionContext,
}

/// One listed object: its path relative to the listed location, its size in bytes and when it
/// was last modified (milliseconds since the epoch).
pub struct ListedObject {
    pub path: String,
    pub size: u64,
    pub last_modified_ms: i64,
}

/// What one column chunk of a Parquet file was written with, read from the file's footer.
pub struct ColumnChunkInfo {
    pub file: String,
    pub row_group: usize,
    pub column: String,
    pub compression: String,
    pub statistics: bool,
    pub page_index: bool,
    pub bloom_filter: bool,
    pub dictionary: bool,
}

/// Byte ranges of one object, for reading a Parquet footer without fetching the whole file.
struct RangeFetch {
    store: Arc<dyn ObjectStore>,
    path: Path,
}

impl MetadataFetch for RangeFetch {
    fn fetch(&mut self, range: std::ops::Range<u64>) -> BoxFuture<'_, Result<bytes::Bytes, ParquetError>> {
        async move {
            self.store
                .get_range(&self.path, range)
                .await
                .map_err(|e| ParquetError::External(Box::new(e)))
        }
        .boxed()
    }
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

    /// Writes the whole object only if nothing is there yet (a conditional PUT with
    /// `If-None-Match: *` on S3, an exclusive create locally); false when something was.
    pub fn put_if_absent(&self, location: &str, bytes: Vec<u8>) -> BridgeResult<bool> {
        let (store, path) = self.resolve(location)?;
        let options = PutOptions::from(PutMode::Create);
        match runtime().block_on(store.put_opts(&path, PutPayload::from(bytes), options)) {
            Ok(_) => Ok(true),
            Err(object_store::Error::AlreadyExists { .. }) | Err(object_store::Error::Precondition { .. }) => Ok(false),
            Err(e) => Err(DataFusionError::from(e).into()),
        }
    }

    /// Copies each `from` object to the `to` beside it, within one store: a hard link on a local
    /// file system and a server-side copy on S3, so no byte of the data goes through this
    /// process. An existing `to` is replaced. Runs up to 16 copies at once.
    pub fn copy_all(&self, from: &[String], to: &[String]) -> BridgeResult<()> {
        if from.len() != to.len() {
            return Err(DataFusionError::Execution(format!(
                "copy: {} sources for {} targets", from.len(), to.len())).into());
        }
        let mut pairs = Vec::with_capacity(from.len());
        for (source, target) in from.iter().zip(to) {
            let source_url = ListingTableUrl::parse(source)?;
            let target_url = ListingTableUrl::parse(target)?;
            if source_url.object_store().as_str() != target_url.object_store().as_str() {
                return Err(DataFusionError::Execution(format!(
                    "copy {source} to {target}: the two are in different stores")).into());
            }
            let store = self.ctx.runtime_env().object_store(source_url.object_store())?;
            pairs.push((store, source_url.prefix().clone(), target_url.prefix().clone(), source.clone()));
        }
        runtime().block_on(async {
            futures::stream::iter(pairs.into_iter().map(|(store, source, target, named)| async move {
                store.copy(&source, &target).await.map_err(|e| {
                    DataFusionError::Execution(format!("copy {named}: {e}"))
                })
            }))
            .buffer_unordered(16)
            .try_collect::<Vec<_>>()
            .await
        })?;
        Ok(())
    }

    /// Deletes exactly this object; false when it was not there.
    pub fn delete_one(&self, location: &str) -> BridgeResult<bool> {
        let (store, path) = self.resolve(location)?;
        match runtime().block_on(store.delete(&path)) {
            Ok(()) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(DataFusionError::from(e).into()),
        }
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
                ListedObject {
                    path: relative.to_string(),
                    size: meta.size,
                    last_modified_ms: meta.last_modified.timestamp_millis(),
                }
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

    /// The column chunks of every `.parquet` file under the location, from their footers.
    pub fn parquet_columns(&self, location: &str) -> BridgeResult<Vec<ColumnChunkInfo>> {
        let (store, prefix) = self.resolve(location)?;
        runtime().block_on(async {
            let metas: Vec<_> = store.list(Some(&prefix)).try_collect().await.map_err(DataFusionError::from)?;
            let mut out = Vec::new();
            for meta in metas.into_iter().filter(|m| m.location.as_ref().ends_with(".parquet")) {
                let fetch = RangeFetch { store: Arc::clone(&store), path: meta.location.clone() };
                let metadata = ParquetMetaDataReader::new()
                    .load_and_finish(fetch, meta.size)
                    .await
                    .map_err(DataFusionError::from)?;
                for (index, row_group) in metadata.row_groups().iter().enumerate() {
                    for column in row_group.columns() {
                        out.push(ColumnChunkInfo {
                            file: meta.location.to_string(),
                            row_group: index,
                            column: column.column_path().string(),
                            compression: column.compression().to_string(),
                            statistics: column.statistics().is_some(),
                            page_index: column.column_index_offset().is_some(),
                            bloom_filter: column.bloom_filter_offset().is_some(),
                            dictionary: column.dictionary_page_offset().is_some(),
                        });
                    }
                }
            }
            Ok(out)
        })
    }
}
