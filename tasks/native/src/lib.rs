//! `syntaxlake_extract._native_walk`: the pre-order AST walk of `ast_rows._walk_fast`, in Rust.
//!
//! Python computes each AST class's layout once (`ast_rows._class_spec`) and hands the table to
//! `Walker`; this module only executes it: pop the DFS stack, look the node's type up, read
//! `node.__dict__`, append the node's and edge's JSON text to byte buffers. The text must be
//! byte-identical to `_walk_fast`'s (the Python walker is the reference; tests compare both).
//! Anything unexpected raises, and `ast_rows._walk` then falls back to `_walk_generic`.
//! `walk_rows` also renders what `ast_rows._specials` makes of the special nodes (`specials.rs`);
//! there anything unexpected makes `ast_rows._walk_rows` do the whole file in Python.

mod arrow_part;
mod ast_columns;
mod specials;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::os::raw::c_char;
use std::sync::Mutex;

use pyo3::exceptions::{PyIndexError, PyKeyError, PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PyList, PyString, PyTuple, PyType};

use crate::ast_columns::{AstColumns, AstRowColumns, Pos};

// Not in the Python 3.8 limited API (it is from 3.10), but exported by every CPython 3.x: it hands
// out the string's cached UTF-8 form without a copy (for ASCII strings, the string's own data),
// where the 3.8-compatible alternative would allocate a bytes object per string.
// PyObject_GenericGetDict likewise (limited API from 3.10, exported since 3.3): a node's __dict__
// without the attribute lookup machinery.
unsafe extern "C" {
    fn PyUnicode_AsUTF8AndSize(unicode: *mut ffi::PyObject, size: *mut ffi::Py_ssize_t) -> *const c_char;
    fn PyObject_GenericGetDict(obj: *mut ffi::PyObject, context: *mut std::ffi::c_void) -> *mut ffi::PyObject;
}

const NOSPAN: &str = r#"{"start":null,"end":null,"end_exclusive":true,"col_unit":"byte","byte_span":null}"#;

/// Rows are handed back in pieces of about this size (each a comma-separated run of JSON objects):
/// a huge file never needs its whole node list as one buffer plus one Python copy, and pieces this
/// small stay in the CPU cache and in malloc's heap (bigger ones are mmapped afresh for every file).
const CHUNK: usize = 64 << 10;

// child quantifiers and scalar categories: the codes `ast_rows._class_spec` uses
const CH_ONE: u8 = 0;
const CH_OPT: u8 = 1;
const CH_LIST: u8 = 2;
const CH_LIST_NONE: u8 = 3; // a list CPython pads with None (Dict.keys, arguments.kw_defaults)
const SC_STR: u8 = 0;
const SC_INT: u8 = 1;
const SC_CONST: u8 = 2;
const SC_LIST: u8 = 3;
const SC_NAME: u8 = 4;
const SC_NAME_OPT: u8 = 5;

/// One `ast_rows._class_spec` entry: (kind, children, scalars, haspos, is_const, special).
type Spec = (String, Vec<(String, u8)>, Vec<(String, u8)>, u8, bool, u8);

/// (node pieces, edge pieces, specials, node count), as `_walk_fast` returns them.
type Walked<'py> = (Bound<'py, PyList>, Bound<'py, PyList>, Bound<'py, PyList>, i64);

/// (node pieces, edge pieces, (docstrings, imports, defs, calls, type_ignores), node count), as
/// `ast_rows._walk_rows` returns them: the lists as the text between their brackets; or, for
/// `columns=True`, (AstColumns, None, the lists, node count).
type WalkedRows<'py> = (
    Bound<'py, PyAny>,
    Bound<'py, PyAny>,
    (
        Bound<'py, PyAny>,
        Bound<'py, PyAny>,
        Bound<'py, PyAny>,
        Bound<'py, PyAny>,
        Bound<'py, PyAny>,
    ),
    i64,
);

/// Where the specials go: to Python as `(code, node, id, parent id, span)` tuples (`walk`), or
/// rendered here (`walk_rows`).
enum Sink<'a, 'py, 's> {
    Tuples(&'a Bound<'py, PyList>),
    Rows(&'a mut specials::Rendered<'s>),
}

struct Child {
    idx: usize, // into Class::keys
    slot: String,
    quant: u8,
}

struct Scalar {
    idx: usize,
    key: String,      // the field's name: the node's attrs key
    json_key: String, // ,"field":
    cat: u8,
}

struct Class {
    kind: String,
    // `_fields` then `_attributes`: the order in which CPython fills a node's __dict__
    keys: Vec<Py<PyString>>,
    lineno: Option<usize>,
    col_offset: Option<usize>,
    end_lineno: Option<usize>,
    end_col_offset: Option<usize>,
    value: Option<usize>,
    children: Vec<Child>, // reversed: pushed so that they pop in field order
    scalars: Vec<Scalar>, // field order
    haspos: u8,           // 1: lineno/col_offset/end_*, 2: lineno only (TypeIgnore), 0: none
    is_const: bool,
    special: u8,
}

