package io.syntaxlake.routes.run;

import io.syntaxlake.routes.config.SyntaxLakeConfig;
import io.syntaxlake.routes.pipeline.OutputFormat;
import io.syntaxlake.routes.pipeline.PipelineRequest;
import io.syntaxlake.tasks.lake.Lake;
import io.syntaxlake.tasks.lake.LakeLocation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Builds run requests that arrive from outside the operator's shell (REST, schedules): their
 * source and lake must lie under {@code syntaxlake.roots} (the working directory when unset),
 * checked on the real path so a symbolic link cannot lead out.
 */
@ApplicationScoped
public class RunRequests {
    private final SyntaxLakeConfig config;

    @Inject
    public RunRequests(SyntaxLakeConfig config) {
        this.config = config;
    }

    public List<Path> roots() {
        return config.roots().orElse(List.of(Path.of("").toAbsolutePath()));
    }

    public PipelineRequest request(String route, String source, String lake, String repo, String format,
                                   List<String> excludes, String trigger, boolean force, boolean full) {
        Optional<Path> sourceDir = Optional.ofNullable(source).map(this::underRoots);
        Lake target = lake(lake);
        return new PipelineRequest(route, sourceDir, target, repo == null ? PipelineRequest.defaultRepo(sourceDir) : repo,
                OutputFormat.parse(format == null ? "parquet" : format), excludes == null ? List.of() : excludes,
                trigger, force, full);
    }

    /** The named lake, or the configured one; local lakes must lie under the roots. */
    public Lake lake(String lake) {
        String text = lake == null ? config.lake() : lake;
        LakeLocation location = LakeLocation.parse(text, roots());
        location.localPath().filter(Files::exists).ifPresent(this::underRoots);
        return new Lake(location);
    }

    private Path underRoots(String text) {
        return underRoots(Path.of(text));
    }

    private Path underRoots(Path path) {
        Path real = path.toAbsolutePath().normalize();
        try {
            if (Files.exists(real)) {
                real = real.toRealPath();
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("location " + path + " cannot be resolved: " + e.getMessage());
        }
        LakeLocation.local(real, realRoots());
        return real;
    }

    private List<Path> realRoots() {
        return roots().stream().map(root -> {
            try {
                return Files.exists(root) ? root.toRealPath() : root.toAbsolutePath().normalize();
            } catch (IOException e) {
                return root.toAbsolutePath().normalize();
            }
        }).toList();
    }
}
