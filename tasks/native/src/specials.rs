//! What `ast_rows._specials` makes of the special nodes (docstrings, imports, defs, calls,
//! type_ignores), rendered here during the walk: the same JSON text, without a Python tuple per
//! special node and a Python pass over them afterwards. `_specials` stays the reference.
//!
//! Only what a tree from `ast.parse` holds is rendered here. Anything else (a field of another
//! type, a node of another class than the usual, a missing key) raises TypeError / KeyError /
//! ValueError, and `ast_rows._walk_rows` then builds the file's lists in Python instead. Docstrings
//! are cleaned here when `inspect.cleandoc` gives the same text on every Python version (ASCII
//! text whose only whitespace is space, tab and newline); others go through `ast.get_docstring`.

use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PyString, PyTuple, PyType};

use crate::{Walker, esc_into, esc_str, int_text, node_dict, push_int, push_usize, with_utf8};

// the codes of `ast_rows._SPECIAL`
pub(crate) const SP_MODULE: u8 = 1;
const SP_FUNC: u8 = 2;
const SP_CLASS: u8 = 3;
const SP_IMPORT: u8 = 4;
const SP_IMPORTFROM: u8 = 5;
const SP_CALL: u8 = 6;
const SP_TYPEIGNORE: u8 = 7;

/// Interned field names.
struct Keys {
    func: Py<PyString>,
    args: Py<PyString>,
    keywords: Py<PyString>,
    names: Py<PyString>,
    module: Py<PyString>,
    level: Py<PyString>,
    name: Py<PyString>,
    asname: Py<PyString>,
    arg: Py<PyString>,
    tag: Py<PyString>,
    decorator_list: Py<PyString>,
    bases: Py<PyString>,
    body: Py<PyString>,
    type_params: Py<PyString>,
    value: Py<PyString>,
    id: Py<PyString>,
    attr: Py<PyString>,
    posonlyargs: Py<PyString>,
    kwonlyargs: Py<PyString>,
    lineno: Py<PyString>,
    col_offset: Py<PyString>,
    end_lineno: Py<PyString>,
    end_col_offset: Py<PyString>,
}

/// What `_specials` takes from the `ast` module, handed over once by Python.
pub(crate) struct Conf {
    name: Py<PyType>,
    attribute: Py<PyType>,
    starred: Py<PyType>,
    expr: Py<PyType>,
    constant: Py<PyType>,
    alias: Py<PyType>,
    keyword: Py<PyType>,
    arguments: Py<PyType>,
    has_type_params: bool,
    get_docstring: Py<PyAny>,
    k: Keys,
}

/// `rows` as `ast_rows._native_walker` passes it.
type ConfTuple<'py> = (
    Bound<'py, PyType>,
    Bound<'py, PyType>,
    Bound<'py, PyType>,
    Bound<'py, PyType>,
    Bound<'py, PyType>,
    Bound<'py, PyType>,
    Bound<'py, PyType>,
    Bound<'py, PyType>,
    bool,
    Bound<'py, PyAny>,
);

impl Conf {
    /// `rows`: (Name, Attribute, Starred, Expr, Constant, alias, keyword, arguments,
    /// has_type_params, get_docstring), the classes and facts of `ast` that `_specials` uses.
    pub(crate) fn new(rows: &Bound<'_, PyTuple>) -> PyResult<Self> {
        let py = rows.py();
        let (name, attribute, starred, expr, constant, alias, keyword, arguments, has_type_params, get_docstring): ConfTuple<'_> =
            rows.extract()?;
        let i = |s: &str| PyString::intern(py, s).unbind();
        Ok(Conf {
            name: name.unbind(),
            attribute: attribute.unbind(),
            starred: starred.unbind(),
            expr: expr.unbind(),
            constant: constant.unbind(),
            alias: alias.unbind(),
            keyword: keyword.unbind(),
            arguments: arguments.unbind(),
            has_type_params,
            get_docstring: get_docstring.unbind(),
            k: Keys {
                func: i("func"),
                args: i("args"),
                keywords: i("keywords"),
                names: i("names"),
                module: i("module"),
                level: i("level"),
                name: i("name"),
                asname: i("asname"),
                arg: i("arg"),
                tag: i("tag"),
                decorator_list: i("decorator_list"),
                bases: i("bases"),
                body: i("body"),
                type_params: i("type_params"),
                value: i("value"),
                id: i("id"),
                attr: i("attr"),
                posonlyargs: i("posonlyargs"),
                kwonlyargs: i("kwonlyargs"),
                lineno: i("lineno"),
                col_offset: i("col_offset"),
                end_lineno: i("end_lineno"),
                end_col_offset: i("end_col_offset"),
            },
        })
    }
}

