//! Error mapping: every failure becomes one Java exception class with DataFusion's message.

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use arrow::error::ArrowError;
use datafusion::error::DataFusionError;
use jni::JNIEnv;

const PACKAGE: &str = "io/syntaxlake/engine/";

/// What can go wrong inside a bridge call.
#[derive(Debug)]
pub enum BridgeError {
    DataFusion(DataFusionError),
    Arrow(ArrowError),
    Jni(jni::errors::Error),
    /// A caller passed something the bridge cannot use (a null handle, a bad option name).
    InvalidArgument(String),
    Panic(String),
}

impl fmt::Display for BridgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BridgeError::DataFusion(e) => write!(f, "{e}"),
            BridgeError::Arrow(e) => write!(f, "{e}"),
            BridgeError::Jni(e) => write!(f, "JNI error: {e}"),
            BridgeError::InvalidArgument(m) => write!(f, "{m}"),
            BridgeError::Panic(m) => write!(f, "panic in the DataFusion engine: {m}"),
        }
    }
}

impl From<DataFusionError> for BridgeError {
    fn from(e: DataFusionError) -> Self {
        BridgeError::DataFusion(e)
    }
}

impl From<ArrowError> for BridgeError {
    fn from(e: ArrowError) -> Self {
        BridgeError::Arrow(e)
    }
}

impl From<jni::errors::Error> for BridgeError {
    fn from(e: jni::errors::Error) -> Self {
        BridgeError::Jni(e)
    }
}

impl From<object_store::Error> for BridgeError {
    fn from(e: object_store::Error) -> Self {
        BridgeError::DataFusion(DataFusionError::ObjectStore(Box::new(e)))
    }
}

pub type BridgeResult<T> = Result<T, BridgeError>;

/// The Java exception class (simple name in `io.syntaxlake.engine`) for an error.
pub fn exception_class(error: &BridgeError) -> &'static str {
    match error {
        BridgeError::DataFusion(e) => datafusion_class(e.find_root()),
        BridgeError::Arrow(e) => arrow_class(e),
        BridgeError::Jni(_) => "EngineException",
        BridgeError::InvalidArgument(_) => "EngineConfigurationException",
        BridgeError::Panic(_) => "EnginePanicException",
    }
}

fn datafusion_class(root: &DataFusionError) -> &'static str {
    match root {
        DataFusionError::SQL(..) | DataFusionError::Plan(_) | DataFusionError::SchemaError(..) => {
            "EnginePlanException"
        }
        DataFusionError::Execution(_)
        | DataFusionError::ExecutionJoin(_)
        | DataFusionError::External(_)
        | DataFusionError::Ffi(_) => "EngineExecutionException",
        DataFusionError::IoError(_)
        | DataFusionError::ObjectStore(_)
        | DataFusionError::ParquetError(_) => "EngineIoException",
        DataFusionError::ResourcesExhausted(_) => "EngineResourcesExhaustedException",
        DataFusionError::NotImplemented(_) => "EngineNotImplementedException",
        DataFusionError::Configuration(_) => "EngineConfigurationException",
        DataFusionError::ArrowError(e, _) => arrow_class(e),
        DataFusionError::Shared(inner) => datafusion_class(inner.find_root()),
        DataFusionError::Diagnostic(_, inner) => datafusion_class(inner.find_root()),
        _ => "EngineException",
    }
}

fn arrow_class(error: &ArrowError) -> &'static str {
    match error {
        ArrowError::IoError(..) | ArrowError::IpcError(_) | ArrowError::ParquetError(_) => {
            "EngineIoException"
        }
        ArrowError::SchemaError(_) | ArrowError::ParseError(_) | ArrowError::InvalidArgumentError(_) => {
            "EnginePlanException"
        }
        ArrowError::NotYetImplemented(_) => "EngineNotImplementedException",
        ArrowError::MemoryError(_) => "EngineResourcesExhaustedException",
        _ => "EngineExecutionException",
    }
}

/// Throws `error` as a Java exception unless one is already pending (which then wins: it is
/// the first thing that went wrong).
pub fn throw(env: &mut JNIEnv, error: &BridgeError) {
    if env.exception_check().unwrap_or(true) {
        return;
    }
    let class = format!("{PACKAGE}{}", exception_class(error));
    if env.throw_new(&class, error.to_string()).is_err() {
        // The class could not be found or built: fall back to a JDK class so the caller still
        // gets an exception instead of a silent default value.
        let _ = env.throw_new("java/lang/RuntimeException", error.to_string());
    }
}

thread_local! {
    /// Where the last panic on this thread happened; the hook records it, the guard reports it.
    static PANIC_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

static PANIC_HOOK: Once = Once::new();

/// Replaces the default hook (which prints to stderr) by one that only remembers the location:
/// a panic inside a bridge call is reported to Java as an exception with that location.
pub fn install_panic_hook() {
    PANIC_HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let location = info.location().map(|l| format!("{}:{}", l.file(), l.line()));
            PANIC_LOCATION.with(|cell| *cell.borrow_mut() = location);
        }));
    });
}

pub fn panic_message(payload: Box<dyn Any + Send>) -> String {
    let message = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    };
    match PANIC_LOCATION.with(|cell| cell.borrow_mut().take()) {
        Some(location) => format!("{message} (at {location})"),
        None => message,
    }
}

/// Runs one JNI entry: catches panics, throws errors as Java exceptions, and returns `default`
/// to the JVM when an exception is pending.
pub fn guard<'local, T, F>(env: &mut JNIEnv<'local>, default: T, body: F) -> T
where
    F: FnOnce(&mut JNIEnv<'local>) -> BridgeResult<T>,
{
    install_panic_hook();
    let outcome = catch_unwind(AssertUnwindSafe(|| body(env)));
    match outcome {
        Ok(Ok(value)) => value,
        Ok(Err(error)) => {
            throw(env, &error);
            default
        }
        Err(payload) => {
            throw(env, &BridgeError::Panic(panic_message(payload)));
            default
        }
    }
}
