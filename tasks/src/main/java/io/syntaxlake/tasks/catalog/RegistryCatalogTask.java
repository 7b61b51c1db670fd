package io.syntaxlake.tasks.catalog;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.FileTableSpec;
import io.syntaxlake.engine.ListingTableSpec;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.Artifact;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.core.TaskResult;
import io.syntaxlake.tasks.dataset.MaterializeTask;
import io.syntaxlake.tasks.dataset.RegisterDatasetTask;
import io.syntaxlake.tasks.delta.DeltaLog;
import io.syntaxlake.tasks.delta.DeltaSelector;
import io.syntaxlake.tasks.delta.RegisterDeltaTask;
import io.syntaxlake.tasks.lake.DatasetGenerations;
import io.syntaxlake.tasks.lake.Lake;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.arrow.vector.types.pojo.Field;

import static io.syntaxlake.engine.SqlIdentifiers.literal;

/**
 * LibCST plan scope 6, for any set of datasets: a catalog schema backed by the dataset registry,
 * that is by the contracts and the lake. A dataset kept as a Delta table ({@code delta/<name>/})
 * becomes the snapshot its time-travel selector names (latest by default), checked as
 * {@link RegisterDeltaTask} checks it; a plain Parquet dataset becomes its committed generation
 * with the contract's schema, layout (the one its pointer records), options and listing TTL.
 * Each is a table {@code <catalog>.<schema>.<dataset>}; datasets never materialized are reported,
 * not registered. The tables then show in information_schema, whose columns are
 * checked against the contracts. Recorded as {@code datafusion_registry_catalog_v1}.
 *
 * <p>Native provider rather than DDL: DDL cannot declare the contracts' map columns or field
 * metadata (scope 1), and the native schema builds each table only when a query first uses it, so
 * publishing the catalog and listing its tables read no storage. The registry is handed to the
 * engine as data, so planning never calls back into Java. Publishing again (after a new
 * generation is committed) replaces the schema in one step.
 */
public final class RegistryCatalogTask {
    public static final String ARTIFACT = "datafusion_registry_catalog_v1";
    /** Catalog and schema names are used unquoted in queries, so they are plain lower-case words. */
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final EngineSession session;
    private final DeltaLog deltaLog;

    public RegistryCatalogTask(EngineSession session, DeltaLog deltaLog) {
        this.session = session;
        this.deltaLog = deltaLog;
    }

    /** Publishes {@code catalog.schema} with every dataset of {@code contracts} that {@code lake} holds. */
    public TaskResult<List<String>> run(Lake lake, List<DatasetContract> contracts, String catalog, String schema) {
        return run(lake, contracts, catalog, schema, Map.of());
    }

