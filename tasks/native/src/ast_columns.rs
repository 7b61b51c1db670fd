//! `AstColumns`: the `nodes` and `edges` of one `ast_files_v1` row as Arrow arrays.
//!
//! With `Walker.walk_rows(..., columns=True)` the walk appends each node and edge to these
//! builders instead of rendering JSON text; `ArrowPartWriter.write_row` decodes the rest of the
//! row (small: ids, hashes, the special lists, attrs) from JSON and puts these two columns in.
//! Nodes and edges are most of a row (about 95% of its JSON text), so this is where staging
//! stops being text. The arrays hold what arrow-json makes of the walker's JSON text for the same
//! tree, value for value: a null struct has null children, every span says `end_exclusive=true`
//! and `col_unit="byte"`, and edges are CHILD edges with empty attrs. Tests compare the two.
//!
//! The arrays take their types from the staging schema (the contract's), so field names,
//! nullability and metadata are the contract's; a field the walker does not fill, or one it
//! fills that the schema lacks, is an error naming it.

use std::sync::{Arc, Mutex};

use arrow_array::builder::{ArrayBuilder, BooleanBuilder, Int32Builder, StringBuilder};
use arrow_array::{ArrayRef, ListArray, MapArray, StructArray};
use arrow_buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{ArrowError, DataType, FieldRef, Fields, Schema};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

/// A node's position as the walk reads it (0-based lines, byte columns and offsets).
pub(crate) enum Pos {
    /// No position (Module, expression contexts, operators).
    None,
    /// A line and no column (TypeIgnore).
    Line(i64),
    /// Start and end, and the byte span they cover.
    Full {
        line0: i64,
        col: i64,
        end_line0: i64,
        end_col: i64,
        byte_start: i64,
        byte_len: i64,
    },
}

fn int32(v: i64, what: &str) -> PyResult<i32> {
    i32::try_from(v)
        .map_err(|_| PyValueError::new_err(format!("native walk: {what} {v} does not fit the contract's int32")))
}

fn utf8<'a>(bytes: &'a [u8], what: &str) -> PyResult<&'a str> {
    std::str::from_utf8(bytes).map_err(|_| PyValueError::new_err(format!("native walk: the {what} is not UTF-8")))
}

/// A null buffer only where some value is null (arrow-json's arrays compare equal either way).
fn nulls(valid: &mut Vec<bool>) -> Option<NullBuffer> {
    let buffer = (!valid.iter().all(|v| *v)).then(|| NullBuffer::from(std::mem::take(valid)));
    valid.clear();
    buffer
}

fn struct_fields<'a>(data_type: &'a DataType, what: &str) -> Result<&'a Fields, ArrowError> {
    match data_type {
        DataType::Struct(fields) => Ok(fields),
        other => Err(ArrowError::SchemaError(format!("the staging schema's {what} is {other}, not a struct"))),
    }
}

fn list_item<'a>(data_type: &'a DataType, what: &str) -> Result<&'a FieldRef, ArrowError> {
    match data_type {
        DataType::List(item) => Ok(item),
        other => Err(ArrowError::SchemaError(format!("the staging schema's {what} is {other}, not a list"))),
    }
}

fn child_type<'a>(fields: &'a Fields, name: &str, what: &str) -> Result<&'a DataType, ArrowError> {
    fields
        .find(name)
        .map(|(_, field)| field.data_type())
        .ok_or_else(|| ArrowError::SchemaError(format!("the staging schema's {what} has no field '{name}'")))
}

/// A struct array with `fields` (the schema's), its children taken from `columns` by name.
fn struct_array(
    fields: &Fields,
    mut columns: Vec<(&str, ArrayRef)>,
    nulls: Option<NullBuffer>,
    what: &str,
) -> Result<ArrayRef, ArrowError> {
    let mut arrays = Vec::with_capacity(fields.len());
    for field in fields.iter() {
        let at = columns.iter().position(|(name, _)| name == field.name()).ok_or_else(|| {
            ArrowError::SchemaError(format!("the native walker does not fill {what}.{} of the staging schema", field.name()))
        })?;
        arrays.push(columns.swap_remove(at).1);
    }
    if let Some((name, _)) = columns.first() {
        return Err(ArrowError::SchemaError(format!("the staging schema's {what} has no field '{name}'")));
    }
    Ok(Arc::new(StructArray::try_new(fields.clone(), arrays, nulls)?))
}

