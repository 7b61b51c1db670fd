package io.syntaxlake.tasks.delta;

import io.delta.kernel.Snapshot;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.FileTableSpec;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.Artifact;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.core.TaskResult;
import io.syntaxlake.tasks.dataset.SchemaDiff;
import io.syntaxlake.tasks.dataset.TableOptions;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * AST plan scope 3: registers one snapshot of a Delta table (the latest, a version, or the one
 * current at a time). Kernel reads the log; the engine registers exactly that snapshot's data
 * files with the partition values the log gives them (never a directory listing, which would
 * also see removed and uncommitted files). With a contract, the Delta schema must equal the
 * contract's and a recorded schema identity must be the contract's. Files with deletion vectors
 * are refused, since the engine would return the rows they delete. Recorded as
 * {@code datafusion_delta_tables_v1}.
 */
public final class RegisterDeltaTask {
    public static final String ARTIFACT = "datafusion_delta_tables_v1";

    private final EngineSession session;
    private final DeltaLog log;

    public RegisterDeltaTask(EngineSession session, DeltaLog log) {
        this.session = session;
        this.log = log;
    }

    /** A snapshot resolved to the table that registers it, with its artifact. */
    public record Resolved(FileTableSpec spec, long version, Artifact artifact) {
    }

    /** Registers {@code table} as the selected snapshot; {@code contract} may be null (schema from the log). */
    public TaskResult<Long> run(DatasetContract contract, LakeLocation location, DeltaSelector selector, String table) {
        Resolved resolved = resolve(contract, location, selector, table);
        session.execute("DROP TABLE IF EXISTS " + io.syntaxlake.engine.SqlIdentifiers.quote(table));
        session.registerFiles(resolved.spec());
        return new TaskResult<>(resolved.version(), List.of(resolved.artifact()));
    }

    /** Reads and checks the selected snapshot and describes the table over its files, without registering it. */
    public Resolved resolve(DatasetContract contract, LakeLocation location, DeltaSelector selector, String table) {
        Snapshot snapshot = log.snapshot(location, selector);
        List<DeltaFile> files = log.files(snapshot);
        List<String> partitions = snapshot.getPartitionColumnNames();
        StructType deltaSchema = snapshot.getSchema();
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("name", table);
        payload.put("path", location.url());
        payload.put("selector", selector.toString());
        payload.put("delta_version", snapshot.getVersion());
        payload.put("delta_timestamp", Instant.ofEpochMilli(snapshot.getTimestamp(log.engine(snapshot.getPath()))).toString());
        payload.put("files", files.size());
        payload.put("bytes", files.stream().mapToLong(DeltaFile::size).sum());
        payload.put("rows_in_log_stats", files.stream().allMatch(f -> f.numRecords().isPresent())
                ? files.stream().mapToLong(f -> f.numRecords().getAsLong()).sum() : null);
        payload.put("partition_columns", partitions);
        var protocol = snapshot.getProtocol();
        payload.put("protocol", Map.of("min_reader_version", protocol.getMinReaderVersion(),
                "min_writer_version", protocol.getMinWriterVersion(),
                "reader_features", List.copyOf(protocol.getReaderFeatures()),
                "writer_features", List.copyOf(protocol.getWriterFeatures())));
        payload.put("schema_identity_hash", snapshot.getTableProperties().get(DeltaWriter.IDENTITY_PROPERTY));
        payload.put("provider", "file list of the snapshot (kernel log replay), partition values from the log");
        long withDeletionVectors = files.stream().filter(DeltaFile::hasDeletionVector).count();
        payload.put("files_with_deletion_vectors", withDeletionVectors);
        List<String> problems = new ArrayList<>();
        if (withDeletionVectors > 0) {
            problems.add(withDeletionVectors + " file(s) carry deletion vectors, which the engine cannot apply"
                    + " (it would return deleted rows); compact the table (REORG/OPTIMIZE purge) first");
        }
        for (String partition : partitions) {
            if (!(deltaSchema.get(partition).getDataType() instanceof StringType)) {
                problems.add("partition column '" + partition + "' is " + deltaSchema.get(partition).getDataType()
                        + "; only string partition columns are supported");
            }
        }
        Schema fileSchema = fileSchema(contract, location, snapshot, partitions, problems);
        // a table created before the contract's added columns: its rows read null there
        payload.put("added_columns_absent", contract == null || DeltaWriter.heldBy(contract, snapshot) == contract
                ? List.of() : contract.table().addedColumns());
        payload.put("schema_matches_contract", contract == null ? null : problems.isEmpty());
        payload.put("problems", problems);
        Artifact artifact = Artifact.of(ARTIFACT, contract, payload);
        if (!problems.isEmpty()) {
            throw new TaskFailedException("register Delta table " + location + " (" + selector + ", version "
                    + snapshot.getVersion() + "): " + String.join("; ", problems), List.of(artifact));
        }
        FileTableSpec spec = new FileTableSpec(table, fileSchema, partitions,
                files.stream().map(f -> new FileTableSpec.DataFile(f.url(), f.size(), f.partitionValues())).toList(),
                contract == null ? Map.of() : TableOptions.of(contract));
        return new Resolved(spec, snapshot.getVersion(), artifact);
    }

    /** The files' schema: the contract's (checked against the log) or the log's, partition columns left out. */
    private static Schema fileSchema(DatasetContract contract, LakeLocation location, Snapshot snapshot,
                                     List<String> partitions, List<String> problems) {
        Schema logSchema = DeltaSchemas.toArrow(snapshot.getSchema());
        if (contract == null) {
            return new Schema(logSchema.getFields().stream().filter(f -> !partitions.contains(f.getName())).toList());
        }
        // a table created before the contract's added columns is read with nulls there
        DatasetContract held = DeltaWriter.heldBy(contract, snapshot);
        DeltaWriter.identityMismatch(held, snapshot).ifPresent(problems::add);
        // Delta schemas carry no field metadata: names, types and nullability are compared
        problems.addAll(SchemaDiff.of(held.schema(), logSchema, false));
        DatasetContract.Layout layout = contract.table().layouts().values().stream()
                .filter(l -> l.partitionBy().equals(partitions)).findFirst().orElse(null);
        if (layout == null) {
            problems.add("partitioned by " + partitions + ", which is none of the contract's layouts "
                    + contract.table().layouts());
            return logSchema;
        }
        return contract.fileSchema(layout);
    }
}
