//! One DataFusion session and everything Java can ask of it. No JNI types here: `exports.rs`
//! translates between Java and these calls.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use arrow::array::{ArrayData, make_array};
use arrow::buffer::{BooleanBuffer, Buffer, NullBuffer};
use arrow::datatypes::SchemaRef;
use arrow::ffi_stream::{ArrowArrayStreamReader, FFI_ArrowArrayStream};
use arrow::record_batch::{RecordBatch, RecordBatchReader};
use datafusion::catalog::{CatalogProvider, MemTable, MemoryCatalogProvider, SchemaProvider, TableProvider};
use datafusion::execution::SessionStateBuilder;
use datafusion::execution::memory_pool::{FairSpillPool, GreedyMemoryPool, MemoryPool};
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::common::TableReference;
use datafusion::config::ConfigFileType;
use datafusion::logical_expr::{LogicalPlan, SetVariable, Statement};
use datafusion::physical_plan::displayable;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::errors::{BridgeError, BridgeResult};
use crate::object_stores::S3StoreSpec;
use crate::files_table::{FileListTable, FilesSpec};
use crate::listing::{ListingSpec, as_listing, listing_provider};
use crate::projected_table::ProjectedTable;
use crate::registry_catalog::RegistrySchema;
use crate::objects::ObjectOps;
use crate::result_stream::{materialized, streaming};
use crate::runtime::runtime;

const RUNTIME_PREFIX: &str = "datafusion.runtime.";
const CATALOG_FORMAT: &str = "datafusion.catalog.format";

pub struct Session {
    ctx: SessionContext,
    /// Registry schemas being filled, by `catalog.schema`; published whole, so a query never
    /// sees one half declared.
    staged: Mutex<HashMap<(String, String), RegistrySchema>>,
}

/// The three plans of one statement, as text.
pub struct PlanTexts {
    pub logical: String,
    pub optimized: String,
    pub physical: String,
}

impl Session {
    /// Builds a session. `settings` are `datafusion.*` keys: session options go into the
    /// `SessionConfig` before the state is built (the catalog auto-load keys are only read
    /// then), `datafusion.runtime.*` keys are applied as SET statements afterwards.
    /// `limits` are the runtime limits (`memory_limit_bytes`, `memory_pool`, `spill_directory`,
    /// `max_spill_bytes`); `stores` are registered before the state is built, so that an
    /// `s3://` catalog location can be listed.
    pub fn open(
        settings: Vec<(String, String)>,
        limits: HashMap<String, String>,
        stores: Vec<S3StoreSpec>,
    ) -> BridgeResult<Self> {
        let mut config = SessionConfig::new();
        let mut runtime_settings = Vec::new();
        for (key, value) in settings {
            if key.starts_with(RUNTIME_PREFIX) {
                runtime_settings.push((key, value));
            } else if key == CATALOG_FORMAT {
                // The auto-loader looks the format up among the table factories, whose keys are
                // upper case; 'parquet' would silently register nothing.
                config.options_mut().set(&key, &value.to_ascii_uppercase())?;
            } else {
                config.options_mut().set(&key, &value)?;
            }
        }
        let runtime_env = runtime_builder(&limits)?.build_arc()?;
        for spec in stores {
            let url = spec.url()?;
            runtime_env.register_object_store(&url, spec.build()?);
        }
        let autoload = config.options().catalog.location.is_some();
        // Building the state parses catalog.location and panics on an invalid URL; the guard of
        // the JNI entry turns that panic into a Java exception.
        let state = SessionStateBuilder::new()
            .with_config(config)
            .with_runtime_env(runtime_env)
            .with_default_features()
            .build();
        let session = Session { ctx: SessionContext::new_with_state(state), staged: Mutex::new(HashMap::new()) };
        for (variable, value) in runtime_settings {
            session.set_variable(variable, value)?;
        }
        if autoload {
            session.refresh_catalogs()?;
        }
        Ok(session)
    }

    /// Applies one setting the way SQL `SET` does, without building SQL text from input.
    fn set_variable(&self, variable: String, value: String) -> BridgeResult<()> {
        let plan = LogicalPlan::Statement(Statement::SetVariable(SetVariable { variable, value }));
        runtime().block_on(async { self.ctx.execute_logical_plan(plan).await?.collect().await })?;
        Ok(())
    }

