package io.syntaxlake.tasks.dataset;

/**
 * The source index stored with a table version for one repository (an Arrow IPC file's bytes)
 * and that version: the Parquet generation, or the transaction version of the repository's
 * Delta output key. An incremental write names the version it is based on, so that it merges
 * only into the version whose rows the index describes.
 */
public record CommittedIndex(byte[] bytes, String version) {
}