/// Type objects are keyed by address: hashing a pointer needs no SipHash.
#[derive(Default)]
struct PtrHasher(u64);

impl Hasher for PtrHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = ((n as u64) >> 4).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

#[pyclass(frozen, module = "syntaxlake_extract._native_walk")]
struct Walker {
    classes: HashMap<usize, Class, BuildHasherDefault<PtrHasher>>,
    _types: Vec<Py<PyType>>, // keeps the keyed type objects alive
    node_limit: Py<PyAny>,
    unsupported: Py<PyAny>,
    conf: specials::Conf,
    // Output buffers (one piece each, about CHUNK) kept between calls rather than allocated per file.
    pool: Mutex<Vec<Vec<u8>>>,
}

impl Walker {
    fn take_buf(&self) -> Vec<u8> {
        self.pool
            .try_lock()
            .ok()
            .and_then(|mut p| p.pop())
            .unwrap_or_else(|| Vec::with_capacity(1 << 16))
    }
    fn give_buf(&self, mut buf: Vec<u8>) {
        buf.clear();
        if let Ok(mut p) = self.pool.try_lock()
            && p.len() < 2
        {
            p.push(buf);
        }
    }
}

struct Frame<'py, 'a> {
    node: Bound<'py, PyAny>,
    pid: i64,
    slot: &'a str,
    pos: usize,
}

/// Decimal text of `v`. Numbers below 100,000 (nearly all positions, offsets and indices) are
/// written as a fixed number of digits, without a copy of a formatted buffer of unknown length.
#[inline]
fn push_u64(out: &mut Vec<u8>, v: u64) {
    let d = |n: u64| b'0' + (n % 10) as u8;
    match v {
        0..=9 => out.push(d(v)),
        10..=99 => out.extend_from_slice(&[d(v / 10), d(v)]),
        100..=999 => out.extend_from_slice(&[d(v / 100), d(v / 10), d(v)]),
        1_000..=9_999 => out.extend_from_slice(&[d(v / 1_000), d(v / 100), d(v / 10), d(v)]),
        10_000..=99_999 => out.extend_from_slice(&[d(v / 10_000), d(v / 1_000), d(v / 100), d(v / 10), d(v)]),
        _ => out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
    }
}

fn push_int(out: &mut Vec<u8>, v: i64) {
    match u64::try_from(v) {
        Ok(v) => push_u64(out, v),
        Err(_) => out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
    }
}

fn push_usize(out: &mut Vec<u8>, v: usize) {
    // lossless: usize is at most 64 bits on every target Rust supports
    push_u64(out, v as u64);
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn push_u16_escape(out: &mut Vec<u8>, c: u32) {
    out.extend_from_slice(b"\\u");
    for shift in [12, 8, 4, 0] {
        out.push(HEX[((c >> shift) & 0xf) as usize]);
    }
}

/// `json.encoder.encode_basestring_ascii` over a string's UTF-8 bytes. Lone surrogates arrive
/// "surrogatepass"-encoded (three bytes, like any other BMP code point) and come out as \udXXX.
fn esc_into(out: &mut Vec<u8>, s: &[u8]) -> PyResult<()> {
    out.push(b'"');
    let mut i = 0;
    let mut start = 0;
    while i < s.len() {
        let b = s[i];
        if (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' {
            i += 1;
            continue;
        }
        out.extend_from_slice(&s[start..i]);
        if b < 0x80 {
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                0x08 => out.extend_from_slice(b"\\b"),
                0x0c => out.extend_from_slice(b"\\f"),
                _ => push_u16_escape(out, u32::from(b)),
            }
            i += 1;
        } else {
            let (len, init) = match b {
                0xc0..=0xdf => (2, u32::from(b & 0x1f)),
                0xe0..=0xef => (3, u32::from(b & 0x0f)),
                0xf0..=0xf7 => (4, u32::from(b & 0x07)),
                _ => return Err(PyValueError::new_err("native walk: malformed UTF-8 from CPython")),
            };
            let tail = s
                .get(i + 1..i + len)
                .ok_or_else(|| PyValueError::new_err("native walk: truncated UTF-8 from CPython"))?;
            let c = tail.iter().fold(init, |c, &t| c << 6 | u32::from(t & 0x3f));
            if c >= 0x10000 {
                let c = c - 0x10000;
                push_u16_escape(out, 0xd800 | (c >> 10));
                push_u16_escape(out, 0xdc00 | (c & 0x3ff));
            } else {
                push_u16_escape(out, c);
            }
            i += len;
        }
        start = i;
    }
    out.extend_from_slice(&s[start..]);
    out.push(b'"');
    Ok(())
}

