//! Query results leave the engine as an Arrow C stream that Java pulls batch by batch.

use std::panic::{AssertUnwindSafe, catch_unwind};

use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use arrow::ffi_stream::FFI_ArrowArrayStream;
use arrow::record_batch::{RecordBatch, RecordBatchIterator, RecordBatchReader};
use datafusion::execution::SendableRecordBatchStream;
use futures::StreamExt;

use crate::errors::{BridgeError, exception_class, install_panic_hook, panic_message};
use crate::runtime::runtime;

/// Adapts DataFusion's async stream to the pull-based reader the C stream interface calls. Each
/// `next` runs on the Java thread that called `loadNextBatch`, which is not a tokio thread, so
/// blocking on the runtime is allowed there. Panics are caught here too: these calls come from
/// Java through C function pointers, outside any JNI entry point.
struct StreamingReader {
    schema: SchemaRef,
    stream: SendableRecordBatchStream,
}

impl Iterator for StreamingReader {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        install_panic_hook();
        let stream = &mut self.stream;
        match catch_unwind(AssertUnwindSafe(|| runtime().block_on(stream.next()))) {
            Ok(item) => item.map(|r| r.map_err(|e| tagged(BridgeError::DataFusion(e)))),
            Err(payload) => Some(Err(tagged(BridgeError::Panic(panic_message(payload))))),
        }
    }
}

/// The C stream interface carries only a message, so the Java exception class travels in front of
/// it as `[ClassName] ` (read back by `QueryResult`), with the same mapping as JNI calls.
fn tagged(error: BridgeError) -> ArrowError {
    ArrowError::ExternalError(format!("[{}] {error}", exception_class(&error)).into())
}

impl RecordBatchReader for StreamingReader {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
}

/// A lazily executed result: batches are computed while Java reads them.
pub fn streaming(stream: SendableRecordBatchStream) -> FFI_ArrowArrayStream {
    let schema = stream.schema();
    FFI_ArrowArrayStream::new(Box::new(StreamingReader { schema, stream }))
}

/// A result that was computed before the call returned (writes, whose effect must not depend on
/// whether Java reads the returned count).
pub fn materialized(schema: SchemaRef, batches: Vec<RecordBatch>) -> FFI_ArrowArrayStream {
    let reader = RecordBatchIterator::new(batches.into_iter().map(Ok), schema);
    FFI_ArrowArrayStream::new(Box::new(reader))
}

/// Moves `stream` into the empty `ArrowArrayStream` struct that Java allocated at `address`.
///
/// # Safety
/// `address` must point to a writable, released (empty) `ArrowArrayStream` struct.
pub unsafe fn export(stream: FFI_ArrowArrayStream, address: i64) {
    unsafe { std::ptr::write_unaligned(address as *mut FFI_ArrowArrayStream, stream) };
}
