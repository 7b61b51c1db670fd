//! `ArrowPartWriter`: one staging part file in the Arrow IPC file format, filled row by row.
//!
//! Row builders that render a file's row as compact JSON text (`json.dumps` of a row) have it
//! decoded here with arrow-json into the contract's schema, read from an IPC stream file the JVM
//! writes from the contract, and the arrays appended to the part: the staging holds Arrow, never
//! the text. arrow-json is the decoder DataFusion's NDJSON reader uses, with the same defaults,
//! so the arrays equal what the materialize step used to read from NDJSON staging.
//!
//! The AST rows' nodes and edges, most of a row, need no text: the native walker builds them as
//! Arrow arrays (`AstColumns`), handed in with the rest of the row's JSON, whose `nodes` and
//! `edges` are then empty lists that these arrays replace.
//!
//! The LibCST rows are built in Python; with pyarrow there they come as one-row record batches
//! through the Arrow C data interface (`write_arrow`), no text either; without it, as JSON text.
//!
//! Each row is decoded on its own: a row that does not fit the schema raises ValueError and
//! leaves the part as it was, so the harness can write the file's error row instead. Decoded rows
//! are gathered into record batches of bounded size (a whole row is never split). Rows must come
//! in strictly increasing (repo, path) order, UTF-8 byte order as Parquet and DataFusion compare
//! strings; the part's first and last key go into the file footer's custom metadata, where the
//! JVM checks the order across parts.

use std::fs::File;
use std::io::BufWriter;
use std::sync::Mutex;

use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi};
use arrow_array::{Array, RecordBatch, StringArray, StructArray};
use arrow_ipc::CompressionType;
use arrow_ipc::reader::StreamReader;
use arrow_ipc::writer::{FileWriter, IpcWriteOptions};
use arrow_json::reader::{Decoder, ReaderBuilder};
use arrow_schema::{ArrowError, DataType, SchemaRef};
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyString};

use crate::ast_columns::AstColumns;
use crate::with_utf8;

/// Footer metadata keys: the (repo, path) of the part's first and last row, as JSON arrays.
const FIRST_KEY: &str = "syntaxlake.first_key";
const LAST_KEY: &str = "syntaxlake.last_key";

/// A batch is written once it holds this many rows or was decoded from this much JSON text (for
/// columns from the walker, their Arrow memory counts instead). The materialize step reads a
/// batch at a time, so this bounds what one read holds; a single bigger row (a 96 MB LibCST row)
/// makes a batch of its own.
const BATCH_ROWS: usize = 64;
const BATCH_JSON_BYTES: usize = 4 << 20;

/// (repo, path): repo may be null, path never is.
type RowKey = (Option<String>, String);

struct Part {
    schema: SchemaRef,
    decoder: Decoder,
    writer: FileWriter<BufWriter<File>>,
    pending: Vec<RecordBatch>,
    pending_rows: usize,
    pending_bytes: usize,
    first: Option<RowKey>,
    last: Option<RowKey>,
    rows: u64,
    batches: u64,
}

#[pyclass(module = "syntaxlake_extract._native_walk")]
pub struct ArrowPartWriter {
    path: String,
    // None once closed; a Mutex because pyclass values are shared with Python threads
    part: Mutex<Option<Part>>,
}

fn decoder(schema: &SchemaRef) -> Result<Decoder, ArrowError> {
    // as DataFusion's JSON opener builds it; the batch size only has to exceed the one row decoded
    ReaderBuilder::new(schema.clone()).with_batch_size(2).build_decoder()
}

fn read_schema(schema_path: &str) -> PyResult<SchemaRef> {
    let file = File::open(schema_path)
        .map_err(|e| PyOSError::new_err(format!("Arrow staging: cannot open the schema file {schema_path}: {e}")))?;
    let reader = StreamReader::try_new(file, None).map_err(|e| {
        PyValueError::new_err(format!("Arrow staging: {schema_path} is not an Arrow IPC stream with a schema: {e}"))
    })?;
    let schema = reader.schema();
    for (name, expected) in [("repo", false), ("path", true)] {
        match schema.field_with_name(name) {
            Ok(field) if *field.data_type() == DataType::Utf8 && (!expected || !field.is_nullable()) => {}
            _ => {
                return Err(PyValueError::new_err(format!(
                    "Arrow staging: the schema in {schema_path} needs a utf8 column '{name}'{}",
                    if expected { " that is not nullable" } else { "" }
                )));
            }
        }
    }
    Ok(schema)
}

