package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.ResultTable;
import io.syntaxlake.engine.StoredObject;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.Artifact;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.core.TaskResult;
import io.syntaxlake.tasks.lake.DatasetGenerations;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.arrow.vector.types.pojo.Field;

import static io.syntaxlake.engine.SqlIdentifiers.quote;

/**
 * AST/CST plan scopes 4 and 9: writes a dataset with the engine's own write paths (COPY for a
 * new generation, INSERT INTO for appends), after enforcing the contract's non-null identity
 * columns: a row with a null identity or partition value fails the task with its source named
 * and nothing is written. Records {@code datafusion_<prefix>_output_writes_v1} and
 * {@code datafusion_<prefix>_constraints_v1}.
 */
public final class MaterializeTask {
    private static final int SAMPLE = 10;

    private final EngineSession session;

    public MaterializeTask(EngineSession session) {
        this.session = session;
    }

    public TaskResult<MaterializeResult> run(MaterializeRequest request) {
        DatasetContract contract = request.contract();
        DatasetContract.Layout layout = layout(contract, request.layout());
        String prefix = contract.views().prefix();
        LayoutCopy copy = new LayoutCopy(contract, layout, request.sourceTable(), request.sourceInLayoutOrder());
        // the null check scans the whole source too: it reads it the way the copy does
        Artifact constraints = copy.readingSource(session, () -> checkNonNull(request, layout));
        MaterializeResult result = request.mode() == MaterializeRequest.Mode.REPLACE
                ? replace(request, copy) : append(request);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("dataset", contract.name());
        payload.put("mode", result.mode());
        payload.put("path", result.location());
        payload.put("format", "parquet");
        payload.put("generation", result.generation());
        payload.put("replaced_generations", result.replacedGenerations());
        payload.put("rows", result.rows());
        payload.put("files", result.files());
        payload.put("bytes", result.bytes());
        payload.put("carried_files", result.carriedFiles());
        payload.put("repository", request.repository().map(RepositoryWrite::repo).orElse(null));
        payload.put("run_id", request.runId());
        Map<String, Object> policy = new LinkedHashMap<>();
        policy.put("layout", request.layout());
        policy.put("partition_by", layout.partitionBy());
        policy.put("sort_by", layout.orderBy());
        policy.put("sorted_by", request.sourceInLayoutOrder() ? "source (copied in file order, no sort)" : "copy (ORDER BY)");
        policy.put("single_file_output", false);
        payload.put("write_policy", policy);
        payload.put("parquet_options", TableOptions.writeOptions(contract));
        payload.put("replace_semantics", "COPY into a new generation directory, then one atomic pointer write"
                + " (pointers/<dataset>.json); DataFusion 55 has no INSERT OVERWRITE. A repository's write carries the"
                + " other files over by store copies (hard links locally, server-side copies on S3); an incremental one"
                + " rewrites only the files holding changed paths");
        return new TaskResult<>(result, List.of(
                Artifact.of("datafusion_" + prefix + "_output_writes_v1", contract, payload), constraints));
    }

    public static DatasetContract.Layout layout(DatasetContract contract, String name) {
        DatasetContract.Layout layout = contract.table().layouts().get(name);
        if (layout == null) {
            throw new IllegalArgumentException("dataset " + contract.name() + " has no layout '" + name + "' (layouts: "
                    + contract.table().layouts().keySet() + ")");
        }
        return layout;
    }