/// Escapes a str (any str subclass, like `encode_basestring_ascii`); TypeError for anything else.
fn esc_str(out: &mut Vec<u8>, v: &Bound<'_, PyAny>) -> PyResult<()> {
    with_utf8(v, |bytes| esc_into(out, bytes))
}

/// Calls `f` with a str's UTF-8 bytes, lone surrogates "surrogatepass"-encoded. Runs no Python code.
fn with_utf8<R>(v: &Bound<'_, PyAny>, f: impl FnOnce(&[u8]) -> PyResult<R>) -> PyResult<R> {
    let s = v
        .cast::<PyString>()
        .map_err(|_| PyTypeError::new_err("native walk: expected a str"))?;
    let py = s.py();
    let mut size: ffi::Py_ssize_t = 0;
    // SAFETY: `s` is a live str; the returned buffer belongs to it and is read before it can go away.
    let data = unsafe { PyUnicode_AsUTF8AndSize(s.as_ptr(), &mut size) };
    if !data.is_null() {
        let len = usize::try_from(size).map_err(|_| PyValueError::new_err("native walk: bad str size"))?;
        // SAFETY: CPython guarantees `len` readable bytes at `data` while `s` lives.
        return f(unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) });
    }
    // Lone surrogates have no UTF-8 form: encode them like any BMP code point instead.
    let _ = PyErr::take(py);
    // SAFETY: a live str and C strings; the result is a new reference or NULL with an exception set.
    let b = unsafe {
        Bound::from_owned_ptr_or_err(
            py,
            ffi::PyUnicode_AsEncodedString(s.as_ptr(), c"utf-8".as_ptr(), c"surrogatepass".as_ptr()),
        )?
    };
    let b = b
        .cast::<PyBytes>()
        .map_err(|_| PyTypeError::new_err("native walk: encode did not give bytes"))?;
    f(b.as_bytes())
}

/// `str(v)` of an exact int / bool, as `_walk_fast` writes it (ints beyond i64 through int's own
/// `__str__`, which raises ValueError past `sys.get_int_max_str_digits()`, as in Python).
fn int_text(out: &mut Vec<u8>, v: &Bound<'_, PyAny>) -> PyResult<()> {
    if v.is_exact_instance_of::<PyBool>() {
        out.extend_from_slice(if v.is_truthy()? { b"True" } else { b"False" });
    } else if !v.is_exact_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err("native walk: expected an int"));
    } else if let Ok(n) = exact_int(v) {
        push_int(out, n);
    } else {
        let _ = PyErr::take(v.py());
        with_utf8(v.str()?.as_any(), |digits| {
            out.extend_from_slice(digits);
            Ok(())
        })?;
    }
    Ok(())
}

fn exact_int(v: &Bound<'_, PyAny>) -> PyResult<i64> {
    if !v.is_exact_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err("native walk: position is not an int"));
    }
    let mut overflow = 0;
    // SAFETY: `v` is a live int.
    let n = unsafe { ffi::PyLong_AsLongLongAndOverflow(v.as_ptr(), &mut overflow) };
    if overflow != 0 {
        return Err(PyValueError::new_err("native walk: position out of range"));
    }
    Ok(n)
}

/// Reads the values of `keys` from a node's `__dict__` into `vals` (borrowed; NULL when missing).
/// CPython fills the dict in `_fields` + `_attributes` order with interned names, so one pass of
/// PyDict_Next comparing key pointers usually does it, without hashing; any other dict is looked
/// up key by key. The values are borrowed: valid while the dict is not mutated, i.e. until the
/// walk next runs Python code (a Constant's repr, after the node's last read), which therefore
/// only ever sees values the walk owns.
fn load(d: &Bound<'_, PyDict>, keys: &[Py<PyString>], vals: &mut Vec<*mut ffi::PyObject>) -> PyResult<()> {
    vals.clear();
    let mut pos: ffi::Py_ssize_t = 0;
    let mut k: *mut ffi::PyObject = std::ptr::null_mut();
    let mut v: *mut ffi::PyObject = std::ptr::null_mut();
    for key in keys {
        // SAFETY: `d` is a live dict; PyDict_Next hands out borrowed pointers into it.
        if unsafe { ffi::PyDict_Next(d.as_ptr(), &mut pos, &mut k, &mut v) } == 0 || k != key.as_ptr() {
            break;
        }
        vals.push(v);
    }
    if vals.len() == keys.len() {
        return Ok(());
    }
    vals.clear();
    for key in keys {
        // SAFETY: both are live objects; the result is borrowed, or NULL (missing, or an error set).
        let v = unsafe { ffi::PyDict_GetItemWithError(d.as_ptr(), key.as_ptr()) };
        if v.is_null()
            && let Some(e) = PyErr::take(d.py())
        {
            return Err(e);
        }
        vals.push(v);
    }
    Ok(())
}