fn compression(name: &str) -> PyResult<Option<CompressionType>> {
    match name {
        "lz4" => Ok(Some(CompressionType::LZ4_FRAME)),
        "none" => Ok(None),
        other => Err(PyValueError::new_err(format!(
            "Arrow staging: unknown compression '{other}' (expected lz4 or none)"
        ))),
    }
}

/// The one row's (repo, path).
fn row_key(batch: &RecordBatch) -> PyResult<RowKey> {
    let text = |name: &str| -> PyResult<Option<String>> {
        let column = batch
            .column_by_name(name)
            .and_then(|c| c.as_any().downcast_ref::<StringArray>())
            .ok_or_else(|| PyRuntimeError::new_err(format!("Arrow staging: decoded row has no utf8 '{name}'")))?;
        Ok((!column.is_null(0)).then(|| column.value(0).to_owned()))
    };
    let path = text("path")?.ok_or_else(|| PyValueError::new_err("the row's path is null"))?;
    Ok((text("repo")?, path))
}

fn key_json(key: &RowKey) -> String {
    let quote = |s: &str| {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    };
    format!("[{},{}]", key.0.as_deref().map_or_else(|| "null".to_owned(), quote), quote(&key.1))
}

/// `data` with every `\\uD8xx\\uDCxx` escape (a character beyond the BMP, as Python's `json`
/// writes it) replaced by the character's UTF-8 bytes; None when there is none. arrow-json 59
/// joins a pair with `|` where `+` is needed (`char_from_surrogate_pair`), so every character
/// whose pair puts bit 16 in the sum (planes 2, 4, ..., 16: CJK Extension B, U+100000, ...)
/// came out as another one; raw UTF-8 is copied as it is.
fn unescape_surrogate_pairs(data: &[u8]) -> Option<Vec<u8>> {
    let hex4 = |at: usize| -> Option<u32> {
        let digits = data.get(at..at + 4)?;
        let text = std::str::from_utf8(digits).ok()?;
        u32::from_str_radix(text, 16).ok()
    };
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < data.len() {
        if data[i] != b'\\' {
            i += 1;
            continue;
        }
        // an escape: `\\uXXXX` or a backslash and one character
        let pair = (data.get(i + 1) == Some(&b'u'))
            .then(|| hex4(i + 2))
            .flatten()
            .filter(|high| (0xD800..0xDC00).contains(high))
            .and_then(|high| {
                let low = (data.get(i + 6..i + 8) == Some(b"\\u".as_slice())).then(|| hex4(i + 8)).flatten()?;
                (0xDC00..0xE000).contains(&low).then(|| 0x1_0000 + ((high - 0xD800) << 10) + (low - 0xDC00))
            })
            .and_then(char::from_u32);
        match pair {
            Some(c) => {
                let buf = out.get_or_insert_with(|| Vec::with_capacity(data.len()));
                buf.extend_from_slice(&data[copied..i]);
                let mut utf8 = [0u8; 4];
                buf.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                i += 12;
                copied = i;
            }
            None => i += if data.get(i + 1) == Some(&b'u') { 6 } else { 2 },
        }
    }
    if let Some(buf) = out.as_mut() {
        buf.extend_from_slice(&data[copied.min(data.len())..]);
    }
    out
}

/// The one-row record batch behind `row`'s `__arrow_c_array__`, with the part's schema.
fn import_row(row: &Bound<'_, PyAny>, schema: &SchemaRef) -> PyResult<RecordBatch> {
    let not_arrow = || PyValueError::new_err("Arrow staging: the row has no Arrow C data interface (__arrow_c_array__)");
    let exported = row.call_method0("__arrow_c_array__").map_err(|_| not_arrow())?;
    let (schema_capsule, array_capsule) = exported
        .extract::<(Bound<'_, PyCapsule>, Bound<'_, PyCapsule>)>()
        .map_err(|_| not_arrow())?;
    let schema_ptr = schema_capsule.pointer_checked(Some(c"arrow_schema"))?.cast::<FFI_ArrowSchema>();
    let array_ptr = array_capsule.pointer_checked(Some(c"arrow_array"))?.cast::<FFI_ArrowArray>();
    // SAFETY: the capsules' names promise an ArrowSchema and an ArrowArray (the PyCapsule
    // interface); from_raw moves the array out and leaves it released, so the capsule's
    // destructor does not release it twice; the schema is only borrowed while its capsule lives.
    let data = unsafe {
        let array = FFI_ArrowArray::from_raw(array_ptr.as_ptr());
        from_ffi(array, schema_ptr.as_ref())
    }
    .map_err(|e| PyValueError::new_err(format!("Arrow staging: cannot import the row: {e}")))?;
    data.validate_full()
        .map_err(|e| PyValueError::new_err(format!("Arrow staging: the row's arrays are invalid: {e}")))?;
    let rows = StructArray::from(data);
    if rows.len() != 1 {
        return Err(PyValueError::new_err(format!("Arrow staging: expected one row, got {}", rows.len())));
    }
    if rows.null_count() != 0 {
        return Err(PyValueError::new_err("Arrow staging: the row is null"));
    }
    let (fields, columns, _) = rows.into_parts();
    if fields.len() != schema.fields().len() || fields.iter().zip(schema.fields()).any(|(a, b)| a.name() != b.name()) {
        return Err(PyValueError::new_err("Arrow staging: the row's columns are not the schema's, in its order"));
    }
    RecordBatch::try_new(schema.clone(), columns).map_err(|e| PyValueError::new_err(e.to_string()))
}