    /** Fails, naming the offending rows' sources, when a required or partition column is null. */
    private Artifact checkNonNull(MaterializeRequest request, DatasetContract.Layout layout) {
        DatasetContract contract = request.contract();
        ContractConstraints declared = ContractConstraints.of(contract);
        LinkedHashSet<String> columns = new LinkedHashSet<>(declared.requiredNonNull());
        columns.addAll(layout.partitionBy());
        String anyNull = columns.stream().map(c -> quote(c) + " IS NULL").collect(Collectors.joining(" OR "));
        String source = quote(request.sourceTable());
        long violations = ((Number) session.collect("SELECT count(*) FROM " + source + " WHERE " + anyNull).single())
                .longValue();
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("dataset", contract.name());
        payload.put("required_non_null", declared.requiredNonNull());
        payload.put("key_fields", declared.keyFields());
        payload.put("partition_columns", layout.partitionBy());
        payload.put("checked_columns", List.copyOf(columns));
        payload.put("violations", violations);
        payload.put("enforced_at", "materialization, before any file is written");
        payload.put("primary_key_enforced", false);
        Artifact artifact = Artifact.of("datafusion_" + contract.views().prefix() + "_constraints_v1", contract, payload);
        if (violations == 0) {
            return artifact;
        }
        String described = columns.stream().map(c -> "CAST(" + quote(c) + " AS VARCHAR) AS " + quote(c))
                .collect(Collectors.joining(", "));
        ResultTable sample = session.collect("SELECT " + described + " FROM " + source + " WHERE " + anyNull
                + " LIMIT " + SAMPLE);
        List<String> rows = new ArrayList<>();
        for (List<Object> row : sample.rows()) {
            List<String> nulls = new ArrayList<>();
            List<String> known = new ArrayList<>();
            for (int i = 0; i < row.size(); i++) {
                String column = sample.columnNames().get(i);
                if (row.get(i) == null) {
                    nulls.add(column);
                } else {
                    known.add(column + "=" + row.get(i));
                }
            }
            rows.add((known.isEmpty() ? "a row with no identity" : String.join(", ", known)) + " has null " + nulls);
        }
        throw new TaskFailedException("materialize " + contract.name() + ": " + violations
                + " row(s) of " + request.sourceTable() + " violate the non-null contract; nothing was written: "
                + String.join("; ", rows), List.of(artifact));
    }

    private MaterializeResult replace(MaterializeRequest request, LayoutCopy copy) {
        DatasetGenerations generations = new DatasetGenerations(session, request.lake(), request.contract().name());
        String generation = request.runId() + "-" + System.currentTimeMillis();
        LakeLocation target = generations.location(generation);
        if (request.repository().isEmpty()) {
            long rows = copy.run(session, target.url());
            List<StoredObject> files = session.listObjects(target.url());
            List<String> replaced = generations.commit(generation, request.runId(), rows, request.layout());
            return new MaterializeResult("copy", target.url(), generation, rows, files.size(),
                    files.stream().mapToLong(StoredObject::size).sum(), 0, replaced);
        }
        RepositoryWrite write = request.repository().get();
        // the files of a generation in another layout cannot be carried: that is a full rewrite
        Optional<DatasetGenerations.Committed> base = generations.current()
                .filter(c -> c.layoutOr(request.contract().table().defaultLayout()).equals(request.layout()));
        Optional<LakeLocation> from = base.map(c -> generations.location(c.generation()));
        base.ifPresent(c -> write.checkBase(request.contract().name() + " (Parquet generations)", c.generation()));
        if (write.incremental() && from.isEmpty()) {
            throw new TaskFailedException("materialize " + request.contract().name() + ": an incremental write of "
                    + write.repo() + " needs a committed generation in layout " + request.layout(), List.of());
        }
        RepositoryGeneration.Filled filled = new RepositoryGeneration(session, request.contract(), copy.layout())
                .fill(from, target, write, copy);
        List<String> replaced = generations.commit(generation, request.runId(), filled.rows(), request.layout());
        return new MaterializeResult(write.incremental() ? "merge" : "copy", target.url(), generation, filled.rows(),
                filled.writtenFiles(), filled.writtenBytes(), filled.carriedFiles(), replaced);
    }

    private MaterializeResult append(MaterializeRequest request) {
        DatasetContract contract = request.contract();
        DatasetGenerations generations = new DatasetGenerations(session, request.lake(), request.contract().name());
        DatasetGenerations.Committed current = generations.current().orElseThrow(() -> new TaskFailedException(
                "append to " + contract.name() + ": " + request.lake().dataset(contract.name()) + " has no committed generation to append to",
                List.of()));
        LakeLocation target = generations.location(current.generation());
        List<StoredObject> before = session.listObjects(target.url());
        // INSERT matches columns by position: the table has its file columns first, partitions last
        DatasetContract.Layout layout = layout(contract, request.layout());
        List<String> tableOrder = new ArrayList<>(contract.fileSchema(layout).getFields().stream().map(Field::getName).toList());
        tableOrder.addAll(layout.partitionBy());
        String columns = LayoutCopy.columnList(tableOrder);
        long rows = ((Number) session.collect("INSERT INTO " + quote(request.targetTable()) + " SELECT " + columns
                + " FROM " + quote(request.sourceTable())).single()).longValue();
        List<StoredObject> after = session.listObjects(target.url());
        java.util.Set<String> old = before.stream().map(StoredObject::path).collect(Collectors.toSet());
        List<StoredObject> added = after.stream().filter(o -> !old.contains(o.path())).toList();
        return new MaterializeResult("insert", target.url(), current.generation(), rows, added.size(),
                added.stream().mapToLong(StoredObject::size).sum(), before.size(), List.of());
    }
}