/// Value `idx` of `load`'s result (KeyError when the node lacks it).
fn val<'a, 'py>(
    d: &'a Bound<'py, PyDict>,
    keys: &[Py<PyString>],
    vals: &[*mut ffi::PyObject],
    idx: Option<usize>,
) -> PyResult<Borrowed<'a, 'py, PyAny>> {
    let py = d.py();
    let missing = || PyKeyError::new_err(idx.and_then(|i| keys.get(i)).map(|k| k.clone_ref(py)));
    let p = idx.and_then(|i| vals.get(i).copied()).ok_or_else(missing)?;
    // SAFETY: `p` is NULL or borrowed from `d`, which outlives 'a and is not mutated meanwhile.
    unsafe { Borrowed::from_ptr_or_opt(py, p) }.ok_or_else(missing)
}

/// A node's `__dict__` (an exact dict, else TypeError).
fn node_dict<'py>(node: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    // SAFETY: `node` is live; the result is a new reference or NULL with an exception set.
    let d = unsafe {
        Bound::from_owned_ptr_or_err(node.py(), PyObject_GenericGetDict(node.as_ptr(), std::ptr::null_mut()))?
    };
    if !d.is_exact_instance_of::<PyDict>() {
        return Err(PyTypeError::new_err("native walk: __dict__ is not a dict"));
    }
    d.cast_into::<PyDict>()
        .map_err(|_| PyTypeError::new_err("native walk: __dict__ is not a dict"))
}

/// ASCII bytes (everything the walk writes is escaped) -> str.
fn ascii_str<'py>(py: Python<'py>, b: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let len = ffi::Py_ssize_t::try_from(b.len()).map_err(|_| PyValueError::new_err("native walk: text too long"))?;
    // SAFETY: a valid (pointer, length) pair; the result is a new reference or NULL with an exception set.
    unsafe {
        Bound::from_owned_ptr_or_err(
            py,
            ffi::PyUnicode_DecodeASCII(b.as_ptr().cast(), len, c"strict".as_ptr()),
        )
    }
}

/// A buffer of comma-separated JSON objects, handed to a Python list in `CHUNK`-sized pieces.
struct Rows<'py> {
    buf: Vec<u8>,
    out: Bound<'py, PyList>,
}

impl<'py> Rows<'py> {
    fn new(py: Python<'py>, buf: Vec<u8>) -> Self {
        Rows {
            buf,
            out: PyList::empty(py),
        }
    }
    /// Starts a row: a separator unless it is the first of its piece.
    fn begin(&mut self) -> &mut Vec<u8> {
        if !self.buf.is_empty() {
            self.buf.push(b',');
        }
        &mut self.buf
    }
    fn end_row(&mut self) -> PyResult<()> {
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(())
    }
    fn flush(&mut self) -> PyResult<()> {
        if !self.buf.is_empty() {
            self.out.append(ascii_str(self.out.py(), &self.buf)?)?;
            self.buf.clear();
        }
        Ok(())
    }
    fn finish(mut self, walker: &Walker) -> PyResult<Bound<'py, PyList>> {
        self.flush()?;
        walker.give_buf(self.buf);
        Ok(self.out)
    }
}

/// `(code, node, id_text, parent_id_text, span_json)`: what `ast_rows._specials` renders.
fn special<'py>(
    code: u8,
    node: &Bound<'py, PyAny>,
    id: &[u8],
    pid: &[u8],
    span: &[u8],
) -> PyResult<Bound<'py, PyTuple>> {
    let py = node.py();
    let code = i64::from(code).into_pyobject(py)?.into_any();
    PyTuple::new(
        py,
        [
            code,
            node.clone(),
            ascii_str(py, id)?,
            ascii_str(py, pid)?,
            ascii_str(py, span)?,
        ],
    )
}