/// The five lists' JSON text (comma-separated objects, no brackets), as they are filled.
pub(crate) struct Rendered<'s> {
    src: &'s [u8],
    pub(crate) lists: [Vec<u8>; 5], // docstrings, imports, defs, calls, type_ignores
    expanded: Vec<u8>,              // scratch: a docstring, tabs expanded
    lines: Vec<(usize, usize)>,     // scratch: its lines
    text: Vec<u8>,                  // scratch: the docstring cleaned
}

const DOCSTRINGS: usize = 0;
const IMPORTS: usize = 1;
const DEFS: usize = 2;
const CALLS: usize = 3;
const TYPE_IGNORES: usize = 4;

impl<'s> Rendered<'s> {
    pub(crate) fn new(src: &'s [u8]) -> Self {
        Rendered {
            src,
            lists: Default::default(),
            expanded: Vec::new(),
            lines: Vec::new(),
            text: Vec::new(),
        }
    }
}

/// Starts a row of a list: a separator unless it is the first.
fn row(buf: &mut Vec<u8>) -> &mut Vec<u8> {
    if !buf.is_empty() {
        buf.push(b',');
    }
    buf
}

/// One special node as the walk meets it.
pub(crate) struct Special<'a, 'py> {
    pub(crate) code: u8,
    pub(crate) node: &'a Bound<'py, PyAny>,
    pub(crate) d: &'a Bound<'py, PyDict>, // its __dict__
    pub(crate) kind: &'a str,             // the node's class name
    pub(crate) haspos: u8,
    pub(crate) id: &'a [u8],
    pub(crate) pid: &'a [u8],
    pub(crate) span: &'a [u8], // the node's span JSON
}

fn unexpected(what: &str) -> PyErr {
    PyTypeError::new_err(format!("native specials: unexpected {what}"))
}

/// `d.get(key)`, None when missing or None.
fn get<'py>(d: &Bound<'py, PyDict>, key: &Py<PyString>) -> PyResult<Option<Bound<'py, PyAny>>> {
    Ok(d.get_item(key.bind(d.py()))?.filter(|v| !v.is_none()))
}

/// `d[key]` (KeyError when missing).
fn item<'py>(d: &Bound<'py, PyDict>, key: &Py<PyString>) -> PyResult<Bound<'py, PyAny>> {
    let py = d.py();
    d.get_item(key.bind(py))?
        .ok_or_else(|| PyKeyError::new_err(key.clone_ref(py)))
}

/// `len(v or ())` for a list field read with `d.get` (an exact list, else TypeError).
fn len_or_zero(v: Option<Bound<'_, PyAny>>) -> PyResult<usize> {
    match v {
        None => Ok(0),
        Some(v) => Ok(exact_list(&v)?.len()),
    }
}

/// An exact list (TypeError for anything else).
fn exact_list<'a, 'py>(v: &'a Bound<'py, PyAny>) -> PyResult<&'a Bound<'py, PyList>> {
    if !v.is_exact_instance_of::<PyList>() {
        return Err(unexpected("list field"));
    }
    v.cast::<PyList>().map_err(|_| unexpected("list field"))
}

/// `ast_rows._q`: null, an escaped exact str, `str()` of an exact int or bool (TypeError otherwise).
fn q(out: &mut Vec<u8>, v: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    match v {
        None => out.extend_from_slice(b"null"),
        Some(v) if v.is_exact_instance_of::<PyString>() => esc_str(out, v)?,
        Some(v) if v.is_exact_instance_of::<PyInt>() || v.is_exact_instance_of::<PyBool>() => int_text(out, v)?,
        Some(_) => return Err(unexpected("value type")),
    }
    Ok(())
}

/// An exact str field (`_esc(v)`; TypeError for anything else).
fn exact_str(out: &mut Vec<u8>, v: &Bound<'_, PyAny>) -> PyResult<()> {
    if !v.is_exact_instance_of::<PyString>() {
        return Err(unexpected("non-str name"));
    }
    esc_str(out, v)
}

