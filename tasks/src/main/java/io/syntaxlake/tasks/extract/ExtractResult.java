package io.syntaxlake.tasks.extract;

import io.syntaxlake.engine.ListingTableSpec;
import io.syntaxlake.engine.contract.DatasetContract;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What an extraction produced: one row per file ({@code rows == files}), how many files carry
 * error rows, the source bytes read, the part files written (their format and bytes), the
 * extractor's own wall time, when the run kept a source index, how the tree changed (then
 * {@code files} counts the extracted files only), and the git revision of the source, when it is
 * in a git work tree.
 */
public record ExtractResult(ExtractKind kind, Path output, long files, long rows, long errorRows, long errorFiles,
                            long bytes, int parts, StagingFormat staging, long stagingBytes, double seconds,
                            Optional<SourceChanges> changes, Optional<SourceRevision> revision) {

    /** The extracted part files as a table named {@code table}, read with the contract's schema. */
    public ListingTableSpec stagingTable(String table, DatasetContract contract) {
        return ListingTableSpec.plain(table, output.toUri().toString(), staging.listingFormat(), contract.schema());
    }
}
