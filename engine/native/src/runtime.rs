//! The one tokio runtime of the process. Java threads are not tokio threads, so every JNI entry
//! may `block_on` it; DataFusion spreads the work of one query over the runtime's workers.

use std::sync::OnceLock;
use tokio::runtime::{Builder, Runtime};

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

pub fn runtime() -> &'static Runtime {
    RUNTIME.get_or_init(|| {
        // A runtime that cannot start leaves the bridge unusable; there is nothing to recover.
        Builder::new_multi_thread()
            .enable_all()
            .thread_name("syntaxlake-engine")
            .build()
            .expect("the tokio runtime of the SyntaxLake engine could not start")
    })
}