impl Part {
    fn flush_pending(&mut self) -> Result<(), ArrowError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let batch = arrow_select::concat::concat_batches(&self.schema, &self.pending)?;
        self.pending.clear();
        self.pending_rows = 0;
        self.pending_bytes = 0;
        self.writer.write(&batch)?;
        self.batches += 1;
        Ok(())
    }

    /// Queues one row's batch after checking its key follows the previous row's; writes the
    /// pending rows as one batch once they are many or large. `bytes` is what the row weighs.
    fn append(&mut self, batch: RecordBatch, bytes: usize, path: &str) -> PyResult<()> {
        let key = row_key(&batch)?;
        if let Some(last) = &self.last {
            if key <= *last {
                return Err(PyRuntimeError::new_err(format!(
                    "Arrow staging: row {} comes after {} in {path}: rows must be in (repo, path) order",
                    key_json(&key),
                    key_json(last),
                )));
            }
        }
        if self.first.is_none() {
            self.first = Some(key.clone());
        }
        self.last = Some(key);
        self.pending.push(batch);
        self.pending_rows += 1;
        self.pending_bytes += bytes;
        self.rows += 1;
        if self.pending_rows >= BATCH_ROWS || self.pending_bytes >= BATCH_JSON_BYTES {
            self.flush_pending()
                .map_err(|e| PyOSError::new_err(format!("Arrow staging: cannot write {path}: {e}")))?;
        }
        Ok(())
    }

    /// Decodes one row from its JSON pieces; the decoder is rebuilt if it fails, so a bad row
    /// leaves nothing behind.
    fn decode_row(&mut self, chunks: &[Bound<'_, PyString>]) -> PyResult<(RecordBatch, usize)> {
        let mut bytes = 0usize;
        let mut decoded = || -> Result<Option<RecordBatch>, String> {
            for chunk in chunks {
                with_utf8(chunk.as_any(), |data| {
                    bytes += data.len();
                    let unpaired = unescape_surrogate_pairs(data);
                    let mut rest: &[u8] = unpaired.as_deref().unwrap_or(data);
                    while !rest.is_empty() {
                        let used = self.decoder.decode(rest).map_err(|e| PyValueError::new_err(e.to_string()))?;
                        if used == 0 {
                            return Err(PyValueError::new_err("more than one JSON value in a row"));
                        }
                        rest = &rest[used..];
                    }
                    Ok(())
                })
                .map_err(|e| e.to_string())?;
            }
            if self.decoder.has_partial_record() {
                return Err("the row's JSON text ends inside a value".to_owned());
            }
            if self.decoder.len() != 1 {
                return Err(format!("expected one JSON object, found {}", self.decoder.len()));
            }
            self.decoder.flush().map_err(|e| e.to_string())
        };
        match decoded() {
            Ok(Some(batch)) => Ok((batch, bytes)),
            Ok(None) => Err(PyValueError::new_err("the row's JSON text holds no object")),
            Err(message) => {
                self.decoder = decoder(&self.schema).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
                Err(PyValueError::new_err(message))
            }
        }
    }
}

impl ArrowPartWriter {
    /// `f` on the open part; RuntimeError once the writer is closed.
    fn with_open_part<R>(&self, f: impl FnOnce(&mut Part) -> PyResult<R>) -> PyResult<R> {
        let mut guard = self.part.lock().map_err(|_| PyRuntimeError::new_err("Arrow staging: writer poisoned"))?;
        let part = guard
            .as_mut()
            .ok_or_else(|| PyRuntimeError::new_err(format!("Arrow staging: {} is closed", self.path)))?;
        f(part)
    }
}