#[derive(Default)]
struct LineColColumns {
    line0: Int32Builder,
    col: Int32Builder,
    valid: Vec<bool>,
}

impl LineColColumns {
    fn push(&mut self, at: Option<(i32, Option<i32>)>) {
        match at {
            Some((line0, col)) => {
                self.line0.append_value(line0);
                self.col.append_option(col);
            }
            None => {
                self.line0.append_null();
                self.col.append_null();
            }
        }
        self.valid.push(at.is_some());
    }

    fn finish(&mut self, data_type: &DataType, what: &str) -> Result<ArrayRef, ArrowError> {
        let columns: Vec<(&str, ArrayRef)> =
            vec![("line0", Arc::new(self.line0.finish())), ("col", Arc::new(self.col.finish()))];
        struct_array(struct_fields(data_type, what)?, columns, nulls(&mut self.valid), what)
    }
}

#[derive(Default)]
struct SpanColumns {
    start: LineColColumns,
    end: LineColColumns,
    end_exclusive: BooleanBuilder,
    col_unit: StringBuilder,
    byte_start: Int32Builder,
    byte_len: Int32Builder,
    byte_valid: Vec<bool>,
}

impl SpanColumns {
    fn push(&mut self, pos: &Pos) -> PyResult<()> {
        match *pos {
            Pos::None => {
                self.start.push(None);
                self.end.push(None);
                self.push_bytes(None);
            }
            Pos::Line(line0) => {
                self.start.push(Some((int32(line0, "line")?, None)));
                self.end.push(None);
                self.push_bytes(None);
            }
            Pos::Full {
                line0,
                col,
                end_line0,
                end_col,
                byte_start,
                byte_len,
            } => {
                self.start.push(Some((int32(line0, "line")?, Some(int32(col, "column")?))));
                self.end.push(Some((int32(end_line0, "line")?, Some(int32(end_col, "column")?))));
                self.push_bytes(Some((int32(byte_start, "byte offset")?, int32(byte_len, "byte length")?)));
            }
        }
        self.end_exclusive.append_value(true);
        self.col_unit.append_value("byte");
        Ok(())
    }

    fn push_bytes(&mut self, span: Option<(i32, i32)>) {
        self.byte_start.append_option(span.map(|s| s.0));
        self.byte_len.append_option(span.map(|s| s.1));
        self.byte_valid.push(span.is_some());
    }

    fn finish(&mut self, data_type: &DataType) -> Result<ArrayRef, ArrowError> {
        let fields = struct_fields(data_type, "span")?;
        let byte_fields = struct_fields(child_type(fields, "byte_span", "span")?, "span.byte_span")?;
        let byte_columns: Vec<(&str, ArrayRef)> = vec![
            ("byte_start", Arc::new(self.byte_start.finish())),
            ("byte_len", Arc::new(self.byte_len.finish())),
        ];
        let byte_span = struct_array(byte_fields, byte_columns, nulls(&mut self.byte_valid), "span.byte_span")?;
        let columns: Vec<(&str, ArrayRef)> = vec![
            ("start", self.start.finish(child_type(fields, "start", "span")?, "span.start")?),
            ("end", self.end.finish(child_type(fields, "end", "span")?, "span.end")?),
            ("end_exclusive", Arc::new(self.end_exclusive.finish())),
            ("col_unit", Arc::new(self.col_unit.finish())),
            ("byte_span", byte_span),
        ];
        // a span is never null: a node without a position has one whose parts are null
        struct_array(fields, columns, None, "span")
    }
}

/// `attrs`: a map<utf8, utf8> per node or edge, entries in the order they were added.
struct MapColumns {
    offsets: Vec<i32>,
    keys: StringBuilder,
    values: StringBuilder,
}

