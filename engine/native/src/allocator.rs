//! The bridge's memory: glibc's malloc, told when the library loads to hand freed memory back to
//! the OS soon and to keep few arenas. Copying a staging to Parquet allocates and frees buffers of
//! every size on several tokio threads; with glibc's defaults (up to 8 arenas per core, each
//! keeping its freed memory, and a mmap threshold that grows to 32 MiB) the standard library's
//! LibCST copy peaked at 593-628 MB, with these settings at 432-472 MB (docs/performance.md).
//!
//! Not mimalloc, which the bridge used before: its v3 line (3.3.2 in libmimalloc-sys 0.1.49)
//! crashed a test JVM with a SIGSEGV at address 0x18 when a thread initialised its heap (the
//! crash reported upstream for 3.3.0-3.3.2, microsoft/mimalloc#1287 and #1288), and its v2 line,
//! even tuned, peaked at 550-660 MB on the ast-pipeline where tuned glibc peaks at 405-424 MB,
//! and copied slower (4.0-4.4 s against 2.7-2.8 s).

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod glibc {
    use std::ffi::c_int;

    unsafe extern "C" {
        /// glibc's malloc.h: sets a malloc parameter for the whole process; returns 1 on success.
        fn mallopt(param: c_int, value: c_int) -> c_int;
    }

    /// A malloc parameter the bridge sets: its number in malloc.h, the environment variable and
    /// the `GLIBC_TUNABLES` name through which a user may already have chosen it, and the value.
    struct Tuning {
        param: c_int,
        variable: &'static str,
        tunable: &'static str,
        value: c_int,
    }

    const TUNINGS: [Tuning; 3] = [
        // Two arenas, not 16 on two cores: a buffer freed on another thread than the one that
        // allocated it goes back to its arena, and every extra arena keeps its own free memory.
        Tuning { param: -8, variable: "MALLOC_ARENA_MAX", tunable: "glibc.malloc.arena_max", value: 2 },
        // Buffers of 1 MiB and more (Parquet pages, Arrow arrays of a file's nodes) are mappings
        // of their own, returned whole on free; glibc would raise this threshold up to 32 MiB
        // as such buffers are freed, and keep them in the heap from then on.
        Tuning { param: -3, variable: "MALLOC_MMAP_THRESHOLD_", tunable: "glibc.malloc.mmap_threshold", value: 1 << 20 },
        // The heap's free top goes back to the OS once it exceeds 1 MiB (glibc: 128 KiB, raised
        // along with the mmap threshold).
        Tuning { param: -1, variable: "MALLOC_TRIM_THRESHOLD_", tunable: "glibc.malloc.trim_threshold", value: 1 << 20 },
    ];

    /// Sets [`TUNINGS`], each unless the user chose it through the environment (glibc read it
    /// when the process started and keeps that choice).
    pub fn tune() {
        let tunables = std::env::var("GLIBC_TUNABLES").unwrap_or_default();
        for tuning in &TUNINGS {
            if std::env::var_os(tuning.variable).is_none() && !tunables.contains(tuning.tunable) {
                // SAFETY: mallopt only records the parameter under malloc's own lock; any thread
                // may call it at any time. A refusal (0) leaves glibc's default, which is safe.
                unsafe { mallopt(tuning.param, tuning.value) };
            }
        }
    }
}

/// Tunes the process's malloc for the engine's allocation pattern (see the module comment); a
/// no-op where the C library is not glibc.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    glibc::tune();
}
