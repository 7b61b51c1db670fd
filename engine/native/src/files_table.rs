//! A table over an explicit list of Parquet files, each with its own partition values: what a
//! Delta snapshot is once its log has been read. Unlike a listing table it never lists a
//! directory (a directory of a Delta table also holds removed and uncommitted files), and the
//! partition values come from the log, not from the file paths.

use std::sync::Arc;

use arrow::datatypes::{DataType, Field, FieldRef, Schema, SchemaRef};
use async_trait::async_trait;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::{DFSchema, Result, ScalarValue, project_schema};
use datafusion::config::TableParquetOptions;
use datafusion::datasource::TableType;
use datafusion::datasource::listing::{ListingTableUrl, PartitionedFile};
use datafusion::datasource::physical_plan::{FileGroup, FileScanConfigBuilder, ParquetSource};
use datafusion::datasource::source::DataSourceExec;
use datafusion::datasource::table_schema::TableSchema;
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::logical_expr::utils::conjunction;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::empty::EmptyExec;

use crate::errors::{BridgeError, BridgeResult};

/// One data file: its absolute URL, size in bytes and one value per partition column.
pub struct DataFile {
    pub url: String,
    pub size: u64,
    pub partition_values: Vec<Option<String>>,
}

/// What a file-list table is made of: the files' schema, the Utf8 partition columns appended
/// after it, the files, and table options amending the session's Parquet options.
pub struct FilesSpec {
    pub file_schema: SchemaRef,
    pub partitions: Vec<String>,
    pub files: Vec<DataFile>,
    pub options: Vec<(String, String)>,
}

#[derive(Debug)]
pub struct FileListTable {
    schema: SchemaRef,
    file_schema: SchemaRef,
    partition_fields: Vec<FieldRef>,
    store: Option<ObjectStoreUrl>,
    files: Vec<PartitionedFile>,
    parquet_options: TableParquetOptions,
}

impl FileListTable {
    /// `partitions` are Utf8 columns appended after the file columns; every file must live in
    /// the same object store.
    pub fn try_new(
        name: &str,
        file_schema: SchemaRef,
        partitions: &[String],
        data_files: Vec<DataFile>,
        parquet_options: TableParquetOptions,
    ) -> BridgeResult<Self> {
        let partition_fields: Vec<FieldRef> =
            partitions.iter().map(|p| Arc::new(Field::new(p, DataType::Utf8, true))).collect();
        let mut fields: Vec<FieldRef> = file_schema.fields().iter().cloned().collect();
        fields.extend(partition_fields.iter().cloned());
        let schema = Arc::new(Schema::new_with_metadata(fields, file_schema.metadata().clone()));
        let mut store: Option<ObjectStoreUrl> = None;
        let mut files = Vec::with_capacity(data_files.len());
        for data_file in data_files {
            if data_file.partition_values.len() != partitions.len() {
                return Err(BridgeError::InvalidArgument(format!(
                    "table '{name}': file {} has {} partition values for {} partition columns",
                    data_file.url,
                    data_file.partition_values.len(),
                    partitions.len()
                )));
            }
            let url = ListingTableUrl::parse(&data_file.url)?;
            let file_store = url.object_store();
            match &store {
                None => store = Some(file_store),
                Some(first) if first.as_str() != file_store.as_str() => {
                    return Err(BridgeError::InvalidArgument(format!(
                        "table '{name}': file {} is in {} while the others are in {}",
                        data_file.url,
                        file_store.as_str(),
                        first.as_str()
                    )));
                }
                Some(_) => {}
            }
            let mut file = PartitionedFile::new(String::new(), data_file.size);
            // the parsed path as is: building it from its text would percent-encode it a second time
            file.object_meta.location = url.prefix().clone();
            file.partition_values = data_file.partition_values.into_iter().map(ScalarValue::Utf8).collect();
            files.push(file);
        }
        Ok(FileListTable { schema, file_schema, partition_fields, store, files, parquet_options })
    }
}

#[async_trait]
impl TableProvider for FileListTable {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    /// Inexact: a filter on file columns prunes row groups and pages through the Parquet
    /// statistics, and DataFusion still applies every filter to the rows.
    fn supports_filters_pushdown(&self, filters: &[&Expr]) -> Result<Vec<TableProviderFilterPushDown>> {
        Ok(vec![TableProviderFilterPushDown::Inexact; filters.len()])
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let Some(store) = &self.store else {
            return Ok(Arc::new(EmptyExec::new(project_schema(&self.schema, projection)?)));
        };
        // round robin over the session's target partitions, so both cores read
        let group_count = state.config().target_partitions().clamp(1, self.files.len());
        let mut groups: Vec<Vec<PartitionedFile>> = vec![Vec::new(); group_count];
        for (index, file) in self.files.iter().enumerate() {
            groups[index % group_count].push(file.clone());
        }
        let table_schema = TableSchema::builder(self.file_schema.clone())
            .with_table_partition_cols(self.partition_fields.clone())
            .build();
        let mut source = ParquetSource::new(table_schema).with_table_parquet_options(self.parquet_options.clone());
        // only filters on the files' own columns: partition values are not in the files
        let on_file_columns: Vec<Expr> = filters
            .iter()
            .filter(|f| f.column_refs().iter().all(|c| self.file_schema.field_with_name(&c.name).is_ok()))
            .cloned()
            .collect();
        if let Some(predicate) = conjunction(on_file_columns) {
            let df_schema = DFSchema::try_from(self.schema.clone())?;
            source = source.with_predicate(state.create_physical_expr(predicate, &df_schema)?);
        }
        let config = FileScanConfigBuilder::new(store.clone(), Arc::new(source))
            .with_file_groups(groups.into_iter().map(FileGroup::new).collect())
            .with_projection_indices(projection.cloned())?
            .with_limit(limit)
            .build();
        Ok(DataSourceExec::from_data_source(config))
    }
}
