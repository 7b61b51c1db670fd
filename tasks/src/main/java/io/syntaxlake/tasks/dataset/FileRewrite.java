package io.syntaxlake.tasks.dataset;

import static io.syntaxlake.engine.SqlIdentifiers.literal;
import static io.syntaxlake.engine.SqlIdentifiers.quote;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.FileTableSpec;
import io.syntaxlake.engine.contract.DatasetContract;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Rewrites one data file of a repository without the rows of some paths: the surviving rows,
 * read from that file alone in its order (so the new file is in path order too), go into the
 * same partition directory under a new root. What an incremental write does to a file that holds
 * a changed or deleted path; the file itself is left as it is (a live version may reference it).
 */
public final class FileRewrite {
    private static final String FILE = "__syntaxlake_rewritten_file";
    private static final String KEPT = "__syntaxlake_kept_rows";

    private final EngineSession session;
    private final DatasetContract contract;
    private final DatasetContract.Layout layout;

    public FileRewrite(EngineSession session, DatasetContract contract, DatasetContract.Layout layout) {
        this.session = session;
        this.contract = contract;
        this.layout = layout;
    }

    /**
     * Writes the rows of {@code fileUrl} ({@code size} bytes, in partition {@code directory},
     * e.g. {@code repo=cpython}) except those of {@code dropped} paths under {@code targetUrl};
     * returns the rows written (none, and no file, when every row is dropped).
     */
    public long run(String fileUrl, long size, String directory, List<String> dropped, String targetUrl) {
        session.execute("DROP VIEW IF EXISTS " + quote(KEPT));
        session.execute("DROP TABLE IF EXISTS " + quote(FILE));
        // the file alone, its partition values left out: they are the directory the rows go back to
        session.registerFiles(new FileTableSpec(FILE, contract.fileSchema(layout), List.of(),
                List.of(new FileTableSpec.DataFile(fileUrl, size, Map.of())), TableOptions.of(contract)));
        try {
            String kept = dropped.isEmpty() ? "" : " WHERE " + quote("path") + " NOT IN ("
                    + dropped.stream().map(p -> literal(p)).collect(Collectors.joining(", ")) + ")";
            session.execute("CREATE VIEW " + quote(KEPT) + " AS SELECT * FROM " + quote(FILE) + kept);
            return LayoutCopy.inSourceOrder(contract, layout, KEPT).runIntoPartition(session, targetUrl, directory);
        } finally {
            session.execute("DROP VIEW IF EXISTS " + quote(KEPT));
            session.execute("DROP TABLE IF EXISTS " + quote(FILE));
        }
    }
}