#[pymethods]
impl ArrowPartWriter {
    /// Creates (truncates) `path`; the schema is the one in the IPC stream file `schema_path`.
    #[new]
    #[pyo3(signature = (schema_path, path, compression = "lz4"))]
    fn new(schema_path: &str, path: &str, compression: &str) -> PyResult<Self> {
        let schema = read_schema(schema_path)?;
        let options = IpcWriteOptions::default()
            .try_with_compression(self::compression(compression)?)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let file = File::create(path)
            .map_err(|e| PyOSError::new_err(format!("Arrow staging: cannot create {path}: {e}")))?;
        let writer = FileWriter::try_new_with_options(BufWriter::with_capacity(1 << 20, file), &schema, options)
            .map_err(|e| PyOSError::new_err(format!("Arrow staging: cannot write {path}: {e}")))?;
        let decoder = decoder(&schema).map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(Self {
            path: path.to_owned(),
            part: Mutex::new(Some(Part {
                schema,
                decoder,
                writer,
                pending: Vec::new(),
                pending_rows: 0,
                pending_bytes: 0,
                first: None,
                last: None,
                rows: 0,
                batches: 0,
            })),
        })
    }

    /// Appends one row given as the pieces of its JSON text (concatenated, one object) and, for
    /// an AST row, its nodes and edges as the walker's `columns` (taken: written once).
    /// ValueError: the row does not fit the schema (nothing was appended). RuntimeError: the row
    /// is not after the previous one in (repo, path) order.
    #[pyo3(signature = (chunks, columns = None))]
    fn write_row(&self, chunks: Vec<Bound<'_, PyString>>, columns: Option<Bound<'_, AstColumns>>) -> PyResult<()> {
        self.with_open_part(|part| {
            let (mut batch, mut bytes) = part.decode_row(&chunks)?;
            if let Some(columns) = columns {
                let mut arrays = batch.columns().to_vec();
                let built = columns.get().take()?.arrays(&part.schema).map_err(|e| PyValueError::new_err(e.to_string()))?;
                for (at, array) in built {
                    bytes += array.get_array_memory_size();
                    arrays[at] = array;
                }
                batch = RecordBatch::try_new(part.schema.clone(), arrays).map_err(|e| PyValueError::new_err(e.to_string()))?;
            }
            part.append(batch, bytes, &self.path)
        })
    }

    /// Appends one row built as Arrow arrays in Python (a pyarrow RecordBatch, or anything with
    /// the Arrow PyCapsule interface's `__arrow_c_array__`), holding exactly one row of the
    /// contract's schema. The arrays are moved in through the C data interface, not copied, and
    /// fully validated (offsets, UTF-8, nulls in non-nullable fields at every depth), so what is
    /// written holds to the schema exactly as a decoded row does. ValueError: the row does not
    /// fit the schema (nothing was appended). RuntimeError: the row is out of (repo, path) order.
    fn write_arrow(&self, row: Bound<'_, PyAny>) -> PyResult<()> {
        self.with_open_part(|part| {
            let batch = import_row(&row, &part.schema)?;
            let bytes = batch.get_array_memory_size();
            part.append(batch, bytes, &self.path)
        })
    }

    /// Writes what is pending and the footer; returns (rows, record batches). Closing twice is an error.
    fn close(&self) -> PyResult<(u64, u64)> {
        let mut guard = self.part.lock().map_err(|_| PyRuntimeError::new_err("Arrow staging: writer poisoned"))?;
        let mut part = guard
            .take()
            .ok_or_else(|| PyRuntimeError::new_err(format!("Arrow staging: {} is closed", self.path)))?;
        let failed = |e: ArrowError| PyOSError::new_err(format!("Arrow staging: cannot write {}: {e}", self.path));
        part.flush_pending().map_err(failed)?;
        if let (Some(first), Some(last)) = (&part.first, &part.last) {
            part.writer.write_metadata(FIRST_KEY, key_json(first));
            part.writer.write_metadata(LAST_KEY, key_json(last));
        }
        part.writer.finish().map_err(failed)?;
        // into_inner flushes the buffer; the harness renames the file into place afterwards
        let buffered = part.writer.into_inner().map_err(failed)?;
        buffered
            .into_inner()
            .map_err(|e| PyOSError::new_err(format!("Arrow staging: cannot write {}: {e}", self.path)))?;
        Ok((part.rows, part.batches))
    }
}
