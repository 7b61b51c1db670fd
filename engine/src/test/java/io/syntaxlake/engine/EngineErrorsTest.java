package io.syntaxlake.engine;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failures become typed Java exceptions with DataFusion's message, and the JVM lives on. */
class EngineErrorsTest {

    private static void assertStillUsable(EngineSession session) {
        assertEquals(2L, session.collect("SELECT 1 + 1").single());
    }

    @Test
    void syntaxErrorIsAPlanException() {
        try (EngineSession session = EngineSession.open()) {
            EnginePlanException e = assertThrows(EnginePlanException.class, () -> session.execute("SELEC 1"));
            assertTrue(e.getMessage().contains("SELEC"), e.getMessage());
            assertStillUsable(session);
        }
    }

    @Test
    void missingTableIsNamed() {
        try (EngineSession session = EngineSession.open()) {
            EnginePlanException e = assertThrows(EnginePlanException.class,
                    () -> session.execute("SELECT * FROM no_such_table"));
            assertTrue(e.getMessage().contains("no_such_table"), e.getMessage());
            assertStillUsable(session);
        }
    }

    @Test
    void copyToAnUnwritablePathNamesThePath(@TempDir Path dir) throws Exception {
        Path blocker = Files.writeString(dir.resolve("not-a-directory"), "a file where a directory should be");
        String target = blocker.resolve("out").toString() + "/";
        try (EngineSession session = EngineSession.open()) {
            EngineException e = assertThrows(EngineException.class,
                    () -> session.execute("COPY (SELECT 1 AS x) TO " + SqlIdentifiers.literal(target) + " STORED AS PARQUET"));
            assertTrue(e.getMessage().contains("not-a-directory"), e.getMessage());
            assertStillUsable(session);
        }
    }

    @Test
    void invalidCatalogLocationPanicIsCaught() {
        SessionOptions options = SessionOptions.defaults().withCatalogAutoload("not a url at all", "PARQUET");
        EnginePanicException e = assertThrows(EnginePanicException.class, () -> EngineSession.open(options));
        assertTrue(e.getMessage().contains("Invalid default catalog location"), e.getMessage());
        try (EngineSession session = EngineSession.open()) {
            assertStillUsable(session);
        }
    }

    @Test
    void unknownSettingIsAConfigurationError() {
        SessionOptions options = SessionOptions.defaults().with("datafusion.execution.no_such_option", "1");
        EngineConfigurationException e = assertThrows(EngineConfigurationException.class, () -> EngineSession.open(options));
        assertTrue(e.getMessage().contains("no_such_option"), e.getMessage());
    }

    @Test
    void errorWhileStreamingIsAnExecutionException() {
        try (EngineSession session = EngineSession.open()) {
            EngineException e = assertThrows(EngineException.class,
                    () -> session.collect("SELECT arrow_cast('x' || v, 'Int32') FROM (VALUES ('1'), ('2')) t(v)"));
            assertTrue(e.getMessage().contains("Cannot cast") || e.getMessage().contains("cast"), e.getMessage());
            assertStillUsable(session);
        }
    }

    @Test
    void closingTwiceIsHarmlessAndAClosedSessionThrows() {
        EngineSession session = EngineSession.open();
        session.close();
        assertDoesNotThrow(session::close);
        assertTrue(session.isClosed());
        assertThrows(EngineClosedException.class, () -> session.execute("SELECT 1"));
        assertThrows(EngineClosedException.class, () -> session.plans("SELECT 1"));
        assertThrows(EngineClosedException.class, session::refreshCatalogs);
    }

    @Test
    void closingASessionWithAnOpenResultIsReportedAndTheResultStaysReadable() {
        EngineSession session = EngineSession.open();
        QueryResult open = session.sql("SELECT * FROM generate_series(1, 100000)");
        assertTrue(open.next());
        long first = open.batch().getRowCount();
        EngineException e = assertThrows(EngineException.class, session::close);
        assertTrue(e.getMessage().contains("close every QueryResult"), e.getMessage());
        assertEquals(100_000L, first + open.drain(), "the stream keeps its own engine state");
        open.close();
        assertEquals(0, session.allocator().getAllocatedMemory());
    }
}
