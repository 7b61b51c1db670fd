package io.syntaxlake.routes.pipeline;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.SqlIdentifiers;
import io.syntaxlake.engine.contract.ContractLoader;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.Artifact;
import io.syntaxlake.tasks.core.TaskResult;
import io.syntaxlake.tasks.dataset.ColumnDefaultsTask;
import io.syntaxlake.tasks.dataset.CommittedIndex;
import io.syntaxlake.tasks.dataset.CreateViewsTask;
import io.syntaxlake.tasks.dataset.DatasetViews;
import io.syntaxlake.tasks.dataset.FeatureGates;
import io.syntaxlake.tasks.dataset.MaterializeRequest;
import io.syntaxlake.tasks.dataset.MaterializeResult;
import io.syntaxlake.tasks.dataset.MaterializeTask;
import io.syntaxlake.tasks.dataset.ParquetOptionsTask;
import io.syntaxlake.tasks.dataset.PrepareStatementsTask;
import io.syntaxlake.tasks.dataset.RegisterDatasetTask;
import io.syntaxlake.tasks.dataset.RegisterRequest;
import io.syntaxlake.tasks.dataset.RepositoryWrite;
import io.syntaxlake.tasks.dataset.ScanProjectionsTask;
import io.syntaxlake.tasks.dataset.SnapshotViewsTask;
import io.syntaxlake.tasks.dataset.SourceIndexes;
import io.syntaxlake.tasks.dataset.SpanAbiTask;
import io.syntaxlake.tasks.dataset.ValidateViewsTask;
import io.syntaxlake.tasks.dataset.VerifyPartitionsTask;
import io.syntaxlake.tasks.delta.DeltaLog;
import io.syntaxlake.tasks.delta.DeltaSelector;
import io.syntaxlake.tasks.delta.DeltaWriter;
import io.syntaxlake.tasks.delta.RegisterDeltaTask;
import io.syntaxlake.tasks.extract.ExtractKind;
import io.syntaxlake.tasks.extract.ExtractRequest;
import io.syntaxlake.tasks.extract.ExtractResult;
import io.syntaxlake.tasks.extract.ExtractTask;
import io.syntaxlake.tasks.extract.SourceChanges;
import io.syntaxlake.tasks.extract.SourceIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ast and cst pipelines: one DAG, driven by the dataset's contract.
 * <pre>
 * extract -> register -+-> validate -+-> materialize -> snapshot -> publish
 *                      +-> views ----+
 * </pre>
 * {@code extract} runs the Python extractor into staging Arrow IPC files (the contract's schema);
 * {@code register} registers the staging files and decides the feature gates; {@code validate}
 * checks span metadata and column defaults while {@code views} derives and validates the standard
 * views; {@code materialize} writes the lake table (a Parquet generation or a Delta commit)
 * without a sort, since the staging part files, read in name order, are in path order (one repo per run),
 * registers it and verifies it; {@code snapshot} records plans and DFSchema trees (diffed against
 * the last successful run), prepared statements and scan projections; {@code publish} records the
 * dataset's summary. The run's scratch directory (the staging files) goes when the run ends.
 *
 * <p>Runs are incremental where the table allows: {@code extract} reads the source index stored
 * with the repository's current version and extracts only added and changed files, and
 * {@code materialize} keeps every data file that holds none of the changed or deleted paths (see
 * {@link RepositoryWrite}). The checks read the staging, whose schema is the contract's whatever
 * it holds, so they come out as a full run's would. Parquet writes of one dataset must not run
 * concurrently (one writer per dataset, as {@code DatasetGenerations} says); a concurrent Delta
 * write of the same repository fails the later commit.
 */
public final class DatasetPipeline {
    static final String STAGING = "staging";

    static final RunContext.Key<ExtractResult> EXTRACTED = new RunContext.Key<>("extracted", ExtractResult.class);
    static final RunContext.Key<Path> SOURCE_INDEX = new RunContext.Key<>("source_index", Path.class);
    /** The table version whose source index the extraction compared the tree with. */
    static final RunContext.Key<String> KNOWN_VERSION = new RunContext.Key<>("known_version", String.class);
    static final RunContext.Key<FeatureGates.Decision> GATES = new RunContext.Key<>("gates", FeatureGates.Decision.class);
    @SuppressWarnings({"unchecked", "rawtypes"})
    static final RunContext.Key<List<DatasetViews.View>> VIEWS = new RunContext.Key<>("views", (Class) List.class);
    @SuppressWarnings({"unchecked", "rawtypes"})
    static final RunContext.Key<Map<String, Object>> WRITTEN = new RunContext.Key<>("written", (Class) Map.class);

    private final ExtractKind kind;
    private final DatasetContract contract;

    private DatasetPipeline(ExtractKind kind) {
        this.kind = kind;
        this.contract = ContractLoader.load(kind.dataset());
    }

    /** {@code ast-pipeline} or {@code cst-pipeline}. */
    public static PipelineDefinition of(ExtractKind kind) {
        DatasetPipeline p = new DatasetPipeline(kind);
        return new PipelineDefinition(kind.command() + "-pipeline",
                "extract " + kind.dataset() + " from a source tree and publish it to the lake", true, List.of(
                TaskStep.of("extract", p::extract),
                TaskStep.of("register", p::register, "extract"),
                TaskStep.of("validate", p::validate, "register"),
                TaskStep.of("views", p::views, "register"),
                TaskStep.of("materialize", p::materialize, "validate", "views"),
                TaskStep.of("snapshot", p::snapshot, "materialize"),
                TaskStep.of("publish", p::publish, "snapshot")));
    }

    private String artifactName(String what) {
        return "syntaxlake_" + contract.views().prefix() + "_" + what + "_v1";
    }

    private List<Artifact> extract(RunContext run) {
        PipelineRequest request = run.request();
        Path index = run.workDir().resolve(kind.dataset() + "-sources.arrow");
        ExtractRequest extract = ExtractRequest.of(kind, request.source().orElseThrow(),
                        run.workDir().resolve(kind.dataset()))
                .withRepo(request.repo()).withExcludes(request.excludes()).withSourceIndexIfPossible(index);
        Optional<Path> known = request.full() ? Optional.empty() : knownSources(run);
        if (known.isPresent()) {
            extract = extract.withKnownSources(known.get());
        }
        ExtractResult result = new ExtractTask().run(extract, (done, total) -> run.progress().files("extract", done, total));
        run.put(EXTRACTED, result);
        run.put(SOURCE_INDEX, index);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("dataset", contract.name());
        payload.put("source", request.source().orElseThrow().toString());
        payload.put("repo", request.repo());
        payload.put("files", result.files());
        payload.put("rows", result.rows());
        payload.put("error_rows", result.errorRows());
        payload.put("error_files", result.errorFiles());
        payload.put("source_bytes", result.bytes());
        payload.put("part_files", result.parts());
        payload.put("staging_format", result.staging().option());
        payload.put("staging_bytes", result.stagingBytes());
        payload.put("extractor_seconds", result.seconds());
        payload.put("source_revision", revisionOf(result));
        payload.put("sources", sourcesOf(result, request));
        return List.of(Artifact.of(artifactName("extract"), contract, payload));
    }

    /**
     * The sources the table holds for the repository, as the index committed with its current
     * version (the Parquet generation, or the Delta commit of the repository's output key): a file
     * in the run's scratch directory, or empty when there is none (a first run, a version from
     * before indexes were kept).
     */
    private Optional<Path> knownSources(RunContext run) {
        PipelineRequest request = run.request();
        Optional<CommittedIndex> committed = request.format() == OutputFormat.DELTA
                ? new DeltaWriter(run.session(), new DeltaLog(run.session()))
                        .committedIndex(request.lake().delta(contract.name()), request.repo())
                : SourceIndexes.ofGeneration(run.session(), request.lake(), contract, request.repo());
        return committed.map(index -> {
            Path known = run.workDir().resolve(kind.dataset() + "-known.arrow");
            run.put(KNOWN_VERSION, index.version());
            try {
                Files.write(known, index.bytes());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the known sources to " + known, e);
            }
            return known;
        });
    }

    /** How the run's tree differed from the table's sources, and whether the run was incremental. */
    private static Map<String, Object> sourcesOf(ExtractResult result, PipelineRequest request) {
        Map<String, Object> sources = new LinkedHashMap<>();
        SourceChanges changes = result.changes().orElse(new SourceChanges(result.files(), 0, 0, 0));
        sources.put("mode", changes.incremental() ? "incremental" : "full");
        sources.put("full_requested", request.full());
        sources.put("known_sources", changes.known());
        sources.put("added", changes.added());
        sources.put("changed", changes.changed());
        sources.put("deleted", changes.deleted());
        sources.put("reused", changes.unchanged());
        return sources;
    }

    /** The source's git commit and whether its tree was dirty; null outside a git work tree. */
    private static Map<String, Object> revisionOf(ExtractResult result) {
        return result.revision().map(r -> {
            Map<String, Object> revision = new LinkedHashMap<>();
            revision.put("commit", r.commit());
            revision.put("dirty", r.dirty());
            return revision;
        }).orElse(null);
    }

    private List<Artifact> register(RunContext run) {
        EngineSession session = run.session();
        session.execute("DROP TABLE IF EXISTS " + SqlIdentifiers.quote(STAGING));
        session.registerListingTable(run.get(EXTRACTED).stagingTable(STAGING, contract));
        TaskResult<FeatureGates.Decision> gates = new FeatureGates(session).run(contract);
        run.put(GATES, gates.value());
        return gates.artifacts();
    }

    private List<Artifact> validate(RunContext run) {
        List<Artifact> artifacts = new ArrayList<>();
        artifacts.addAll(new SpanAbiTask(run.session()).run(contract, STAGING, run.get(GATES)).artifacts());
        artifacts.addAll(new ColumnDefaultsTask(run.session()).run(contract, STAGING).artifacts());
        return artifacts;
    }

    private List<Artifact> views(RunContext run) {
        TaskResult<List<DatasetViews.View>> views = new CreateViewsTask(run.session()).run(contract, STAGING, run.get(GATES));
        List<Artifact> artifacts = new ArrayList<>(views.artifacts());
        artifacts.addAll(new ValidateViewsTask(run.session()).run(contract, views.value()).artifacts());
        run.put(VIEWS, views.value());
        return artifacts;
    }

    private List<Artifact> materialize(RunContext run) {
        PipelineRequest request = run.request();
        EngineSession session = run.session();
        List<Artifact> artifacts = new ArrayList<>();
        Map<String, Object> written = new LinkedHashMap<>();
        written.put("format", request.format().label());
        if (request.format() == OutputFormat.DELTA) {
            DeltaLog log = new DeltaLog(session);
            var location = request.lake().delta(contract.name());
            DeltaWriter.Committed committed = new DeltaWriter(session, log).sourceInLayoutOrder().writeRepository(contract,
                    contract.table().layout(), STAGING, location, repositoryWrite(run), run.runId());
            TaskResult<Long> registered = new RegisterDeltaTask(session, log)
                    .run(contract, location, DeltaSelector.latest(), contract.name());
            artifacts.addAll(registered.artifacts());
            written.put("location", location.url());
            written.put("delta_version", committed.version());
            written.put("rows", committed.rows());
            written.put("files", committed.files());
            written.put("bytes", committed.bytes());
            written.put("replaced_files", committed.removedFiles());
        } else {
            TaskResult<MaterializeResult> result = new MaterializeTask(session)
                    .run(MaterializeRequest.replace(contract, STAGING, request.lake(), run.runId())
                            .withSourceInLayoutOrder().forRepository(repositoryWrite(run)));
            artifacts.addAll(result.artifacts());
            artifacts.addAll(new RegisterDatasetTask(session)
                    .run(RegisterRequest.of(contract, request.lake()).withTable(contract.name())).artifacts());
            artifacts.addAll(new VerifyPartitionsTask(session)
                    .run(contract, contract.name(), contract.table().defaultLayout()).artifacts());
            artifacts.addAll(new ParquetOptionsTask(session).run(contract, request.lake()).artifacts());
            written.put("location", result.value().location());
            written.put("generation", result.value().generation());
            written.put("rows", result.value().rows());
            written.put("files", result.value().files());
            written.put("bytes", result.value().bytes());
            written.put("carried_files", result.value().carriedFiles());
        }
        run.put(WRITTEN, written);
        return artifacts;
    }

    /** The repository's rows to write: those of changed paths when the extraction was incremental, all otherwise. */
    private static RepositoryWrite repositoryWrite(RunContext run) {
        Path index = run.get(SOURCE_INDEX);
        boolean incremental = run.get(EXTRACTED).changes().map(SourceChanges::incremental).orElse(false);
        return incremental
                ? RepositoryWrite.changing(run.request().repo(), SourceIndex.droppedPaths(index, run.session().allocator()),
                        index, run.get(KNOWN_VERSION))
                : RepositoryWrite.replacing(run.request().repo(), Optional.of(index).filter(Files::isRegularFile));
    }

    private List<Artifact> snapshot(RunContext run) {
        EngineSession session = run.session();
        String dfschema = "datafusion_" + contract.views().prefix() + "_dfschema_v1";
        Map<String, String> previous = PreviousRuns.lastArtifact(run, dfschema)
                .map(SnapshotViewsTask::treesOf).orElse(Map.of());
        List<Artifact> artifacts = new ArrayList<>(new SnapshotViewsTask(session)
                .run(contract, run.get(VIEWS), previous).artifacts());
        artifacts.addAll(new PrepareStatementsTask(session).run(contract).artifacts());
        artifacts.addAll(new ScanProjectionsTask(session).run(contract, contract.name()).artifacts());
        return artifacts;
    }

    private List<Artifact> publish(RunContext run) {
        ExtractResult extracted = run.get(EXTRACTED);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("dataset", contract.name());
        payload.put("table", contract.name());
        payload.put("repo", run.request().repo());
        payload.putAll(run.get(WRITTEN));
        payload.put("source_files", extracted.files());
        payload.put("error_rows", extracted.errorRows());
        payload.put("error_files", extracted.errorFiles());
        payload.put("source_revision", revisionOf(extracted));
        payload.put("sources", sourcesOf(extracted, run.request()));
        payload.put("views", run.get(VIEWS).stream().map(DatasetViews.View::name).toList());
        payload.put("schema_identity_hash", contract.identityHash());
        return List.of(Artifact.of(artifactName("publish"), contract, payload));
    }
}
