//! Listing tables built from a contract's description: format and table options, partition
//! columns, sort order, column defaults from field metadata and an optional listing TTL. Both
//! plain registrations and the registry catalog's lazily built tables come from here.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use arrow::datatypes::{DataType, SchemaRef};
use datafusion::catalog::TableProvider;
use datafusion::common::{Column, ScalarValue, TableReference};
use datafusion::config::{ConfigFileType, TableOptions};
use datafusion::datasource::file_format::FileFormat;
use datafusion::datasource::file_format::arrow::ArrowFormat;
use datafusion::datasource::file_format::json::JsonFormat;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl};
use datafusion::logical_expr::{Expr, SortExpr};

use crate::errors::{BridgeError, BridgeResult};
use crate::expiring_listing::ExpiringListing;

/// What a listing table needs to know about its data.
#[derive(Clone, Debug)]
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

/// Builds the provider for `spec`. `defaults` are the session's table options, which the spec's
/// own options amend; `table` is the name its listings are cached under, so that a TTL drops
/// this table's entries only.
pub fn listing_provider(
    defaults: &TableOptions,
    spec: ListingSpec,
    table: TableReference,
) -> BridgeResult<Arc<dyn TableProvider>> {
    let name = spec.name;
    let (file_format, extension): (Arc<dyn FileFormat>, &str) = match spec.format.as_str() {
        "json" if spec.options.is_empty() => (Arc::new(JsonFormat::default()), ".json"),
        // Arrow IPC files (the extractor's staging): read as stored, batch by batch, no decoding
        "arrow" if spec.options.is_empty() => (Arc::new(ArrowFormat), ".arrow"),
        "json" | "arrow" => {
            return Err(BridgeError::InvalidArgument(format!(
                "table '{name}': table options are supported for parquet tables only"
            )));
        }
        "parquet" => {
            let mut table_options = defaults.clone();
            table_options.set_config_format(ConfigFileType::PARQUET);
            table_options.alter_with_string_hash_map(&spec.options.into_iter().collect())?;
            (Arc::new(ParquetFormat::default().with_options(table_options.parquet)), ".parquet")
        }
        other => {
            return Err(BridgeError::InvalidArgument(format!(
                "unknown listing format '{other}' for table '{name}' (expected json, arrow or parquet)"
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
    let column_defaults = column_defaults_from_metadata(&spec.schema)?;
    let url = ListingTableUrl::parse(&spec.location)?.with_table_ref(table);
    let config = ListingTableConfig::new(url).with_listing_options(options).with_schema(spec.schema);
    let listing = ListingTable::try_new(config)?.with_column_defaults(column_defaults);
    Ok(match spec.listing_ttl {
        Some(ttl) => Arc::new(ExpiringListing::new(listing, ttl)),
        None => Arc::new(listing),
    })
}

/// The listing table behind a provider built here, TTL wrapper or not.
pub fn as_listing(provider: &dyn TableProvider) -> Option<&ListingTable> {
    provider
        .downcast_ref::<ListingTable>()
        .or_else(|| provider.downcast_ref::<ExpiringListing>().map(ExpiringListing::inner))
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