#[pymethods]
impl Walker {
    /// `table`: {ast class: (kind, children, scalars, haspos, is_const, special)} with children
    /// ((field, quantifier), ...) in reverse field order and scalars ((field, category), ...).
    /// `rows`: what `walk_rows` needs of the `ast` module (see `specials::Conf::new`).
    #[new]
    fn new(
        table: &Bound<'_, PyDict>,
        node_limit: Py<PyAny>,
        unsupported: Py<PyAny>,
        rows: &Bound<'_, PyTuple>,
    ) -> PyResult<Self> {
        let py = table.py();
        let mut classes = HashMap::default();
        let mut types = Vec::new();
        for (cls, spec) in table.iter() {
            let cls = cls
                .cast_into::<PyType>()
                .map_err(|_| PyTypeError::new_err("table key is not a class"))?;
            let (kind, children, scalars, haspos, is_const, special): Spec = spec.extract()?;
            let mut names: Vec<String> = cls.getattr(intern!(py, "_fields"))?.extract()?;
            if let Ok(attributes) = cls.getattr(intern!(py, "_attributes")) {
                names.extend(attributes.extract::<Vec<String>>()?);
            }
            let find = |f: &str| names.iter().position(|n| n == f);
            let field = |f: &str| find(f).ok_or_else(|| PyValueError::new_err(format!("{f} is not a field")));
            let children = children
                .into_iter()
                .map(|(f, quant)| {
                    Ok(Child {
                        idx: field(&f)?,
                        slot: f,
                        quant,
                    })
                })
                .collect::<PyResult<_>>()?;
            let scalars = scalars
                .into_iter()
                .map(|(f, cat)| {
                    Ok(Scalar {
                        idx: field(&f)?,
                        json_key: format!(",\"{f}\":"),
                        key: f,
                        cat,
                    })
                })
                .collect::<PyResult<_>>()?;
            let class = Class {
                kind,
                keys: names.iter().map(|n| PyString::intern(py, n).unbind()).collect(),
                lineno: find("lineno"),
                col_offset: find("col_offset"),
                end_lineno: find("end_lineno"),
                end_col_offset: find("end_col_offset"),
                value: find("value"),
                children,
                scalars,
                haspos,
                is_const,
                special,
            };
            classes.insert(cls.as_ptr() as usize, class);
            types.push(cls.unbind());
        }
        Ok(Walker {
            classes,
            _types: types,
            node_limit,
            unsupported,
            conf: specials::Conf::new(rows)?,
            pool: Mutex::new(Vec::new()),
        })
    }

    /// `_walk_fast(tree, ls, max_nodes, small)` for an `ast.Module`: returns (node_chunks,
    /// edge_chunks, specials, node_count). `small` only selects a formatting shortcut in Python.
    #[pyo3(signature = (tree, ls, max_nodes, small = false))]
    fn walk<'py>(&self, tree: &Bound<'py, PyAny>, ls: Vec<i64>, max_nodes: i64, small: bool) -> PyResult<Walked<'py>> {
        let _ = small;
        let py = tree.py();
        let specials = PyList::empty(py);
        let mut out = self.text_out(py);
        let count = self.run(tree, &ls, max_nodes, &mut Sink::Tuples(&specials), &mut out)?;
        let (nodes, edges) = out.into_text(self)?;
        Ok((nodes, edges, specials, count))
    }

    /// `_walk_rows(tree, ls, max_nodes, src)` for an `ast.Module`: the walk, with the specials
    /// rendered as `ast_rows._specials` renders them (`src`: the bytes the spans index). With
    /// `columns`, the nodes and edges come as one `AstColumns` (and None) instead of text.
    #[pyo3(signature = (tree, ls, max_nodes, src, columns = false))]
    fn walk_rows<'py>(
        &self,
        tree: &Bound<'py, PyAny>,
        ls: Vec<i64>,
        max_nodes: i64,
        src: &Bound<'py, PyBytes>,
        columns: bool,
    ) -> PyResult<WalkedRows<'py>> {
        let py = tree.py();
        let mut rendered = specials::Rendered::new(src.as_bytes());
        let mut out = if columns {
            Out::Columns(AstRowColumns::default())
        } else {
            self.text_out(py)
        };
        let count = self.run(tree, &ls, max_nodes, &mut Sink::Rows(&mut rendered), &mut out)?;
        let (nodes, edges) = match out {
            Out::Columns(row) => (Bound::new(py, AstColumns::new(row))?.into_any(), py.None().into_bound(py)),
            text => {
                let (nodes, edges) = text.into_text(self)?;
                (nodes.into_any(), edges.into_any())
            }
        };
        let [docstrings, imports, defs, calls, type_ignores] = &rendered.lists;
        let lists = (
            ascii_str(py, docstrings)?,
            ascii_str(py, imports)?,
            ascii_str(py, defs)?,
            ascii_str(py, calls)?,
            ascii_str(py, type_ignores)?,
        );
        Ok((nodes, edges, lists, count))
    }
}

/// Where the walk puts nodes and edges: JSON text in pieces, or Arrow columns.
enum Out<'py> {
    Text { nodes: Rows<'py>, edges: Rows<'py> },
    Columns(AstRowColumns),
}

impl<'py> Out<'py> {
    fn into_text(self, walker: &Walker) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyList>)> {
        match self {
            Out::Text { nodes, edges } => Ok((nodes.finish(walker)?, edges.finish(walker)?)),
            Out::Columns(_) => Err(PyValueError::new_err("native walk: the walk made columns, not text")),
        }
    }
}