    /// Plans and starts one statement. DDL, SET and PREPARE take effect inside `ctx.sql`.
    /// INSERT and COPY are run to completion here, so that a caller who never reads the
    /// returned count still gets the write; queries stream lazily.
    pub fn sql(&self, sql: &str) -> BridgeResult<FFI_ArrowArrayStream> {
        runtime().block_on(async {
            let df = self.ctx.sql(sql).await?;
            if matches!(df.logical_plan(), LogicalPlan::Dml(_) | LogicalPlan::Copy(_)) {
                let schema: SchemaRef = Arc::new(df.schema().as_arrow().clone());
                let batches = df.collect().await?;
                Ok(materialized(schema, batches))
            } else {
                Ok(streaming(df.execute_stream().await?))
            }
        })
    }

    /// The logical, optimized logical and physical plan of a statement, without running it
    /// (planning through the session state has no side effects, even for DDL).
    pub fn plans(&self, sql: &str) -> BridgeResult<PlanTexts> {
        runtime().block_on(async {
            let state = self.ctx.state();
            let logical = state.create_logical_plan(sql).await?;
            let optimized = state.optimize(&logical)?;
            let physical = state.create_physical_plan(&logical).await?;
            Ok(PlanTexts {
                logical: logical.display_indent_schema().to_string(),
                optimized: optimized.display_indent_schema().to_string(),
                physical: displayable(physical.as_ref()).indent(true).to_string(),
            })
        })
    }

    /// The DFSchema of a statement's logical plan as a tree (qualifiers, nullability, nesting).
    pub fn dfschema_tree(&self, sql: &str) -> BridgeResult<String> {
        runtime().block_on(async {
            let plan = self.ctx.state().create_logical_plan(sql).await?;
            Ok(plan.schema().tree_string().to_string())
        })
    }

    /// The column defaults a table's provider holds (information_schema has none), in column
    /// order, as (column, expression) pairs.
    pub fn column_defaults(&self, table: &str) -> BridgeResult<Vec<(String, String)>> {
        runtime().block_on(async {
            let provider = self.ctx.table_provider(table).await?;
            let defaults = provider
                .schema()
                .fields()
                .iter()
                .filter_map(|field| {
                    provider
                        .get_column_default(field.name())
                        .map(|expr| (field.name().clone(), expr.to_string()))
                })
                .collect();
            Ok(defaults)
        })
    }

    /// Registers the batches of a C stream (exported by Java) as an in-memory table, spread
    /// over as many partitions as the session scans in parallel. The batches are copied into
    /// memory the engine owns, so the Java side may free its buffers as soon as this returns.
    pub fn register_stream(&self, name: &str, stream: ArrowArrayStreamReader) -> BridgeResult<()> {
        let schema = stream.schema();
        let partitions = self.ctx.copied_config().target_partitions().max(1);
        let mut spread: Vec<Vec<RecordBatch>> = vec![Vec::new(); partitions];
        for (index, batch) in stream.enumerate() {
            spread[index % partitions].push(owned_copy(&batch?)?);
        }
        spread.retain(|p| !p.is_empty());
        let table = MemTable::try_new(schema, spread)?;
        self.ctx.register_table(name, Arc::new(table))?;
        Ok(())
    }

    /// Registers the files under `location` as a listing table with an explicit file schema (a
    /// contract's schema, field metadata included) instead of one inferred from the files.
    /// Partition columns (hive `k=v` directories) are Utf8 and follow the file columns.
    /// Registers a listing table over `location` with an explicit file schema: what `CREATE
    /// EXTERNAL TABLE` does, for schemas that SQL DDL cannot declare (maps, field metadata).
    /// `sort_order` is the WITH ORDER promise (ascending, nulls last); `options` are table options
    /// with their `format.` keys, parquet only; statistics follow the session's
    /// `datafusion.execution.collect_statistics`.
    pub fn register_listing(&self, spec: ListingSpec) -> BridgeResult<()> {
        let table = TableReference::from(spec.name.as_str());
        let provider = listing_provider(&self.ctx.state().default_table_options(), spec, table.clone())?;
        self.ctx.register_table(table, provider)?;
        Ok(())
    }

