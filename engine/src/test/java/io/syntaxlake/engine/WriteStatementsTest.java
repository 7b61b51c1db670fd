package io.syntaxlake.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * INSERT and COPY write when the statement runs, whether or not the caller reads the returned
 * count. (DataFusion itself only plans them in ctx.sql: an unexecuted plan writes nothing.)
 */
class WriteStatementsTest {

    @Test
    void insertWritesEvenWhenItsResultIsNeverRead(@TempDir Path dir) {
        String location = SqlIdentifiers.literal(dir.toUri() + "events/");
        try (EngineSession session = EngineSession.open()) {
            session.execute("CREATE EXTERNAL TABLE events (id BIGINT NOT NULL, label VARCHAR) STORED AS PARQUET LOCATION " + location);
            // Closed without a single next(): the trap a bridge that only calls ctx.sql falls into.
            session.sql("INSERT INTO events VALUES (1, 'a'), (2, 'b'), (3, 'c')").close();
            assertEquals(3L, session.collect("SELECT count(*) FROM events").single());
            assertEquals(2L, session.execute("INSERT INTO events SELECT id + 10, label FROM events WHERE id < 3"));
            assertEquals(5L, session.collect("SELECT count(*) FROM events").single());
        }
    }

    @Test
    void copyWritesEvenWhenItsResultIsNeverRead(@TempDir Path dir) {
        String target = dir.toUri() + "copied/";
        try (EngineSession session = EngineSession.open()) {
            session.sql("COPY (SELECT value AS v FROM generate_series(1, 1234)) TO " + SqlIdentifiers.literal(target)
                    + " STORED AS PARQUET").close();
            session.execute("CREATE EXTERNAL TABLE copied STORED AS PARQUET LOCATION " + SqlIdentifiers.literal(target));
            assertEquals(1234L, session.collect("SELECT count(*) FROM copied").single());
            assertEquals(761995L, session.collect("SELECT sum(v) FROM copied").single());
        }
    }

    @Test
    void notNullColumnsRejectNullsAtWriteTime(@TempDir Path dir) {
        String location = SqlIdentifiers.literal(dir.toUri() + "strict/");
        try (EngineSession session = EngineSession.open()) {
            session.execute("CREATE EXTERNAL TABLE strict (id BIGINT NOT NULL) STORED AS PARQUET LOCATION " + location);
            EngineException e = org.junit.jupiter.api.Assertions.assertThrows(EngineException.class,
                    () -> session.execute("INSERT INTO strict SELECT CAST(NULL AS BIGINT)"));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("non-nullable")
                    || e.getMessage().contains("null"), e.getMessage());
            assertEquals(0L, session.collect("SELECT count(*) FROM strict").single());
        }
    }
}