impl Default for MapColumns {
    fn default() -> Self {
        MapColumns {
            offsets: vec![0],
            keys: StringBuilder::new(),
            values: StringBuilder::new(),
        }
    }
}

impl MapColumns {
    fn entry(&mut self, key: &str, value: &str) {
        self.keys.append_value(key);
        self.values.append_value(value);
    }

    /// Ends the current map (possibly empty).
    fn end(&mut self) -> PyResult<()> {
        self.offsets.push(int32(self.keys.len() as i64, "attrs entry count")?);
        Ok(())
    }

    fn finish(&mut self, data_type: &DataType, what: &str) -> Result<ArrayRef, ArrowError> {
        let (entries_field, sorted) = match data_type {
            DataType::Map(field, sorted) => (field, *sorted),
            other => return Err(ArrowError::SchemaError(format!("the staging schema's {what} is {other}, not a map"))),
        };
        let fields = struct_fields(entries_field.data_type(), what)?;
        if fields.len() != 2 {
            return Err(ArrowError::SchemaError(format!("the staging schema's {what} entries are not (key, value)")));
        }
        let entries = StructArray::try_new(
            fields.clone(),
            vec![Arc::new(self.keys.finish()), Arc::new(self.values.finish())],
            None,
        )?;
        let offsets = OffsetBuffer::new(ScalarBuffer::from(std::mem::replace(&mut self.offsets, vec![0])));
        Ok(Arc::new(MapArray::try_new(entries_field.clone(), offsets, entries, None, sorted)?))
    }
}

/// The walk's nodes: one entry per AST node occurrence, in pre-order.
#[derive(Default)]
pub(crate) struct NodeColumns {
    ast_id: Int32Builder,
    parent_ast_id: Int32Builder,
    kind: StringBuilder,
    name: StringBuilder,
    value: StringBuilder,
    span: SpanColumns,
    attrs: MapColumns,
}

impl NodeColumns {
    /// Starts a node's attrs (entries are added with `attr`, the rest of the node with `push`).
    pub(crate) fn attr(&mut self, key: &str, value: &[u8]) -> PyResult<()> {
        let value = utf8(value, "attribute value")?;
        self.attrs.entry(key, value);
        Ok(())
    }

    /// Adds the node whose attrs were just given.
    pub(crate) fn push(
        &mut self,
        ast_id: i64,
        parent: Option<i64>,
        kind: &str,
        name: Option<&[u8]>,
        value: Option<&[u8]>,
        pos: &Pos,
    ) -> PyResult<()> {
        self.ast_id.append_value(int32(ast_id, "node id")?);
        self.parent_ast_id.append_option(parent.map(|p| int32(p, "node id")).transpose()?);
        self.kind.append_value(kind);
        self.name.append_option(name.map(|n| utf8(n, "node name")).transpose()?);
        self.value.append_option(value.map(|v| utf8(v, "constant's repr")).transpose()?);
        self.span.push(pos)?;
        self.attrs.end()
    }

    fn finish(&mut self, item: &FieldRef) -> Result<ArrayRef, ArrowError> {
        let fields = struct_fields(item.data_type(), "nodes")?;
        let columns: Vec<(&str, ArrayRef)> = vec![
            ("ast_id", Arc::new(self.ast_id.finish())),
            ("parent_ast_id", Arc::new(self.parent_ast_id.finish())),
            ("kind", Arc::new(self.kind.finish())),
            ("name", Arc::new(self.name.finish())),
            ("value", Arc::new(self.value.finish())),
            ("span", self.span.finish(child_type(fields, "span", "nodes")?)?),
            ("attrs", self.attrs.finish(child_type(fields, "attrs", "nodes")?, "nodes.attrs")?),
        ];
        struct_array(fields, columns, None, "nodes")
    }
}

/// The walk's edges: one CHILD edge per node but the root, parent to child.
#[derive(Default)]
pub(crate) struct EdgeColumns {
    src: Int32Builder,
    dst: Int32Builder,
    kind: StringBuilder,
    slot: StringBuilder,
    idx: Int32Builder,
    attrs: MapColumns,
}

