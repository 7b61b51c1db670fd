//! SyntaxLake's JNI bridge to Apache DataFusion.
//!
//! Every exported function goes through [`errors::guard`]: panics are caught, every error becomes
//! a typed Java exception, and the JVM never sees an unwinding Rust frame. Sessions cross JNI as
//! opaque `jlong` handles that the Java side owns and closes exactly once; result batches cross
//! through the Arrow C Stream interface, never row by row.

mod allocator;
mod errors;
mod expiring_listing;
mod exports;
mod files_table;
mod listing;
mod object_stores;
mod objects;
mod projected_table;
mod registry_catalog;
mod result_stream;
mod runtime;
mod session;

/// The JVM calls this once, when it loads the library: before any session exists, the allocator
/// is told how to hand memory back (see [`allocator`]).
#[unsafe(no_mangle)]
pub extern "system" fn JNI_OnLoad(
    _vm: *mut jni::sys::JavaVM,
    _reserved: *mut std::ffi::c_void,
) -> jni::sys::jint {
    allocator::tune();
    jni::sys::JNI_VERSION_1_8
}
