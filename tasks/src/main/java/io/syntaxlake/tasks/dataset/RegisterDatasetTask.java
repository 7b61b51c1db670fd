package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.ListingTableSpec;
import io.syntaxlake.engine.QueryResult;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.Artifact;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.core.TaskResult;
import io.syntaxlake.tasks.lake.DatasetGenerations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import static io.syntaxlake.engine.SqlIdentifiers.literal;
import static io.syntaxlake.engine.SqlIdentifiers.quote;

/**
 * AST/CST plan scope 1: registers a dataset location as an external table with the contract's
 * partitioning, ordering and options. The plan's {@code CREATE EXTERNAL TABLE} cannot declare
 * this schema (SQL DDL has no map type and no field metadata, and WITH ORDER needs a column
 * list), so the table is registered through DataFusion's ListingTable API with the contract's
 * Arrow schema; the equivalent DDL and the difference are recorded in
 * {@code datafusion_<prefix>_dataset_v1}. The files themselves are checked against the contract
 * (schema inferred from their footers, metadata included): a drifted file fails the task.
 */
public final class RegisterDatasetTask {
    private final EngineSession session;

    public RegisterDatasetTask(EngineSession session) {
        this.session = session;
    }

    public TaskResult<String> run(RegisterRequest request) {
        DatasetContract contract = request.contract();
        DatasetContract.Layout layout = MaterializeTask.layout(contract, request.layout());
        session.execute("SET datafusion.execution.collect_statistics = " + request.collectStatistics());
        DatasetGenerations generations = new DatasetGenerations(session, request.lake(), contract.name());
        var committed = generations.current();
        if (committed.isEmpty()) {
            throw new TaskFailedException("register " + contract.name() + ": no committed generation in "
                    + request.lake().dataset(contract.name()), List.of());
        }
        String dataLocation = generations.location(committed.get().generation()).url();
        Map<String, String> options = TableOptions.of(contract);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("name", request.table());
        payload.put("dataset", contract.name());
        payload.put("location", request.lake().dataset(contract.name()).url());
        payload.put("data_location", dataLocation);
        payload.put("generation", committed.get().generation());
        payload.put("format", "parquet");
        payload.put("datafusion_provider", "listing");
        payload.put("layout", request.layout());
        payload.put("partition_cols", layout.partitionBy().stream().map(p -> Map.of("name", p, "dtype", "Utf8")).toList());
        payload.put("file_sort_order", layout.orderBy());
        payload.put("options", options);
        payload.put("skip_arrow_metadata", false);
        payload.put("collect_statistics", request.collectStatistics());
        payload.put("list_files_cache_ttl", contract.table().listingCache().ttl());
        payload.put("list_files_cache_scope", "this table (its own entries of the session cache expire after the ttl)");
        payload.put("equivalent_ddl", ddl(request, layout, dataLocation, options));
        payload.put("plan_difference", "registered through the ListingTable API with the contract's Arrow schema:"
                + " CREATE EXTERNAL TABLE cannot declare Map columns or field metadata, and WITH ORDER requires a"
                + " column list; PARTITIONED BY (repo, path) is the 'repo_path' layout, (repo) the default");
        WrittenFiles written = new WrittenFiles(session, dataLocation);
        List<String> drift = written.schemaDrift(contract.fileSchema(layout), layout.partitionBy());
        boolean olderFiles = !drift.isEmpty() && contract.withoutAddedColumns() != contract
                && written.schemaDrift(contract.withoutAddedColumns().fileSchema(layout), layout.partitionBy()).isEmpty();
        // files written before the contract's added columns existed: read with nulls there
        payload.put("added_columns_absent", olderFiles ? contract.table().addedColumns() : List.of());
        if (olderFiles) {
            drift = List.of();
        }
        payload.put("file_schema_matches_contract", drift.isEmpty());
        payload.put("file_schema_diff", drift);
        Artifact artifact = Artifact.of("datafusion_" + contract.views().prefix() + "_dataset_v1", contract, payload);
        if (!drift.isEmpty()) {
            throw new TaskFailedException("register " + contract.name() + " at " + dataLocation
                    + ": the files do not match the contract: " + String.join("; ", drift), List.of(artifact));
        }
        session.execute("DROP TABLE IF EXISTS " + quote(request.table()));
        session.registerListingTable(listingSpec(contract, request.table(), dataLocation, layout));
        return new TaskResult<>(request.table(), List.of(artifact));
    }

    /** The listing table of a dataset's files: the contract's file schema, layout, options and listing TTL. */
    public static ListingTableSpec listingSpec(DatasetContract contract, String table, String dataLocation,
                                        DatasetContract.Layout layout) {
        return new ListingTableSpec(table, dataLocation, ListingTableSpec.Format.PARQUET, contract.fileSchema(layout),
                layout.partitionBy(), layout.orderBy(), TableOptions.of(contract),
                contract.table().listingCache().ttlDuration().orElse(null));
    }

    private static String ddl(RegisterRequest request, DatasetContract.Layout layout, String location,
                              Map<String, String> options) {
        String partitions = layout.partitionBy().isEmpty() ? ""
                : " PARTITIONED BY (" + layout.partitionBy().stream().map(p -> quote(p) + " VARCHAR")
                .collect(Collectors.joining(", ")) + ")";
        String order = layout.orderBy().isEmpty() ? ""
                : " WITH ORDER (" + layout.orderBy().stream().map(c -> quote(c) + " ASC").collect(Collectors.joining(", ")) + ")";
        return "CREATE EXTERNAL TABLE " + quote(request.table()) + " STORED AS PARQUET" + partitions + order
                + TableOptions.sql(options) + " LOCATION " + literal(location);
    }
}
