//! A scan-time projection: a table that exposes a fixed subset of another table's columns and
//! hands every scan to that table with the projection already mapped onto its columns. No view
//! plan sits in between, so the projection, the filters and the limit reach the source's scan
//! directly (a Parquet listing reads only the chosen column chunks), and the narrow schema is
//! all a query can see: `SELECT *` cannot widen it.

use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use async_trait::async_trait;
use datafusion::catalog::{ScanArgs, ScanResult, Session, TableProvider};
use datafusion::common::{Result, Statistics};
use datafusion::datasource::TableType;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use datafusion::physical_plan::ExecutionPlan;

use crate::errors::{BridgeError, BridgeResult};

#[derive(Debug)]
pub struct ProjectedTable {
    source: Arc<dyn TableProvider>,
    /// For each of this table's columns, its index in the source.
    columns: Vec<usize>,
    schema: SchemaRef,
}

impl ProjectedTable {
    /// Projects `source` (named `source_name` in errors) onto `names`, which must be distinct
    /// top-level columns of it.
    pub fn try_new(source_name: &str, source: Arc<dyn TableProvider>, names: &[String]) -> BridgeResult<Self> {
        if names.is_empty() {
            return Err(BridgeError::InvalidArgument(format!("a projection of '{source_name}' needs at least one column")));
        }
        let full = source.schema();
        let mut columns = Vec::with_capacity(names.len());
        for name in names {
            let index = full.index_of(name).map_err(|_| {
                let known: Vec<&str> = full.fields().iter().map(|f| f.name().as_str()).collect();
                BridgeError::InvalidArgument(format!(
                    "projection of '{source_name}': no column '{name}' (it has {})",
                    known.join(", ")
                ))
            })?;
            if columns.contains(&index) {
                return Err(BridgeError::InvalidArgument(format!(
                    "projection of '{source_name}': column '{name}' is listed twice"
                )));
            }
            columns.push(index);
        }
        let schema = Arc::new(full.project(&columns)?);
        Ok(ProjectedTable { source, columns, schema })
    }

    /// A projection over this table's columns, as indices into the source's columns.
    fn source_projection(&self, projection: Option<&[usize]>) -> Vec<usize> {
        match projection {
            Some(indices) => indices.iter().map(|i| self.columns[*i]).collect(),
            None => self.columns.clone(),
        }
    }
}

#[async_trait]
impl TableProvider for ProjectedTable {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        self.source.table_type()
    }

    fn get_column_default(&self, column: &str) -> Option<&Expr> {
        self.source.get_column_default(column)
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let mapped = self.source_projection(projection.map(Vec::as_slice));
        self.source.scan(state, Some(&mapped), filters, limit).await
    }

    async fn scan_with_args<'a>(&self, state: &dyn Session, args: ScanArgs<'a>) -> Result<ScanResult> {
        let mapped = self.source_projection(args.projection());
        let forwarded = ScanArgs::default()
            .with_projection(Some(&mapped))
            .with_filters(args.filters())
            .with_limit(args.limit())
            .with_statistics_requests(args.statistics_requests());
        self.source.scan_with_args(state, forwarded).await
    }

    fn supports_filters_pushdown(&self, filters: &[&Expr]) -> Result<Vec<TableProviderFilterPushDown>> {
        // filters name columns, and every column here is the source's column of the same name
        self.source.supports_filters_pushdown(filters)
    }

    fn statistics(&self) -> Option<Statistics> {
        self.source.statistics().map(|stats| stats.project(Some(&self.columns)))
    }
}