/// Copies a str's UTF-8 bytes (lone surrogates "surrogatepass"-encoded) to `out`.
fn push_utf8(out: &mut Vec<u8>, v: &Bound<'_, PyAny>) -> PyResult<()> {
    with_utf8(v, |bytes| {
        out.extend_from_slice(bytes);
        Ok(())
    })
}

/// The span's JSON text, as `_walk_fast` writes it.
fn span_json(out: &mut Vec<u8>, at: &Pos) {
    match *at {
        Pos::Full {
            line0,
            col,
            end_line0,
            end_col,
            byte_start,
            byte_len,
        } => {
            out.extend_from_slice(br#"{"start":{"line0":"#);
            push_int(out, line0);
            out.extend_from_slice(br#","col":"#);
            push_int(out, col);
            out.extend_from_slice(br#"},"end":{"line0":"#);
            push_int(out, end_line0);
            out.extend_from_slice(br#","col":"#);
            push_int(out, end_col);
            out.extend_from_slice(br#"},"end_exclusive":true,"col_unit":"byte","byte_span":{"byte_start":"#);
            push_int(out, byte_start);
            out.extend_from_slice(br#","byte_len":"#);
            push_int(out, byte_len);
            out.extend_from_slice(b"}}");
        }
        Pos::Line(line0) => {
            // TypeIgnore: a line, no column (`_line_only_span`)
            out.extend_from_slice(br#"{"start":{"line0":"#);
            push_int(out, line0);
            out.extend_from_slice(br#","col":null},"end":null,"end_exclusive":true,"col_unit":"byte","byte_span":null}"#);
        }
        Pos::None => out.extend_from_slice(NOSPAN.as_bytes()),
    }
}

impl Walker {
    fn text_out<'py>(&self, py: Python<'py>) -> Out<'py> {
        Out::Text {
            nodes: Rows::new(py, self.take_buf()),
            edges: Rows::new(py, self.take_buf()),
        }
    }

    /// A node's position from its fields (`haspos` of its class), checked as `_walk_fast` checks it.
    fn position<'py>(
        haspos: u8,
        field: impl Fn(Option<usize>) -> PyResult<Bound<'py, PyAny>>,
        info: &Class,
        ls: &[i64],
    ) -> PyResult<Pos> {
        match haspos {
            1 => {
                let l0 = exact_int(&field(info.lineno)?)?.wrapping_sub(1);
                let c = exact_int(&field(info.col_offset)?)?;
                let el0 = exact_int(&field(info.end_lineno)?)?.wrapping_sub(1);
                let ec = exact_int(&field(info.end_col_offset)?)?;
                if (l0 | c | el0 | ec) < 0 {
                    return Err(PyValueError::new_err("negative position"));
                }
                let line = |l: i64| {
                    usize::try_from(l)
                        .ok()
                        .and_then(|l| ls.get(l).copied())
                        .ok_or_else(|| PyIndexError::new_err("line out of range"))
                };
                // positions beyond i64 arithmetic: ValueError (the generic walker has big ints)
                let overflow = || PyValueError::new_err("native walk: position overflow");
                let bs = line(l0)?.checked_add(c).ok_or_else(overflow)?;
                let bl = line(el0)?
                    .checked_add(ec)
                    .and_then(|e| e.checked_sub(bs))
                    .ok_or_else(overflow)?
                    .max(0);
                Ok(Pos::Full {
                    line0: l0,
                    col: c,
                    end_line0: el0,
                    end_col: ec,
                    byte_start: bs,
                    byte_len: bl,
                })
            }
            2 => {
                let l = field(info.lineno)?;
                if l.is_none() {
                    Ok(Pos::None)
                } else {
                    let line0 = exact_int(&l)?
                        .checked_sub(1)
                        .ok_or_else(|| PyValueError::new_err("native walk: line overflow"))?;
                    Ok(Pos::Line(line0))
                }
            }
            _ => Ok(Pos::None),
        }
    }

    /// The walk of `walk` / `walk_rows` into `out`; returns the node count.
    fn run<'py>(
        &self,
        tree: &Bound<'py, PyAny>,
        ls: &[i64],
        max_nodes: i64,
        sink: &mut Sink<'_, 'py, '_>,
        out: &mut Out<'py>,
    ) -> PyResult<i64> {
        let py = tree.py();
        let node_limit = |n: i64| -> PyErr {
            match self.node_limit.bind(py).call1((n,)) {
                Ok(e) => PyErr::from_value(e),
                Err(e) => e,
            }
        };
        let mut vals: Vec<*mut ffi::PyObject> = Vec::with_capacity(16);

        let mut stack: Vec<Frame<'py, '_>> = Vec::with_capacity(256);
        let mut sa: Vec<u8> = Vec::with_capacity(256);
        let mut name: Vec<u8> = Vec::with_capacity(64);
        let mut raw: Vec<u8> = Vec::with_capacity(256);
        let mut span: Vec<u8> = Vec::with_capacity(160);
        let mut pos_text: Vec<u8> = Vec::with_capacity(8);

        // the root (always ast.Module here): no parent, no edge
        let d = node_dict(tree)?;
        for f in ["type_ignores", "body"] {
            let v = d.get_item(f)?.ok_or_else(|| PyKeyError::new_err(f))?;
            let v = v
                .cast_into::<PyList>()
                .map_err(|_| PyTypeError::new_err("Module field is not a list"))?;
            for (i, x) in v.iter().enumerate().collect::<Vec<_>>().into_iter().rev() {
                stack.push(Frame {
                    node: x,
                    pid: 0,
                    slot: f,
                    pos: i,
                });
            }
        }
        match out {
            Out::Text { nodes, .. } => nodes.begin().extend_from_slice(
                format!(r#"{{"ast_id":0,"parent_ast_id":null,"kind":"Module","name":null,"value":null,"span":{NOSPAN},"attrs":{{}}}}"#)
                    .as_bytes(),
            ),
            Out::Columns(row) => row.nodes.push(0, None, "Module", None, None, &Pos::None)?,
        }
        match sink {
            Sink::Tuples(list) => list.append(special(specials::SP_MODULE, tree, b"0", b"null", NOSPAN.as_bytes())?)?,
            Sink::Rows(rendered) => {
                let s = specials::Special {
                    code: specials::SP_MODULE,
                    node: tree,
                    d: &d,
                    kind: "Module",
                    haspos: 0,
                    id: b"0",
                    pid: b"null",
                    span: NOSPAN.as_bytes(),
                };
                self.render(rendered, &s, ls)?;
            }
        }
        let limit = max_nodes.saturating_sub(1);
        if limit < 0 {
            return Err(node_limit(1));
        }
        let mut nid: i64 = 0;
        let mut ids = itoa::Buffer::new();

        while let Some(Frame { node, pid, slot, pos }) = stack.pop() {
            nid += 1;
            if nid > limit {
                return Err(node_limit(nid + 1));
            }
            let info = match self.classes.get(&(node.get_type_ptr() as usize)) {
                Some(info) => info,
                None => {
                    let name = node.get_type().name().map(|n| n.to_string()).unwrap_or_default();
                    return Err(PyErr::from_value(self.unsupported.bind(py).call1((name,))?));
                }
            };
            let d = node_dict(&node)?;
            load(&d, &info.keys, &mut vals)?;
            let field = |idx| val(&d, &info.keys, &vals, idx);

            for c in &info.children {
                let v = field(Some(c.idx))?;
                match c.quant {
                    CH_ONE => stack.push(Frame {
                        node: v.to_owned(),
                        pid: nid,
                        slot: &c.slot,
                        pos: 0,
                    }),
                    CH_OPT => {
                        if !v.is_none() {
                            stack.push(Frame {
                                node: v.to_owned(),
                                pid: nid,
                                slot: &c.slot,
                                pos: 0,
                            });
                        }
                    }
                    CH_LIST | CH_LIST_NONE => {
                        let v = v
                            .cast::<PyList>()
                            .map_err(|_| PyTypeError::new_err("child list is not a list"))?;
                        let skip_none = c.quant == CH_LIST_NONE;
                        let mut i = v.len();
                        while i > 0 {
                            i -= 1;
                            let x = v.get_item(i)?;
                            if !(skip_none && x.is_none()) {
                                stack.push(Frame {
                                    node: x,
                                    pid: nid,
                                    slot: &c.slot,
                                    pos: i,
                                });
                            }
                        }
                    }
                    _ => return Err(PyValueError::new_err("native walk: unknown child quantifier")),
                }
            }

            // attrs: where the node sits in its parent, then its scalar fields, as text
            sa.clear();
            name.clear();
            let mut named = false;
            if let Out::Columns(row) = out {
                pos_text.clear();
                push_usize(&mut pos_text, pos);
                row.nodes.attr("field_name", slot.as_bytes())?;
                row.nodes.attr("field_pos", &pos_text)?;
            }
            for s in &info.scalars {
                let v = field(Some(s.idx))?;
                raw.clear();
                match s.cat {
                    SC_STR => {
                        if v.is_none() {
                            continue;
                        }
                        push_utf8(&mut raw, &v)?;
                    }
                    SC_INT => {
                        if v.is_none() {
                            continue;
                        }
                        int_text(&mut raw, &v)?;
                    }
                    SC_CONST => {
                        if v.is_exact_instance_of::<PyString>() {
                            push_utf8(&mut raw, &v)?;
                        } else if v.is_exact_instance_of::<PyInt>() || v.is_exact_instance_of::<PyBool>() {
                            int_text(&mut raw, &v)?;
                        } else {
                            continue;
                        }
                    }
                    SC_LIST => {
                        // json.dumps(v) for a non-empty list of names (Global.names, ...)
                        let v = v
                            .cast::<PyList>()
                            .map_err(|_| PyTypeError::new_err("native walk: not a list"))?;
                        if v.is_empty() {
                            continue;
                        }
                        raw.push(b'[');
                        for (i, x) in v.iter().enumerate() {
                            if i > 0 {
                                raw.extend_from_slice(b", ");
                            }
                            if !x.is_exact_instance_of::<PyString>() {
                                return Err(PyTypeError::new_err("native walk: a name list holds a non-str"));
                            }
                            esc_str(&mut raw, &x)?;
                        }
                        raw.push(b']');
                    }
                    SC_NAME | SC_NAME_OPT => {
                        if s.cat == SC_NAME_OPT && v.is_none() {
                            continue;
                        }
                        push_utf8(&mut raw, &v)?;
                        name.extend_from_slice(&raw);
                        named = true;
                    }
                    _ => return Err(PyValueError::new_err("native walk: unknown scalar category")),
                }
                match out {
                    Out::Text { .. } => {
                        sa.extend_from_slice(s.json_key.as_bytes());
                        esc_into(&mut sa, &raw)?;
                    }
                    Out::Columns(row) => row.nodes.attr(&s.key, &raw)?,
                }
            }

            let at = Self::position(info.haspos, |idx| field(idx).map(|v| v.to_owned()), info, ls)?;
            span.clear();
            if info.special != 0 || matches!(out, Out::Text { .. }) {
                span_json(&mut span, &at);
            }

            let sid = ids.format(nid).as_bytes().to_vec();
            match out {
                Out::Text { nodes, edges } => {
                    let out = nodes.begin();
                    out.extend_from_slice(br#"{"ast_id":"#);
                    out.extend_from_slice(&sid);
                    out.extend_from_slice(br#","parent_ast_id":"#);
                    push_int(out, pid);
                    out.extend_from_slice(br#","kind":""#);
                    out.extend_from_slice(info.kind.as_bytes());
                    out.extend_from_slice(br#"","name":"#);
                    if named {
                        esc_into(out, &name)?;
                    } else {
                        out.extend_from_slice(b"null");
                    }
                    out.extend_from_slice(br#","value":"#);
                    if info.is_const {
                        let r = field(info.value)?.to_owned().repr()?;
                        esc_str(out, r.as_any())?;
                    } else {
                        out.extend_from_slice(b"null");
                    }
                    out.extend_from_slice(br#","span":"#);
                    out.extend_from_slice(&span);
                    out.extend_from_slice(br#","attrs":{"field_name":""#);
                    out.extend_from_slice(slot.as_bytes());
                    out.extend_from_slice(br#"","field_pos":""#);
                    push_usize(out, pos);
                    out.push(b'"');
                    out.extend_from_slice(&sa);
                    out.extend_from_slice(b"}}");
                    nodes.end_row()?;

                    let out = edges.begin();
                    out.extend_from_slice(br#"{"src":"#);
                    push_int(out, pid);
                    out.extend_from_slice(br#","dst":"#);
                    out.extend_from_slice(&sid);
                    out.extend_from_slice(br#","kind":"CHILD","slot":""#);
                    out.extend_from_slice(slot.as_bytes());
                    out.extend_from_slice(br#"","idx":"#);
                    push_usize(out, pos);
                    out.extend_from_slice(br#","attrs":{}}"#);
                    edges.end_row()?;
                }
                Out::Columns(row) => {
                    let name = named.then_some(name.as_slice());
                    if info.is_const {
                        let r = field(info.value)?.to_owned().repr()?;
                        with_utf8(r.as_any(), |value| row.nodes.push(nid, Some(pid), &info.kind, name, Some(value), &at))?;
                    } else {
                        row.nodes.push(nid, Some(pid), &info.kind, name, None, &at)?;
                    }
                    row.edges.push(pid, nid, slot, pos)?;
                }
            }

            if info.special != 0 {
                let pid_text = itoa::Buffer::new().format(pid).as_bytes().to_vec();
                match sink {
                    Sink::Tuples(list) => list.append(special(info.special, &node, &sid, &pid_text, &span)?)?,
                    Sink::Rows(rendered) => {
                        let s = specials::Special {
                            code: info.special,
                            node: &node,
                            d: &d,
                            kind: &info.kind,
                            haspos: info.haspos,
                            id: &sid,
                            pid: &pid_text,
                            span: &span,
                        };
                        self.render(rendered, &s, ls)?;
                    }
                }
            }
        }
        Ok(nid + 1)
    }
}

#[pymodule]
#[pyo3(name = "_native_walk")]
fn native_walk(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Walker>()?;
    m.add_class::<arrow_part::ArrowPartWriter>()?;
    m.add_class::<AstColumns>()?;
    Ok(())
}
