//! One DataFusion session and everything Java can ask of it. No JNI types here: `exports.rs`
//! translates between Java and these calls.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;
use std::sync::Arc;

use arrow::array::{ArrayData, make_array};
use arrow::buffer::{BooleanBuffer, Buffer, NullBuffer};
use arrow::datatypes::SchemaRef;
use arrow::ffi_stream::{ArrowArrayStreamReader, FFI_ArrowArrayStream};
use arrow::record_batch::{RecordBatch, RecordBatchReader};
use arrow::datatypes::DataType;
use datafusion::catalog::MemTable;
use datafusion::catalog::TableProvider;
use datafusion::datasource::file_format::FileFormat;
use datafusion::datasource::file_format::json::JsonFormat;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl};
use datafusion::execution::SessionStateBuilder;
use datafusion::execution::memory_pool::{FairSpillPool, GreedyMemoryPool, MemoryPool};
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::common::{Column, ScalarValue, TableReference};
use datafusion::config::ConfigFileType;
use datafusion::logical_expr::{Expr, LogicalPlan, SetVariable, SortExpr, Statement};
use datafusion::physical_plan::displayable;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::errors::{BridgeError, BridgeResult};
use crate::object_stores::S3StoreSpec;
use crate::expiring_listing::ExpiringListing;
use crate::objects::ObjectOps;
use crate::result_stream::{materialized, streaming};
use crate::runtime::runtime;

const RUNTIME_PREFIX: &str = "datafusion.runtime.";
const CATALOG_FORMAT: &str = "datafusion.catalog.format";

pub struct Session {
    ctx: SessionContext,
}

/// The three plans of one statement, as text.
/// What `register_listing` needs to know about a table.
pub struct ListingSpec {
    pub name: String,
    pub location: String,
    pub format: String,
    pub schema: SchemaRef,
    pub partitions: Vec<String>,
    pub sort_order: Vec<String>,
    pub options: Vec<(String, String)>,
    /// How long the table's file listing may be cached; None keeps the session's behaviour.
    pub listing_ttl: Option<Duration>,
}

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
        let session = Session { ctx: SessionContext::new_with_state(state) };
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
        let state = self.ctx.state();
        let name = spec.name;
        let (file_format, extension): (Arc<dyn FileFormat>, &str) = match spec.format.as_str() {
            "json" if spec.options.is_empty() => (Arc::new(JsonFormat::default()), ".json"),
            "json" => {
                return Err(BridgeError::InvalidArgument(format!(
                    "table '{name}': table options are supported for parquet tables only"
                )));
            }
            "parquet" => {
                let mut table_options = state.default_table_options();
                table_options.set_config_format(ConfigFileType::PARQUET);
                table_options.alter_with_string_hash_map(&spec.options.into_iter().collect())?;
                (Arc::new(ParquetFormat::default().with_options(table_options.parquet)), ".parquet")
            }
            other => {
                return Err(BridgeError::InvalidArgument(format!(
                    "unknown listing format '{other}' for table '{name}' (expected json or parquet)"
                )));
            }
        };
        let sort: Vec<SortExpr> = spec
            .sort_order
            .iter()
            .map(|column| Expr::Column(Column::new_unqualified(column)).sort(true, false))
            .collect();
        let options = ListingOptions::new(file_format)
            .with_file_extension(extension)
            .with_table_partition_cols(spec.partitions.into_iter().map(|p| (p, DataType::Utf8)).collect())
            .with_file_sort_order(if sort.is_empty() { Vec::new() } else { vec![sort] });
        let defaults = column_defaults_from_metadata(&spec.schema)?;
        // listings cached under this table's name, so that its TTL drops its entries only
        let url = ListingTableUrl::parse(&spec.location)?.with_table_ref(TableReference::bare(name.as_str()));
        let config = ListingTableConfig::new(url).with_listing_options(options).with_schema(spec.schema);
        let table = ListingTable::try_new(config)?.with_column_defaults(defaults);
        let provider: Arc<dyn TableProvider> = match spec.listing_ttl {
            Some(ttl) => Arc::new(ExpiringListing::new(table, ttl)),
            None => Arc::new(table),
        };
        self.ctx.register_table(name.as_str(), provider)?;
        Ok(())
    }

    /// What a registered listing table's provider itself holds: its file schema (the table
    /// schema without the partition columns) and its partition columns with their types.
    pub fn listing_layout(&self, table: &str) -> BridgeResult<(SchemaRef, Vec<(String, String)>)> {
        let provider = runtime().block_on(self.ctx.table_provider(table))?;
        let listing = provider
            .downcast_ref::<ListingTable>()
            .or_else(|| provider.downcast_ref::<ExpiringListing>().map(ExpiringListing::inner))
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

/// Column defaults declared as `default_value` field metadata on top-level fields: `{}` on a map
/// column is the empty map; any other value is parsed as a literal of the field's type.
fn column_defaults_from_metadata(schema: &SchemaRef) -> BridgeResult<HashMap<String, Expr>> {
    let mut defaults = HashMap::new();
    for field in schema.fields() {
        let Some(text) = field.metadata().get("default_value") else {
            continue;
        };
        let value = match field.data_type() {
            DataType::Map(entries, sorted) if text.trim() == "{}" => {
                let DataType::Struct(children) = entries.data_type() else {
                    return Err(BridgeError::InvalidArgument(format!("map column '{}' has no struct entries", field.name())));
                };
                let empty = arrow::array::StructArray::new_empty_fields(0, None);
                let entries_array = if children.is_empty() {
                    empty
                } else {
                    arrow::array::StructArray::new(
                        children.clone(),
                        children.iter().map(|c| arrow::array::new_empty_array(c.data_type())).collect(),
                        None,
                    )
                };
                let offsets = arrow::buffer::OffsetBuffer::new(vec![0i32, 0].into());
                let map = arrow::array::MapArray::try_new(entries.clone(), offsets, entries_array, None, *sorted)?;
                ScalarValue::Map(Arc::new(map))
            }
            data_type => ScalarValue::try_from_string(text.clone(), data_type)?,
        };
        defaults.insert(field.name().clone(), Expr::Literal(value, None));
    }
    Ok(defaults)
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
