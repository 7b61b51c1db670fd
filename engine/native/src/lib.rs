//! SyntaxLake's JNI bridge to Apache DataFusion.
//!
//! Every exported function goes through [`errors::guard`]: panics are caught, every error becomes
//! a typed Java exception, and the JVM never sees an unwinding Rust frame. Sessions cross JNI as
//! opaque `jlong` handles that the Java side owns and closes exactly once; result batches cross
//! through the Arrow C Stream interface, never row by row.

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

/// Every allocation of the bridge (DataFusion, Arrow, Parquet) goes to mimalloc, not glibc's
/// malloc. Encoding nested Parquet row groups allocates and frees buffers of every size on
/// several threads; glibc's arenas keep that heap, fragmented. Copying the standard library's
/// LibCST staging to Parquet took 11.1 s and peaked at 725 MB with glibc, 8.5 s and 650-685 MB
/// with mimalloc (see docs/performance.md). Memory that crosses to Java (Arrow C data) comes back
/// through its release callback, so the allocator that made it frees it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