    /// Starts a registry-backed schema `catalog.schema`, empty until `declare_registry_table`
    /// fills it and invisible until `publish_registry_schema`.
    pub fn begin_registry_schema(&self, catalog: &str, schema: &str) {
        let registry = RegistrySchema::new(catalog, schema, self.ctx.state().default_table_options());
        self.staged().insert((catalog.to_string(), schema.to_string()), registry);
    }

    /// Declares a dataset in a started registry schema; its table is built on first use.
    pub fn declare_registry_table(&self, catalog: &str, schema: &str, spec: ListingSpec) -> BridgeResult<()> {
        let staged = self.staged();
        let registry = staged
            .get(&(catalog.to_string(), schema.to_string()))
            .ok_or_else(|| BridgeError::InvalidArgument(format!("no registry schema '{catalog}.{schema}' was started")))?;
        registry.declare(spec)?;
        Ok(())
    }

    /// Adds a table over exactly `files` to a started registry schema (a Delta snapshot, whose
    /// file list is already known, so nothing is left to build lazily).
    pub fn declare_registry_files(&self, catalog: &str, schema: &str, name: &str, files: FilesSpec) -> BridgeResult<()> {
        let table = self.files_table(name, files)?;
        let staged = self.staged();
        let registry = staged
            .get(&(catalog.to_string(), schema.to_string()))
            .ok_or_else(|| BridgeError::InvalidArgument(format!("no registry schema '{catalog}.{schema}' was started")))?;
        registry.register_table(name.to_string(), Arc::new(table))?;
        Ok(())
    }

    /// Puts a started registry schema in place of `catalog.schema` (creating the catalog if
    /// needed), in one step.
    pub fn publish_registry_schema(&self, catalog: &str, schema: &str) -> BridgeResult<()> {
        let registry = self
            .staged()
            .remove(&(catalog.to_string(), schema.to_string()))
            .ok_or_else(|| BridgeError::InvalidArgument(format!("no registry schema '{catalog}.{schema}' was started")))?;
        let provider = match self.ctx.catalog(catalog) {
            Some(existing) => existing,
            None => {
                let created: Arc<dyn CatalogProvider> = Arc::new(MemoryCatalogProvider::new());
                self.ctx.register_catalog(catalog, Arc::clone(&created));
                created
            }
        };
        provider.register_schema(schema, Arc::new(registry))?;
        Ok(())
    }

    fn staged(&self) -> MutexGuard<'_, HashMap<(String, String), RegistrySchema>> {
        self.staged.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Registers `name` over exactly the spec's files (Parquet), with their partition values.
    pub fn register_files(&self, name: &str, files: FilesSpec) -> BridgeResult<()> {
        let table = self.files_table(name, files)?;
        self.ctx.register_table(name, Arc::new(table))?;
        Ok(())
    }

    /// `options` amend the session's Parquet table options.
    fn files_table(&self, name: &str, files: FilesSpec) -> BridgeResult<FileListTable> {
        let mut table_options = self.ctx.state().default_table_options();
        table_options.set_config_format(ConfigFileType::PARQUET);
        table_options.alter_with_string_hash_map(&files.options.into_iter().collect())?;
        FileListTable::try_new(name, files.file_schema, &files.partitions, files.files, table_options.parquet)
    }

    /// Registers `name` as the scan-time projection of table `source` onto `columns`.
    pub fn register_projection(&self, name: &str, source: &str, columns: &[String]) -> BridgeResult<()> {
        let provider = runtime().block_on(self.ctx.table_provider(source))?;
        let projected = ProjectedTable::try_new(source, provider, columns)?;
        self.ctx.register_table(name, Arc::new(projected))?;
        Ok(())
    }

