package io.syntaxlake.tasks.delta;

import io.delta.kernel.Snapshot;
import io.syntaxlake.tasks.core.Artifact;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.core.TaskResult;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Removes the data files of a Delta table that its latest snapshot does not reference and that
 * are older than the retention: the files of writers killed before their commit, and files
 * replaced or removed by later commits. Like Delta's VACUUM, it ends time travel to versions
 * that needed those files. The retention keeps the files a running writer has written but not
 * committed yet; below {@link #MINIMUM_RETENTION} it is refused unless {@code force}. Recorded as
 * {@code datafusion_delta_vacuum_v1}.
 */
public final class DeltaVacuumTask {
    public static final Duration MINIMUM_RETENTION = Duration.ofHours(1);

    private final DeltaLog log;

    public DeltaVacuumTask(DeltaLog log) {
        this.log = log;
    }

    /** Deletes the unreferenced files older than {@code retention}; returns their URLs. */
    public TaskResult<List<String>> run(LakeLocation table, Duration retention, boolean force, boolean dryRun) {
        if (retention.compareTo(MINIMUM_RETENTION) < 0 && !force) {
            throw new TaskFailedException("vacuum " + table + ": a retention of " + retention + " could delete the files of a"
                    + " writer that has not committed yet; the minimum is " + MINIMUM_RETENTION, List.of());
        }
        Path root = table.localPath().orElseThrow(() -> new TaskFailedException(
                "vacuum " + table + ": only local Delta tables are supported", List.of()));
        Snapshot snapshot = log.snapshot(table, DeltaSelector.latest());
        Set<Path> referenced = log.files(snapshot).stream()
                .map(f -> Path.of(java.net.URI.create(f.url())).toAbsolutePath().normalize()).collect(Collectors.toSet());
        Instant cutoff = Instant.now().minus(retention);
        List<String> deleted = new ArrayList<>();
        long bytes = 0;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                Path relative = root.relativize(file);
                boolean logOrHidden = relative.getName(0).toString().equals("_delta_log")
                        || relative.getFileName().toString().startsWith(".")
                        || !relative.getFileName().toString().endsWith(".parquet");
                if (logOrHidden || referenced.contains(file.toAbsolutePath().normalize())
                        || Files.getLastModifiedTime(file).toInstant().isAfter(cutoff)) {
                    continue;
                }
                bytes += Files.size(file);
                deleted.add(file.toUri().toString());
                if (!dryRun) {
                    Files.delete(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("vacuum " + table + ": " + e.getMessage(), e);
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("path", table.url());
        payload.put("delta_version", snapshot.getVersion());
        payload.put("retention", retention.toString());
        payload.put("dry_run", dryRun);
        payload.put("referenced_files", referenced.size());
        payload.put("deleted_files", deleted);
        payload.put("deleted_bytes", bytes);
        return new TaskResult<>(deleted, List.of(Artifact.of("datafusion_delta_vacuum_v1", null, payload)));
    }
}