fn is<T>(v: &Bound<'_, PyAny>, t: &Py<T>) -> bool {
    v.get_type_ptr().cast::<ffi::PyObject>() == t.as_ptr()
}

/// A position field: an exact int (ValueError beyond i64, TypeError for anything else).
fn position(d: &Bound<'_, PyDict>, key: &Py<PyString>) -> PyResult<i64> {
    let v = item(d, key)?;
    if !v.is_exact_instance_of::<PyInt>() {
        return Err(unexpected("position"));
    }
    v.extract::<i64>()
        .map_err(|_| PyValueError::new_err("native specials: position out of range"))
}

/// `inspect.cleandoc` of ASCII text without \r, \v, \f and \x1c-\x1f, into `out`: after
/// `expandtabs` its only whitespace is space and newline, so `str.lstrip()` (before Python 3.13)
/// and `str.lstrip(' ')` (from 3.13) agree. None for any other text.
fn cleandoc_ascii(doc: &[u8], text: &mut Vec<u8>, lines: &mut Vec<(usize, usize)>, out: &mut Vec<u8>) -> Option<()> {
    text.clear();
    let mut col = 0usize;
    for &b in doc {
        match b {
            b'\t' => {
                let n = 8 - col % 8;
                text.extend(std::iter::repeat_n(b' ', n));
                col += n;
            }
            b'\n' => {
                text.push(b);
                col = 0;
            }
            b'\r' | 0x0b | 0x0c | 0x1c..=0x1f | 0x80..=0xff => return None,
            _ => {
                text.push(b);
                col += 1;
            }
        }
    }
    // split('\n')
    lines.clear();
    let mut start = 0;
    for (i, &b) in text.iter().enumerate() {
        if b == b'\n' {
            lines.push((start, i));
            start = i + 1;
        }
    }
    lines.push((start, text.len()));
    let indent = |&(s, e): &(usize, usize)| text[s..e].iter().take_while(|&&b| b == b' ').count();
    // minimum indentation of the non-blank lines after the first
    let margin = lines.iter().skip(1).filter(|l| indent(l) < l.1 - l.0).map(indent).min();
    if let Some(first) = lines.first_mut() {
        first.0 += text[first.0..first.1].iter().take_while(|&&b| b == b' ').count();
    }
    if let Some(margin) = margin {
        for l in lines.iter_mut().skip(1) {
            l.0 = (l.0 + margin).min(l.1);
        }
    }
    let last = lines.iter().rposition(|l| l.0 < l.1).map_or(0, |i| i + 1);
    let first = lines[..last].iter().position(|l| l.0 < l.1).unwrap_or(last);
    out.clear();
    for (i, &(s, e)) in lines[first..last].iter().enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        out.extend_from_slice(&text[s..e]);
    }
    Some(())
}