    /**
     * As {@link #run(Lake, List, String, String)}, with a time-travel selector for some of the
     * Delta datasets (by dataset name).
     */
    public TaskResult<List<String>> run(Lake lake, List<DatasetContract> contracts, String catalog, String schema,
                                        Map<String, DeltaSelector> selectors) {
        for (String name : List.of(catalog, schema)) {
            if (!NAME.matcher(name).matches()) {
                throw new TaskFailedException("registry catalog: '" + name + "' is not a valid catalog or schema name"
                        + " (lower-case letters, digits and '_', not starting with a digit)", List.of());
            }
        }
        List<ListingTableSpec> specs = new ArrayList<>();
        List<FileTableSpec> deltaTables = new ArrayList<>();
        List<Map<String, Object>> tables = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Map<String, List<String>> expectedColumns = new LinkedHashMap<>();
        for (DatasetContract contract : contracts) {
            String qualified = catalog + "." + schema + "." + contract.name();
            Map<String, Object> table = new LinkedHashMap<>();
            if (deltaLog.exists(lake.delta(contract.name()))) {
                DeltaSelector selector = selectors.getOrDefault(contract.name(), DeltaSelector.latest());
                RegisterDeltaTask.Resolved resolved = new RegisterDeltaTask(session, deltaLog)
                        .resolve(contract, lake.delta(contract.name()), selector, contract.name());
                deltaTables.add(resolved.spec());
                table.put("format", "delta");
                table.put("selector", selector.toString());
                table.put("delta", resolved.artifact().payload());
                tables.add(entry(contract, qualified, table, expectedColumns,
                        resolved.spec().fileSchema(), resolved.spec().partitionColumns()));
                continue;
            }
            DatasetGenerations generations = new DatasetGenerations(session, lake, contract.name());
            var committed = generations.current();
            if (committed.isEmpty()) {
                missing.add(contract.name());
                continue;
            }
            String layoutName = committed.get().layoutOr(contract.table().defaultLayout());
            DatasetContract.Layout layout = MaterializeTask.layout(contract, layoutName);
            String dataLocation = generations.location(committed.get().generation()).url();
            ListingTableSpec spec = RegisterDatasetTask.listingSpec(contract, contract.name(), dataLocation, layout);
            specs.add(spec);
            table.put("format", "parquet");
            table.put("data_location", dataLocation);
            table.put("generation", committed.get().generation());
            table.put("run_id", committed.get().runId());
            table.put("rows", committed.get().rows());
            table.put("layout", layoutName);
            tables.add(entry(contract, qualified, table, expectedColumns, spec.fileSchema(), layout.partitionBy()));
        }
        session.registerRegistrySchema(catalog, schema, specs, deltaTables);

        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("catalog", catalog);
        payload.put("schema", schema);
        payload.put("provider", "native registry schema: Parquet datasets declared from the contracts and the lake's"
                + " pointers, built on first use; Delta datasets as the file list of the selected snapshot");
        payload.put("tables", tables);
        payload.put("not_materialized", missing);
        List<String> problems = checkInformationSchema(catalog, schema, expectedColumns);
        payload.put("information_schema_matches", problems.isEmpty());
        payload.put("problems", problems);
        Artifact artifact = Artifact.of(ARTIFACT, null, payload);
        if (!problems.isEmpty()) {
            throw new TaskFailedException("registry catalog " + catalog + "." + schema + ": " + String.join("; ", problems),
                    List.of(artifact));
        }
        List<String> names = tables.stream().map(t -> (String) t.get("qualified_name")).toList();
        return new TaskResult<>(names, List.of(artifact));
    }

    /**
     * One table's artifact entry: its names and identity, the format's {@code details}, and the
     * columns information_schema must show (file columns, then partition columns), which are also
     * recorded in {@code expectedColumns}.
     */
    private static Map<String, Object> entry(DatasetContract contract, String qualifiedName, Map<String, Object> details,
                                             Map<String, List<String>> expectedColumns,
                                             org.apache.arrow.vector.types.pojo.Schema fileSchema, List<String> partitions) {
        List<String> columns = new ArrayList<>(fileSchema.getFields().stream().map(Field::getName).toList());
        columns.addAll(partitions);
        expectedColumns.put(contract.name(), columns);
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("name", contract.name());
        table.put("qualified_name", qualifiedName);
        table.putAll(details);
        table.put("schema_identity_hash", contract.identityHash());
        table.put("columns", columns);
        return table;
    }

    /** What information_schema shows of the published schema, against what was declared. */
    private List<String> checkInformationSchema(String catalog, String schema, Map<String, List<String>> expected) {
        List<String> problems = new ArrayList<>();
        List<Object> listed = session.collect("SELECT table_name FROM information_schema.tables WHERE table_catalog = "
                + literal(catalog) + " AND table_schema = " + literal(schema) + " AND table_type = 'BASE TABLE'"
                + " ORDER BY table_name").column("table_name");
        if (!listed.equals(expected.keySet().stream().sorted().toList())) {
            problems.add("information_schema lists tables " + listed + ", declared " + expected.keySet());
        }
        for (var entry : expected.entrySet()) {
            List<Object> columns = session.collect("SELECT column_name FROM information_schema.columns"
                    + " WHERE table_catalog = " + literal(catalog) + " AND table_schema = " + literal(schema)
                    + " AND table_name = " + literal(entry.getKey()) + " ORDER BY ordinal_position").column("column_name");
            if (!columns.equals(entry.getValue())) {
                problems.add(entry.getKey() + ": information_schema has columns " + columns + ", the contract "
                        + entry.getValue());
            }
        }
        return problems;
    }
}
