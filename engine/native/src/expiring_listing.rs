//! A listing table whose file list expires after the table's own time to live. DataFusion 55
//! caches file listings in one session-wide cache with no expiry by default, and its TTL
//! setting is session-wide too (the last table registered would win), so a new file stays
//! invisible. Entries of that cache are keyed by table, so this provider drops its own entries
//! once its TTL has passed and lets the listing table list again.

use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arrow::datatypes::SchemaRef;
use async_trait::async_trait;
use datafusion::catalog::{ScanArgs, ScanResult, Session, TableProvider};
use datafusion::common::{Constraints, Result, Statistics};
use datafusion::datasource::TableType;
use datafusion::datasource::listing::ListingTable;
use datafusion::execution::cache::TableScopedPath;
use datafusion::logical_expr::dml::InsertOp;
use datafusion::logical_expr::{Expr, LogicalPlan, TableProviderFilterPushDown};
use datafusion::physical_plan::ExecutionPlan;

#[derive(Debug)]
pub struct ExpiringListing {
    inner: ListingTable,
    ttl: Duration,
    listed_at: Mutex<Option<Instant>>,
}

impl ExpiringListing {
    pub fn new(inner: ListingTable, ttl: Duration) -> Self {
        ExpiringListing { inner, ttl, listed_at: Mutex::new(None) }
    }

    pub fn inner(&self) -> &ListingTable {
        &self.inner
    }

    /// Drops this table's cached listings when they are older than the TTL (or on first use).
    fn expire_if_due(&self, state: &dyn Session) {
        let mut listed_at = self.listed_at.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        if listed_at.is_some_and(|at| now.duration_since(at) < self.ttl) {
            return;
        }
        if let Some(cache) = state.runtime_env().cache_manager.get_list_files_cache() {
            for url in self.inner.table_paths() {
                cache.remove(&TableScopedPath { table: url.get_table_ref().clone(), path: url.prefix().clone() });
            }
        }
        *listed_at = Some(now);
    }
}

#[async_trait]
impl TableProvider for ExpiringListing {
    fn schema(&self) -> SchemaRef {
        self.inner.schema()
    }

    fn constraints(&self) -> Option<&Constraints> {
        self.inner.constraints()
    }

    fn table_type(&self) -> TableType {
        self.inner.table_type()
    }

    fn get_table_definition(&self) -> Option<&str> {
        self.inner.get_table_definition()
    }

    fn get_logical_plan(&'_ self) -> Option<Cow<'_, LogicalPlan>> {
        self.inner.get_logical_plan()
    }

    fn get_column_default(&self, column: &str) -> Option<&Expr> {
        self.inner.get_column_default(column)
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        self.expire_if_due(state);
        self.inner.scan(state, projection, filters, limit).await
    }

    async fn scan_with_args<'a>(&self, state: &dyn Session, args: ScanArgs<'a>) -> Result<ScanResult> {
        self.expire_if_due(state);
        self.inner.scan_with_args(state, args).await
    }

    fn supports_filters_pushdown(&self, filters: &[&Expr]) -> Result<Vec<TableProviderFilterPushDown>> {
        self.inner.supports_filters_pushdown(filters)
    }

    fn statistics(&self) -> Option<Statistics> {
        self.inner.statistics()
    }

    async fn insert_into(
        &self,
        state: &dyn Session,
        input: Arc<dyn ExecutionPlan>,
        insert_op: InsertOp,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        self.inner.insert_into(state, input, insert_op).await
    }
}
