package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.EngineException;
import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.QueryResult;
import io.syntaxlake.tasks.core.TaskFailedException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import static io.syntaxlake.engine.SqlIdentifiers.literal;

/**
 * Parquet files as they were written under one location, read back through a probe table over
 * them: their own schema (inferred from the footers, metadata kept) and their row counts. What a
 * writer checks before it makes files visible, since neither a pointer nor a Delta commit looks
 * inside the files.
 */
public final class WrittenFiles {
    private static final String PROBE = "__syntaxlake_written_files_probe";

    private final EngineSession session;
    private final String location;

    public WrittenFiles(EngineSession session, String location) {
        this.session = session;
        this.location = location;
    }

    /** The differences between the files' own schema and {@code expected} (partition columns left out). */
    public List<String> schemaDrift(Schema expected, List<String> partitionColumns) {
        return withProbe(() -> {
            Schema inferred;
            try (QueryResult result = session.sql("SELECT * FROM " + PROBE + " LIMIT 0")) {
                inferred = result.schema();
            }
            List<Field> fileFields = new ArrayList<>(inferred.getFields());
            fileFields.removeIf(f -> partitionColumns.contains(f.getName()));
            return SchemaDiff.of(expected, new Schema(fileFields), true);
        });
    }

    /** Rows per file, by the file's absolute URL (a file with no rows is absent). */
    public Map<String, Long> rowCounts() {
        return withProbe(() -> {
            Map<String, Long> out = new HashMap<>();
            for (List<Object> row : session.collect("SELECT input_file_name() AS file, count(*) AS n FROM " + PROBE
                    + " GROUP BY 1").rows()) {
                out.put((String) row.get(0), ((Number) row.get(1)).longValue());
            }
            return out;
        });
    }

    private <T> T withProbe(java.util.function.Supplier<T> body) {
        session.execute("DROP TABLE IF EXISTS " + PROBE);
        try {
            session.execute("CREATE EXTERNAL TABLE " + PROBE + " STORED AS PARQUET"
                    + " OPTIONS ('format.skip_metadata' 'false', 'format.schema_force_view_types' 'false')"
                    + " LOCATION " + literal(location));
            return body.get();
        } catch (EngineException e) {
            throw new TaskFailedException("cannot read the files at " + location + ": " + e.getMessage(), List.of(), e);
        } finally {
            session.execute("DROP TABLE IF EXISTS " + PROBE);
        }
    }
}
