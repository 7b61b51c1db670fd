//! The bridge's allocator. Every allocation of DataFusion, Arrow and Parquet goes to mimalloc, not
//! glibc's malloc: encoding nested Parquet row groups allocates and frees buffers of every size on
//! several threads, and glibc's arenas keep that heap, fragmented. Copying the standard library's
//! LibCST staging to Parquet took 11.1 s and peaked at 725 MB with glibc, 8.5 s and 650-685 MB
//! with mimalloc (see docs/performance.md). Memory that crosses to Java (Arrow C data) comes back
//! through its release callback, so the allocator that made it frees it.
//!
//! mimalloc's v2 line, not v3 (libmimalloc-sys's default): under v3 a test JVM died once in seven
//! CI runs with a SIGSEGV in the library, a null read through a thread-local pointer on a native
//! thread, the shape of v3's per-thread heap lookup.

use libmimalloc_sys::{mi_option_set, mi_option_t};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay`: its position in mimalloc.h's `mi_option_e` (15 in v2, as in v3), which
/// libmimalloc-sys does not name.
const MI_OPTION_PURGE_DELAY: mi_option_t = 15;

/// The environment variable through which mimalloc itself reads the purge delay.
const PURGE_DELAY_VARIABLE: &str = "MIMALLOC_PURGE_DELAY";

/// mimalloc keeps freed pages for 10 ms (arenas: 100 ms) before it returns them to the OS. A
/// Parquet writer frees a row group's buffers and allocates the next one's within that time, so
/// the freed pages pile up: the standard library's LibCST copy peaked at 640 MB that way and at
/// 470 MB when freed pages go back at once, which keeps the main job under its 600 MiB budget.
/// Returning them at once costs page faults (that copy: 9.7 s instead of 8.5 s);
/// `MIMALLOC_PURGE_DELAY` in the environment still chooses otherwise.
pub fn return_freed_memory_at_once() {
    if std::env::var_os(PURGE_DELAY_VARIABLE).is_none() {
        // SAFETY: mi_option_set only stores the value; any thread may call it at any time.
        unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    }
}
