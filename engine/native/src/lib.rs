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
