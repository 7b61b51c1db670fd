package io.syntaxlake.tasks.manifest;

import io.syntaxlake.engine.BatchListReader;
import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.SqlIdentifiers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The shared manifest store: the three manifest tables in a PostgreSQL schema (default
 * {@value #DEFAULT_SCHEMA}), created if missing, with the columns and keys of the manifest
 * contracts ({@link PostgresTables}). Every write is an upsert on the table's primary key, so a
 * repeated write leaves one row; {@link #recordAttempt} is one transaction (the task row and
 * exactly the given artifacts of that attempt). Prepared statements only.
 *
 * <p>One connection, used by one thread at a time (the store serializes its calls). A write that
 * fails because the connection was lost is retried once on a new connection: every write is an
 * idempotent upsert, so doing it again is safe.
 */
public final class JdbcManifestStore implements ManifestStore {
    public static final String DEFAULT_SCHEMA = "syntaxlake_manifest";
    public static final String APPLICATION_NAME = "syntaxlake-manifest";
    /** Serializes table creation among processes (CREATE ... IF NOT EXISTS races on the catalog). */
    private static final long DDL_LOCK = 0x73796e7461786cL;
    private static final Pattern SERVER_URL = Pattern.compile("jdbc:postgresql://(?:[^@/?]*@)?([^/?]*)(/[^?]*)?.*");

    private final String url;
    private final Properties credentials;
    private final String schema;
    private final String location;
    private Connection connection;

    private JdbcManifestStore(String url, String user, String password, String schema) {
        this.url = url;
        this.credentials = new Properties();
        credentials.setProperty("user", user);
        if (password != null) {
            credentials.setProperty("password", password);
        }
        // how an operator tells the store's sessions apart in pg_stat_activity
        credentials.setProperty("ApplicationName", APPLICATION_NAME);
        this.schema = schema;
        this.location = publicLocation(url);
    }

    /** The store in schema {@value #DEFAULT_SCHEMA} of the database at {@code jdbcUrl}. */
    public static JdbcManifestStore open(String jdbcUrl, String user, String password) {
        return open(jdbcUrl, user, password, DEFAULT_SCHEMA);
    }

    /** The store in {@code schema} (lowercase letters, digits, {@code _}) of the database at {@code jdbcUrl}. */
    public static JdbcManifestStore open(String jdbcUrl, String user, String password, String schema) {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("the JDBC manifest store needs a jdbc:postgresql: URL");
        }
        JdbcManifestStore store = new JdbcManifestStore(jdbcUrl, user, password, ManifestValues.schemaName(schema));
        try {
            store.createTables();
            return store;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** The URL without credentials or parameters: {@code jdbc:postgresql://host:port/db}. */
    static String publicLocation(String jdbcUrl) {
        Matcher server = SERVER_URL.matcher(jdbcUrl);
        if (server.matches()) {
            return "jdbc:postgresql://" + server.group(1) + (server.group(2) == null ? "" : server.group(2));
        }
        int query = jdbcUrl.indexOf('?');
        return query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
    }

    @Override
    public String location() {
        return location;
    }

    private void createTables() {
        transaction("create the tables", c -> {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                lock.setLong(1, DDL_LOCK);
                lock.execute();
            }
            List<String> ddl = new ArrayList<>();
            ddl.add("CREATE SCHEMA IF NOT EXISTS \"" + schema + '"');
            for (ManifestTable table : ManifestTable.values()) {
                ddl.add(PostgresTables.createTable(schema, table));
            }
            ddl.add("CREATE INDEX IF NOT EXISTS runs_by_run_key ON " + PostgresTables.qualified(schema, ManifestTable.RUNS)
                    + " (run_key, status, started_at DESC)");
            for (String statement : ddl) {
                try (PreparedStatement create = c.prepareStatement(statement)) {
                    create.execute();
                }
            }
            return null;
        });
    }

    @Override
    public void startRun(RunRecord run) {
        writeRun(ManifestValues.starting(run));
    }

    @Override
    public void finishRun(RunRecord run) {
        writeRun(run);
    }

    private void writeRun(RunRecord run) {
        transaction("write run " + run.runId(), c -> {
            try (PreparedStatement upsert = c.prepareStatement(PostgresTables.upsert(schema, ManifestTable.RUNS))) {
                bind(upsert, ManifestTable.RUNS, ManifestRows.of(run));
                upsert.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void recordAttempt(TaskAttempt attempt, List<ArtifactRecord> artifacts) {
        ManifestValues.artifactsOf(attempt, artifacts);
        transaction("record attempt " + attempt.runId() + "/" + attempt.taskId() + "/" + attempt.attempt(), c -> {
            try (PreparedStatement upsert = c.prepareStatement(PostgresTables.upsert(schema, ManifestTable.TASKS))) {
                bind(upsert, ManifestTable.TASKS, ManifestRows.of(attempt));
                upsert.executeUpdate();
            }
            // the attempt's artifacts become exactly these: others of an earlier recording go
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM "
                    + PostgresTables.qualified(schema, ManifestTable.ARTIFACTS)
                    + " WHERE run_id = ? AND task_id = ? AND attempt = ? AND NOT (name = ANY (?))")) {
                delete.setString(1, attempt.runId());
                delete.setString(2, attempt.taskId());
                delete.setInt(3, attempt.attempt());
                delete.setArray(4, c.createArrayOf("text", artifacts.stream().map(ArtifactRecord::name).toArray()));
                delete.executeUpdate();
            }
            if (!artifacts.isEmpty()) {
                try (PreparedStatement upsert = c.prepareStatement(PostgresTables.upsert(schema, ManifestTable.ARTIFACTS))) {
                    for (ArtifactRecord artifact : artifacts) {
                        bind(upsert, ManifestTable.ARTIFACTS, ManifestRows.of(artifact));
                        upsert.addBatch();
                    }
                    upsert.executeBatch();
                }
            }
            return null;
        });
    }

    @Override
    public List<RunRecord> runs() {
        return query(ManifestTable.RUNS, "", List.of(), "started_at DESC, run_id COLLATE \"C\" DESC", ManifestRows::run);
    }

    @Override
    public Optional<RunRecord> run(String runId) {
        return query(ManifestTable.RUNS, " WHERE run_id = ?", List.of(ManifestValues.id("run id", runId)), "run_id",
                ManifestRows::run).stream().findFirst();
    }

    @Override
    public Optional<RunRecord> latestSucceeded(String runKey) {
        return query(ManifestTable.RUNS, " WHERE run_key = ? AND status = ?",
                List.of(ManifestValues.text("run key", runKey), RunStatus.SUCCEEDED.text()),
                "started_at DESC, run_id COLLATE \"C\" DESC LIMIT 1", ManifestRows::run).stream().findFirst();
    }

    @Override
    public List<TaskAttempt> attempts(String runId) {
        // COLLATE "C": text ties break by code point, as in the engine (the Delta store)
        return query(ManifestTable.TASKS, " WHERE run_id = ?", List.of(ManifestValues.id("run id", runId)),
                "started_at, attempt, task_id COLLATE \"C\"", ManifestRows::attempt);
    }

    @Override
    public List<ArtifactRecord> artifacts(String runId) {
        return query(ManifestTable.ARTIFACTS, " WHERE run_id = ?", List.of(ManifestValues.id("run id", runId)),
                "recorded_at, task_id COLLATE \"C\", attempt, name COLLATE \"C\"", ManifestRows::artifact);
    }

    private <T> List<T> query(ManifestTable table, String where, List<String> parameters, String orderBy,
                              Function<Function<String, Object>, T> record) {
        return transaction("read " + table.table(), c -> {
            List<T> out = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(PostgresTables.select(schema, table) + where
                    + " ORDER BY " + orderBy)) {
                for (int i = 0; i < parameters.size(); i++) {
                    select.setString(i + 1, parameters.get(i));
                }
                for (Map<String, Object> row : rows(select, table)) {
                    out.add(record.apply(row::get));
                }
            }
            return out;
        });
    }

    /** The result's rows as column name to value, timestamps as {@link Instant}. */
    private static List<Map<String, Object>> rows(PreparedStatement select, ManifestTable table) throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        List<Field> fields = table.contract().schema().getFields();
        try (ResultSet result = select.executeQuery()) {
            while (result.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (Field field : fields) {
                    Object value = field.getType() instanceof org.apache.arrow.vector.types.pojo.ArrowType.Timestamp
                            ? Optional.ofNullable(result.getObject(field.getName(), OffsetDateTime.class))
                                    .map(OffsetDateTime::toInstant).orElse(null)
                            : result.getObject(field.getName());
                    row.put(field.getName(), value);
                }
                out.add(row);
            }
        }
        return out;
    }

    private static void bind(PreparedStatement statement, ManifestTable table, List<Object> values) throws SQLException {
        List<Field> fields = table.contract().schema().getFields();
        for (int i = 0; i < values.size(); i++) {
            Object value = values.get(i);
            if (value == null) {
                statement.setNull(i + 1, PostgresTables.jdbcType(fields.get(i)));
            } else if (value instanceof Instant instant) {
                statement.setObject(i + 1, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
            } else {
                statement.setObject(i + 1, value);
            }
        }
    }

    /**
     * Reads the three tables in one repeatable-read transaction (a consistent state) and
     * registers them in the session's default catalog as {@code <schema>.runs}, ... : in-memory
     * tables with the columns and types of the Delta store's tables. Existing tables of those
     * names in that schema are replaced; other tables there are left alone.
     */
    @Override
    public void registerInto(EngineSession target, String targetSchema) {
        ManifestValues.schemaName(targetSchema);
        Map<ManifestTable, List<List<Object>>> tables = new LinkedHashMap<>();
        transaction("read the manifest", c -> {
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                for (ManifestTable table : ManifestTable.values()) {
                    List<List<Object>> rows = new ArrayList<>();
                    try (PreparedStatement select = c.prepareStatement(PostgresTables.select(schema, table))) {
                        for (Map<String, Object> row : rows(select, table)) {
                            rows.add(new ArrayList<>(row.values()));
                        }
                    }
                    tables.put(table, rows);
                }
            } finally {
                c.commit();
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            }
            return null;
        });
        String catalog = EngineCatalogs.defaultCatalog(target);
        target.execute("CREATE SCHEMA IF NOT EXISTS " + SqlIdentifiers.quoteQualified(List.of(catalog, targetSchema)));
        for (var entry : tables.entrySet()) {
            Schema arrowSchema = entry.getKey().contract().schema();
            String temp = "__syntaxlake_manifest_import_" + UUID.randomUUID().toString().replace("-", "");
            String qualified = SqlIdentifiers.quoteQualified(List.of(catalog, targetSchema, entry.getKey().table()));
            try (VectorSchemaRoot batch = ManifestBatches.of(arrowSchema, entry.getValue(), target.allocator())) {
                target.registerTable(temp, new BatchListReader(target.allocator(), arrowSchema, List.of(batch)));
            }
            try {
                target.execute("DROP TABLE IF EXISTS " + qualified);
                target.execute("CREATE TABLE " + qualified + " AS SELECT * FROM " + SqlIdentifiers.quote(temp));
            } finally {
                target.execute("DROP TABLE IF EXISTS " + SqlIdentifiers.quote(temp));
            }
        }
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs {@code work} in one transaction; a lost connection is replaced and the work done once more. */
    private synchronized <T> T transaction(String what, SqlWork<T> work) {
        for (int attempt = 1; ; attempt++) {
            Connection c = null;
            try {
                c = connection();
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException e) {
                rollback(c);
                if (attempt == 1 && lost(c, e)) {
                    disconnect();
                    continue;
                }
                throw new ManifestStoreException("manifest store " + location + " (schema " + schema + "): cannot "
                        + what + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                rollback(c);
                throw e;
            }
        }
    }

    /** Whether the connection is gone (network, server restart, a terminated backend), not just the statement failed. */
    private static boolean lost(Connection c, SQLException e) {
        if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
            return true;
        }
        try {
            return c == null || c.isClosed() || !c.isValid(2);
        } catch (SQLException unreachable) {
            return true;
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = DriverManager.getConnection(url, credentials);
            connection.setAutoCommit(false);
        }
        return connection;
    }

    private static void rollback(Connection c) {
        try {
            if (c != null && !c.isClosed()) {
                c.rollback();
            }
        } catch (SQLException ignored) {
            // the transaction is gone with the connection; the caller sees the original error
        }
    }

    private void disconnect() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // closing a broken connection can fail; a new one is opened next
        }
        connection = null;
    }

    @Override
    public synchronized void close() {
        disconnect();
    }

    @Override
    public String toString() {
        return "JdbcManifestStore[" + location + ", schema " + schema + "]";
    }
}