impl EdgeColumns {
    pub(crate) fn push(&mut self, src: i64, dst: i64, slot: &str, idx: usize) -> PyResult<()> {
        self.src.append_value(int32(src, "node id")?);
        self.dst.append_value(int32(dst, "node id")?);
        self.kind.append_value("CHILD");
        self.slot.append_value(slot);
        self.idx.append_value(int32(i64::try_from(idx).unwrap_or(i64::MAX), "child index")?);
        self.attrs.end()
    }

    fn finish(&mut self, item: &FieldRef) -> Result<ArrayRef, ArrowError> {
        let fields = struct_fields(item.data_type(), "edges")?;
        let columns: Vec<(&str, ArrayRef)> = vec![
            ("src", Arc::new(self.src.finish())),
            ("dst", Arc::new(self.dst.finish())),
            ("kind", Arc::new(self.kind.finish())),
            ("slot", Arc::new(self.slot.finish())),
            ("idx", Arc::new(self.idx.finish())),
            ("attrs", self.attrs.finish(child_type(fields, "attrs", "edges")?, "edges.attrs")?),
        ];
        struct_array(fields, columns, None, "edges")
    }
}

/// One row's nodes and edges while the walk fills them.
#[derive(Default)]
pub(crate) struct AstRowColumns {
    pub(crate) nodes: NodeColumns,
    pub(crate) edges: EdgeColumns,
}

impl AstRowColumns {
    fn counts(&self) -> (usize, usize) {
        (self.nodes.ast_id.len(), self.edges.src.len())
    }

    /// The `nodes` and `edges` columns of a one-row batch of `schema`.
    pub(crate) fn arrays(mut self, schema: &Schema) -> Result<[(usize, ArrayRef); 2], ArrowError> {
        let column = |name: &str| -> Result<(usize, &FieldRef), ArrowError> {
            let at = schema
                .index_of(name)
                .map_err(|_| ArrowError::SchemaError(format!("the staging schema has no column '{name}'")))?;
            Ok((at, list_item(schema.field(at).data_type(), name)?))
        };
        let one_list = |item: &FieldRef, values: ArrayRef, len: usize| -> Result<ArrayRef, ArrowError> {
            let len = i32::try_from(len).map_err(|_| ArrowError::SchemaError(format!("{len} list entries")))?;
            let offsets = OffsetBuffer::new(ScalarBuffer::from(vec![0, len]));
            Ok(Arc::new(ListArray::try_new(item.clone(), offsets, values, None)?))
        };
        let (node_count, edge_count) = self.counts();
        let (nodes_at, nodes_item) = column("nodes")?;
        let (edges_at, edges_item) = column("edges")?;
        let nodes = self.nodes.finish(nodes_item)?;
        let edges = self.edges.finish(edges_item)?;
        Ok([
            (nodes_at, one_list(nodes_item, nodes, node_count)?),
            (edges_at, one_list(edges_item, edges, edge_count)?),
        ])
    }
}

/// A row's nodes and edges as the walker built them, handed from `Walker.walk_rows` to
/// `ArrowPartWriter.write_row`, which takes them (once).
#[pyclass(frozen, module = "syntaxlake_extract._native_walk")]
pub struct AstColumns {
    row: Mutex<Option<AstRowColumns>>,
}

impl AstColumns {
    pub(crate) fn new(row: AstRowColumns) -> Self {
        AstColumns {
            row: Mutex::new(Some(row)),
        }
    }

    pub(crate) fn take(&self) -> PyResult<AstRowColumns> {
        self.row
            .lock()
            .map_err(|_| PyRuntimeError::new_err("native walk: columns poisoned"))?
            .take()
            .ok_or_else(|| PyRuntimeError::new_err("native walk: these columns were written already"))
    }
}

#[pymethods]
impl AstColumns {
    /// (nodes, edges) held, or None once written.
    fn counts(&self) -> PyResult<Option<(usize, usize)>> {
        let row = self.row.lock().map_err(|_| PyRuntimeError::new_err("native walk: columns poisoned"))?;
        Ok(row.as_ref().map(AstRowColumns::counts))
    }
}