impl Walker {
    /// Appends what `_specials` makes of `s` to `r` (TypeError / KeyError / ValueError where this
    /// is not sure to match it).
    pub(crate) fn render(&self, r: &mut Rendered<'_>, s: &Special<'_, '_>, ls: &[i64]) -> PyResult<()> {
        let conf = &self.conf;
        let k = &conf.k;
        let d = s.d;
        match s.code {
            SP_CALL => self.render_call(r, s, d),
            SP_IMPORT | SP_IMPORTFROM => {
                let mut module = Vec::new();
                let mut level = Vec::new();
                let kind: &[u8] = if s.code == SP_IMPORT {
                    module.extend_from_slice(b"null");
                    level.extend_from_slice(b"null");
                    br#""Import""#
                } else {
                    q(&mut module, get(d, &k.module)?.as_ref())?;
                    match get(d, &k.level)? {
                        None => level.extend_from_slice(b"null"),
                        Some(v) => {
                            if !(v.is_exact_instance_of::<PyInt>() || v.is_exact_instance_of::<PyBool>()) {
                                return Err(unexpected("level"));
                            }
                            int_text(&mut level, &v)?;
                        }
                    }
                    br#""ImportFrom""#
                };
                let Some(names) = get(d, &k.names)? else {
                    return Ok(());
                };
                let names = exact_list(&names)?;
                for (i, alias) in names.iter().enumerate() {
                    if !is(&alias, &conf.alias) {
                        return Err(unexpected("alias class"));
                    }
                    let ad = node_dict(&alias)?;
                    let name = item(&ad, &k.name)?;
                    let asname = item(&ad, &k.asname)?;
                    let out = row(&mut r.lists[IMPORTS]);
                    out.extend_from_slice(br#"{"ast_id":"#);
                    out.extend_from_slice(s.id);
                    out.extend_from_slice(br#","parent_ast_id":"#);
                    out.extend_from_slice(s.pid);
                    out.extend_from_slice(br#","kind":"#);
                    out.extend_from_slice(kind);
                    out.extend_from_slice(br#","module":"#);
                    out.extend_from_slice(&module);
                    out.extend_from_slice(br#","name":"#);
                    q(out, Some(&name).filter(|v| !v.is_none()))?;
                    out.extend_from_slice(br#","asname":"#);
                    q(out, Some(&asname).filter(|v| !v.is_none()))?;
                    out.extend_from_slice(br#","alias_index":"#);
                    push_usize(out, i);
                    out.extend_from_slice(br#","level":"#);
                    out.extend_from_slice(&level);
                    out.extend_from_slice(br#","span":"#);
                    out.extend_from_slice(s.span);
                    out.extend_from_slice(br#","attrs":{}}"#);
                }
                Ok(())
            }
            SP_TYPEIGNORE => {
                // the node's span is `_line_only_span(d["lineno"])` already
                if s.haspos != 2 {
                    return Err(unexpected("TypeIgnore layout"));
                }
                let out = row(&mut r.lists[TYPE_IGNORES]);
                out.extend_from_slice(br#"{"ast_id":"#);
                out.extend_from_slice(s.id);
                out.extend_from_slice(br#","tag":"#);
                q(out, get(d, &k.tag)?.as_ref())?;
                out.extend_from_slice(br#","span":"#);
                out.extend_from_slice(s.span);
                out.extend_from_slice(br#","attrs":{}}"#);
                Ok(())
            }
            SP_MODULE | SP_FUNC | SP_CLASS => {
                if s.code != SP_MODULE {
                    self.render_def(r, s, d)?;
                }
                self.render_docstring(r, s, d, ls)
            }
            _ => Err(PyValueError::new_err("native specials: unknown code")),
        }
    }

    fn render_call(&self, r: &mut Rendered<'_>, s: &Special<'_, '_>, d: &Bound<'_, PyDict>) -> PyResult<()> {
        let conf = &self.conf;
        let k = &conf.k;
        let func = item(d, &k.func)?;
        let fkind = self
            .classes
            .get(&(func.get_type_ptr() as usize))
            .map(|c| c.kind.as_str())
            .ok_or_else(|| unexpected("func class"))?;
        let fd = node_dict(&func)?;
        let mut fname = Vec::new();
        if is(&func, &conf.name) {
            esc_str(&mut fname, &item(&fd, &k.id)?)?;
        } else if is(&func, &conf.attribute) {
            esc_str(&mut fname, &item(&fd, &k.attr)?)?;
        } else {
            // `_q(_name_of(func))`
            let name = fd.get_item(k.name.bind(d.py()))?;
            let field = match fkind {
                "Name" => Some(&k.id),
                "arg" => Some(&k.arg),
                "Attribute" => Some(&k.attr),
                _ => None,
            };
            if let Some(v) = name.filter(|v| v.is_exact_instance_of::<PyString>()) {
                esc_str(&mut fname, &v)?;
            } else if let Some(v) = match field {
                Some(f) => fd.get_item(f.bind(d.py()))?,
                None => None,
            }
            .filter(|v| v.is_exact_instance_of::<PyString>())
            {
                esc_str(&mut fname, &v)?;
            } else {
                fname.extend_from_slice(b"null");
            }
        }
        let args = item(d, &k.args)?;
        let args = exact_list(&args)?;
        let kws = item(d, &k.keywords)?;
        let kws = exact_list(&kws)?;
        let starred = args.iter().filter(|a| is(a, &conf.starred)).count();
        let mut kwstar = 0usize;
        for kw in kws.iter() {
            if !is(&kw, &conf.keyword) {
                return Err(unexpected("keyword class"));
            }
            if item(&node_dict(&kw)?, &k.arg)?.is_none() {
                kwstar += 1;
            }
        }
        let out = row(&mut r.lists[CALLS]);
        out.extend_from_slice(br#"{"ast_id":"#);
        out.extend_from_slice(s.id);
        out.extend_from_slice(br#","parent_ast_id":"#);
        out.extend_from_slice(s.pid);
        out.extend_from_slice(br#","func_kind":"#);
        esc_into(out, fkind.as_bytes())?;
        out.extend_from_slice(br#","func_name":"#);
        out.extend_from_slice(&fname);
        out.extend_from_slice(br#","span":"#);
        out.extend_from_slice(s.span);
        out.extend_from_slice(br#","attrs":{"arg_count":""#);
        push_usize(out, args.len());
        out.extend_from_slice(br#"","keyword_count":""#);
        push_usize(out, kws.len());
        out.extend_from_slice(br#"","starred_count":""#);
        push_usize(out, starred);
        out.extend_from_slice(br#"","kw_star_count":""#);
        push_usize(out, kwstar);
        out.extend_from_slice(br#""}}"#);
        Ok(())
    }

    fn render_def(&self, r: &mut Rendered<'_>, s: &Special<'_, '_>, d: &Bound<'_, PyDict>) -> PyResult<()> {
        let conf = &self.conf;
        let k = &conf.k;
        let ndeco = len_or_zero(get(d, &k.decorator_list)?)?;
        let ntp = if conf.has_type_params {
            Some(len_or_zero(get(d, &k.type_params)?)?)
        } else {
            None
        };
        let mut attrs = Vec::with_capacity(160);
        attrs.extend_from_slice(br#"{"decorator_count":""#);
        push_usize(&mut attrs, ndeco);
        if s.code == SP_FUNC {
            let (na, npo, nko) = match get(d, &k.args)? {
                None => (0, 0, 0),
                Some(a) => {
                    if !is(&a, &conf.arguments) {
                        return Err(unexpected("arguments class"));
                    }
                    let ad = node_dict(&a)?;
                    let n = |key| -> PyResult<usize> { Ok(exact_list(&item(&ad, key)?)?.len()) };
                    (n(&k.args)?, n(&k.posonlyargs)?, n(&k.kwonlyargs)?)
                }
            };
            attrs.extend_from_slice(br#"","arg_count":""#);
            push_usize(&mut attrs, na);
            attrs.extend_from_slice(br#"","posonly_count":""#);
            push_usize(&mut attrs, npo);
            attrs.extend_from_slice(br#"","kwonly_count":""#);
            push_usize(&mut attrs, nko);
            attrs.extend_from_slice(br#"","is_async":""#);
            attrs.extend_from_slice(if s.kind == "AsyncFunctionDef" {
                b"True"
            } else {
                b"False"
            });
        } else {
            attrs.extend_from_slice(br#"","base_count":""#);
            push_usize(&mut attrs, len_or_zero(get(d, &k.bases)?)?);
            attrs.extend_from_slice(br#"","keyword_count":""#);
            push_usize(&mut attrs, len_or_zero(get(d, &k.keywords)?)?);
        }
        attrs.push(b'"');
        if let Some(ntp) = ntp {
            attrs.extend_from_slice(br#","type_params_count":""#);
            push_usize(&mut attrs, ntp);
            attrs.push(b'"');
        }
        attrs.push(b'}');
        let out = row(&mut r.lists[DEFS]);
        out.extend_from_slice(br#"{"ast_id":"#);
        out.extend_from_slice(s.id);
        out.extend_from_slice(br#","parent_ast_id":"#);
        out.extend_from_slice(s.pid);
        out.extend_from_slice(br#","kind":""#);
        out.extend_from_slice(s.kind.as_bytes());
        out.extend_from_slice(br#"","name":"#);
        q(out, get(d, &k.name)?.as_ref())?;
        out.extend_from_slice(br#","span":"#);
        out.extend_from_slice(s.span);
        out.extend_from_slice(br#","attrs":"#);
        out.extend_from_slice(&attrs);
        out.push(b'}');
        Ok(())
    }

    fn render_docstring(
        &self,
        r: &mut Rendered<'_>,
        s: &Special<'_, '_>,
        d: &Bound<'_, PyDict>,
        ls: &[i64],
    ) -> PyResult<()> {
        let conf = &self.conf;
        let k = &conf.k;
        let py = d.py();
        let Some(body) = get(d, &k.body)? else {
            return Ok(());
        };
        let body = exact_list(&body)?;
        if body.is_empty() {
            return Ok(());
        }
        let first = body.get_item(0)?;
        if !is(&first, &conf.expr) {
            return Ok(());
        }
        let fd = node_dict(&first)?;
        let val = item(&fd, &k.value)?;
        if !is(&val, &conf.constant) {
            return Ok(());
        }
        let text = item(&node_dict(&val)?, &k.value)?;
        if !text.is_exact_instance_of::<PyString>() {
            return Ok(());
        }

        // `_span_parts(first.__dict__, ls)`, for positions on the file's lines only
        let (l, c) = (position(&fd, &k.lineno)?, position(&fd, &k.col_offset)?);
        let (el, ec) = (position(&fd, &k.end_lineno)?, position(&fd, &k.end_col_offset)?);
        let line = |l: i64| {
            usize::try_from(l)
                .ok()
                .and_then(|l| l.checked_sub(1))
                .and_then(|i| ls.get(i).copied())
                .ok_or_else(|| PyValueError::new_err("native specials: docstring line out of range"))
        };
        if c < 0 || ec < 0 || l < 1 || el < 1 {
            return Err(PyValueError::new_err("native specials: negative docstring column"));
        }
        let overflow = || PyValueError::new_err("native specials: docstring position overflow");
        let bs = line(l)?.checked_add(c).ok_or_else(overflow)?;
        let bl = line(el)?
            .checked_add(ec)
            .and_then(|e| e.checked_sub(bs))
            .ok_or_else(overflow)?
            .max(0);

        // the cleaned docstring
        let cleaned = with_utf8(&text, |b| {
            Ok(cleandoc_ascii(b, &mut r.expanded, &mut r.lines, &mut r.text))
        })?;
        let doc = if cleaned.is_some() {
            None
        } else {
            let doc = conf.get_docstring.bind(py).call1((s.node,))?;
            if doc.is_none() {
                return Ok(());
            }
            Some(doc)
        };

        let out = row(&mut r.lists[DOCSTRINGS]);
        out.extend_from_slice(br#"{"owner_ast_id":"#);
        out.extend_from_slice(s.id);
        out.extend_from_slice(br#","owner_kind":""#);
        out.extend_from_slice(s.kind.as_bytes());
        out.extend_from_slice(br#"","owner_name":"#);
        if s.code == SP_MODULE {
            out.extend_from_slice(b"null");
        } else {
            q(out, get(d, &k.name)?.as_ref())?;
        }
        out.extend_from_slice(br#","docstring":"#);
        match doc {
            None => esc_into(out, &r.text)?,
            Some(doc) => exact_str(out, &doc)?,
        }
        out.extend_from_slice(br#","span":{"start":{"line0":"#);
        push_int(out, l - 1);
        out.extend_from_slice(br#","col":"#);
        push_int(out, c);
        out.extend_from_slice(br#"},"end":{"line0":"#);
        push_int(out, el - 1);
        out.extend_from_slice(br#","col":"#);
        push_int(out, ec);
        out.extend_from_slice(br#"},"end_exclusive":true,"col_unit":"byte","byte_span":{"byte_start":"#);
        push_int(out, bs);
        out.extend_from_slice(br#","byte_len":"#);
        push_int(out, bl);
        out.extend_from_slice(br#"}},"source":"#);
        // `src[bs : bs + bl].decode("utf-8", "replace")`
        let src = r.src;
        let start = usize::try_from(bs).map_or(src.len(), |b| b.min(src.len()));
        let end = usize::try_from(bl).map_or(src.len(), |n| start.saturating_add(n).min(src.len()));
        let source = &src[start..end.max(start)];
        if std::str::from_utf8(source).is_ok() {
            esc_into(out, source)?;
        } else {
            let len = ffi::Py_ssize_t::try_from(source.len()).map_err(|_| overflow())?;
            // SAFETY: a valid (pointer, length) pair and C strings; the result is a new reference or
            // NULL with an exception set.
            let decoded = unsafe {
                Bound::from_owned_ptr_or_err(
                    py,
                    ffi::PyUnicode_DecodeUTF8(source.as_ptr().cast(), len, c"replace".as_ptr()),
                )?
            };
            esc_str(out, &decoded)?;
        }
        out.extend_from_slice(br#","attrs":{}}"#);
        Ok(())
    }
}