    /// What a registered listing table's provider itself holds: its file schema (the table
    /// schema without the partition columns) and its partition columns with their types.
    pub fn listing_layout(&self, table: &str) -> BridgeResult<(SchemaRef, Vec<(String, String)>)> {
        let provider = runtime().block_on(self.ctx.table_provider(table))?;
        let listing = as_listing(provider.as_ref())
            .ok_or_else(|| BridgeError::InvalidArgument(format!("table '{table}' is not a listing table")))?;
        let partitions: Vec<(String, String)> = listing
            .options()
            .table_partition_cols
            .iter()
            .map(|(name, data_type)| (name.clone(), data_type.to_string()))
            .collect();
        let schema = listing.schema();
        let file_fields: Vec<_> = schema
            .fields()
            .iter()
            .filter(|f| !partitions.iter().any(|(p, _)| p == f.name()))
            .cloned()
            .collect();
        let file_schema = Arc::new(arrow::datatypes::Schema::new_with_metadata(file_fields, schema.metadata().clone()));
        Ok((file_schema, partitions))
    }

    pub fn register_s3(&self, spec: S3StoreSpec) -> BridgeResult<()> {
        let url = spec.url()?;
        self.ctx.register_object_store(&url, spec.build()?);
        Ok(())
    }

    /// Lists auto-loaded catalog locations again; new dataset directories become tables.
    pub fn objects(&self) -> ObjectOps<'_> {
        ObjectOps::new(&self.ctx)
    }

    pub fn refresh_catalogs(&self) -> BridgeResult<()> {
        runtime().block_on(self.ctx.refresh_catalogs())?;
        Ok(())
    }
}

/// A copy of `batch` whose every buffer (values, offsets, validity, view data, dictionary values,
/// children) is newly allocated here, so nothing refers to the exporter's memory any more.
fn owned_copy(batch: &RecordBatch) -> BridgeResult<RecordBatch> {
    let columns = batch
        .columns()
        .iter()
        .map(|column| Ok(make_array(owned_data(&column.to_data())?)))
        .collect::<BridgeResult<Vec<_>>>()?;
    Ok(RecordBatch::try_new(batch.schema(), columns)?)
}

fn owned_data(data: &ArrayData) -> BridgeResult<ArrayData> {
    let copy = |buffer: &Buffer| Buffer::from_slice_ref(buffer.as_slice());
    let nulls = data
        .nulls()
        .map(|n| NullBuffer::new(BooleanBuffer::new(copy(n.buffer()), n.offset(), n.len())));
    let children = data.child_data().iter().map(owned_data).collect::<BridgeResult<Vec<_>>>()?;
    Ok(ArrayData::builder(data.data_type().clone())
        .len(data.len())
        .offset(data.offset())
        .nulls(nulls)
        .buffers(data.buffers().iter().map(copy).collect())
        .child_data(children)
        .build()?)
}

fn runtime_builder(limits: &HashMap<String, String>) -> BridgeResult<RuntimeEnvBuilder> {
    let mut builder = RuntimeEnvBuilder::new();
    if let Some(bytes) = limits.get("memory_limit_bytes") {
        let bytes = parse_bytes("memory_limit_bytes", bytes)?;
        let pool: Arc<dyn MemoryPool> = match limits.get("memory_pool").map(String::as_str) {
            None | Some("fair") => Arc::new(FairSpillPool::new(bytes)),
            Some("greedy") => Arc::new(GreedyMemoryPool::new(bytes)),
            Some(other) => {
                return Err(BridgeError::InvalidArgument(format!(
                    "unknown memory pool '{other}' (expected fair or greedy)"
                )));
            }
        };
        builder = builder.with_memory_pool(pool);
    }
    if let Some(dir) = limits.get("spill_directory") {
        builder = builder.with_temp_file_path(PathBuf::from(dir));
    }
    if let Some(bytes) = limits.get("max_spill_bytes") {
        builder = builder.with_max_temp_directory_size(parse_bytes("max_spill_bytes", bytes)? as u64);
    }
    for key in limits.keys() {
        if !matches!(
            key.as_str(),
            "memory_limit_bytes" | "memory_pool" | "spill_directory" | "max_spill_bytes"
        ) {
            return Err(BridgeError::InvalidArgument(format!("unknown runtime limit '{key}'")));
        }
    }
    Ok(builder)
}

fn parse_bytes(key: &str, value: &str) -> BridgeResult<usize> {
    value
        .parse::<usize>()
        .map_err(|_| BridgeError::InvalidArgument(format!("runtime limit '{key}' must be a byte count, got '{value}'")))
}
