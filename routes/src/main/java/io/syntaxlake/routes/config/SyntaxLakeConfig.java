package io.syntaxlake.routes.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything under {@code syntaxlake.*} in the application's configuration (application.properties,
 * environment variables such as {@code SYNTAXLAKE_API_TOKEN}, system properties). Camel placeholders
 * that read these keys live here too: SmallRye refuses unmapped keys under a mapped prefix.
 */
@ConfigMapping(prefix = "syntaxlake")
public interface SyntaxLakeConfig {

    /** The lake that `serve`, the schedules and the REST API use unless a request names another. */
    @WithDefault("lake")
    String lake();

    /**
     * Where runs started over HTTP or by a schedule may read sources and write lakes. A location
     * outside every root is refused. The CLI is the operator's own hand and is not restricted.
     */
    Optional<List<Path>> roots();

    /** Scratch space for staging files (extracted NDJSON) of running pipelines. */
    Optional<Path> workDir();

    /**
     * Whether the Camel routes start with the application. {@code ./syntaxlake} turns them off
     * ({@code syntaxlake.routes-enabled=false}) for the commands that call no route.
     */
    @WithDefault("true")
    boolean routesEnabled();

    Tasks tasks();

    Engine engine();

    Api api();

    Schedules schedules();

    Manifest manifest();

    /** Retries, backoff and timeout of every task; one task's values can be overridden by its id. */
    interface Tasks {
        /** Further attempts after a transient failure (an I/O error, a lost write race). */
        @WithDefault("2")
        int retries();

        /** Delay before the first retry; it doubles with each further one. */
        @WithDefault("PT2S")
        Duration backoff();

        @WithDefault("PT1M")
        Duration maxBackoff();

        @WithDefault("PT2H")
        Duration timeout();

        /** Keyed by task id, e.g. {@code syntaxlake.tasks.overrides.extract.timeout=PT4H}. */
        Map<String, Override> overrides();

        interface Override {
            Optional<Integer> retries();

            Optional<Duration> timeout();
        }
    }

    /**
     * The engine session of every run. A row of ast_files_v1 or libcst_files_v1 is a whole source
     * file (thousands of nested nodes), so batches count few rows. A memory pool, when set, makes
     * sorts spill to the run's scratch directory instead of growing without bound.
     */
    interface Engine {
        /**
         * DataFusion's memory pool (fair, shared by the spilling operators), e.g. {@code 2G}; unset:
         * unbounded. It bounds what DataFusion tracks (sorts and aggregates, which then spill, the
         * Parquet writer's buffers), not the JSON decoding of staging rows. The materialize step
         * needs none: it copies the staging in its own order, one file row at a time.
         */
        Optional<String> memoryLimit();

        /** Rows per batch (datafusion.execution.batch_size): source files, for the datasets. */
        @WithDefault("16")
        int batchRows();

        /** The most spill files may take on disk. */
        @WithDefault("64G")
        String maxSpill();

        /**
         * Further datafusion.* settings of run sessions, keyed by the quoted setting name, e.g.
         * {@code syntaxlake.engine.settings."datafusion.execution.target_partitions"=4}.
         */
        Map<String, String> settings();
    }

    interface Api {
        /** The bearer token of the REST API; without one every request is refused. */
        Optional<String> token();

        /** Runs started over HTTP that may execute at once; more wait in line. */
        @WithDefault("1")
        int concurrentRuns();
    }

    interface Schedules {
        /** Off unless set; forced off for every command but `serve`. */
        @WithDefault("false")
        boolean enabled();

        /** Keyed by schedule name, e.g. {@code syntaxlake.schedules.jobs.nightly-ast.cron=0 0 2 * * ?}. */
        Map<String, Job> jobs();

        interface Job {
            /** A Quartz cron expression (seconds first), evaluated in UTC. */
            String cron();

            String route();

            Optional<String> source();

            Optional<String> lake();

            Optional<String> repo();

            @WithDefault("parquet")
            String format();
        }
    }

    interface Manifest {
        /** {@code delta}: tables under the lake (embedded); {@code postgresql}: a shared database. */
        @WithDefault("delta")
        String kind();

        Optional<String> jdbcUrl();

        Optional<String> user();

        Optional<String> password();
    }
}
