//! A schema provider backed by SyntaxLake's dataset registry. Java hands over, once, what the
//! registry knows of each dataset (location, contract schema, layout, options); the tables are
//! built from that on first use and kept. Listing a schema's tables (information_schema.tables,
//! SHOW TABLES) therefore touches no storage, and a dataset is listed only when a query needs it.
//! Tables created later in the schema (views over the datasets) are kept beside them.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use datafusion::catalog::{SchemaProvider, TableProvider};
use datafusion::common::{DataFusionError, Result, TableReference, exec_err};
use datafusion::config::TableOptions;
use datafusion::datasource::TableType;

use crate::listing::{ListingSpec, listing_provider};

#[derive(Debug)]
pub struct RegistrySchema {
    catalog: String,
    schema: String,
    /// The session's table options when the schema was registered; each table amends them.
    defaults: TableOptions,
    state: Mutex<Tables>,
}

#[derive(Debug, Default)]
struct Tables {
    declared: BTreeMap<String, ListingSpec>,
    built: BTreeMap<String, Arc<dyn TableProvider>>,
}

impl RegistrySchema {
    pub fn new(catalog: &str, schema: &str, defaults: TableOptions) -> Self {
        RegistrySchema {
            catalog: catalog.to_string(),
            schema: schema.to_string(),
            defaults,
            state: Mutex::new(Tables::default()),
        }
    }

    /// Declares a dataset table; it is built when a query first asks for it.
    pub fn declare(&self, spec: ListingSpec) -> Result<()> {
        let mut tables = self.tables();
        if tables.declared.contains_key(&spec.name) || tables.built.contains_key(&spec.name) {
            return exec_err!("table '{}' is already in schema '{}.{}'", spec.name, self.catalog, self.schema);
        }
        tables.declared.insert(spec.name.clone(), spec);
        Ok(())
    }

    fn tables(&self) -> MutexGuard<'_, Tables> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl SchemaProvider for RegistrySchema {
    fn table_names(&self) -> Vec<String> {
        let tables = self.tables();
        let mut names: Vec<String> = tables.declared.keys().chain(tables.built.keys()).cloned().collect();
        names.sort();
        names.dedup();
        names
    }

    async fn table(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>, DataFusionError> {
        let mut tables = self.tables();
        if let Some(table) = tables.built.get(name) {
            return Ok(Some(Arc::clone(table)));
        }
        let Some(spec) = tables.declared.get(name).cloned() else {
            return Ok(None);
        };
        // cached under the full name, so this table's listing TTL never touches a namesake elsewhere
        let reference = TableReference::full(self.catalog.as_str(), self.schema.as_str(), name);
        let provider = listing_provider(&self.defaults, spec, reference).map_err(|e| {
            DataFusionError::Plan(format!("registry table {}.{}.{name}: {e}", self.catalog, self.schema))
        })?;
        tables.declared.remove(name);
        tables.built.insert(name.to_string(), Arc::clone(&provider));
        Ok(Some(provider))
    }

    /// Answered from the declaration for a table not built yet: information_schema.tables and
    /// SHOW TABLES ask this of every table, and must not build (or list) any of them.
    async fn table_type(&self, name: &str) -> Result<Option<TableType>> {
        let built = {
            let tables = self.tables();
            if tables.declared.contains_key(name) {
                return Ok(Some(TableType::Base));
            }
            tables.built.get(name).cloned()
        };
        Ok(built.map(|table| table.table_type()))
    }

    fn register_table(&self, name: String, table: Arc<dyn TableProvider>) -> Result<Option<Arc<dyn TableProvider>>> {
        let mut tables = self.tables();
        if tables.declared.contains_key(&name) || tables.built.contains_key(&name) {
            return exec_err!("table '{name}' already exists in schema '{}.{}'", self.catalog, self.schema);
        }
        tables.built.insert(name, table);
        Ok(None)
    }

    fn deregister_table(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>> {
        let mut tables = self.tables();
        // DROP TABLE asks for the table first, so a dropped dataset has been built; a declared
        // one that never was is simply forgotten
        tables.declared.remove(name);
        Ok(tables.built.remove(name))
    }

    fn table_exist(&self, name: &str) -> bool {
        let tables = self.tables();
        tables.declared.contains_key(name) || tables.built.contains_key(name)
    }
}
