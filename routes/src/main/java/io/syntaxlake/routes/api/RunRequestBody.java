package io.syntaxlake.routes.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** The JSON body of {@code POST /api/runs}; {@code full} asks for a full (not incremental) run. */
@RegisterForReflection
public record RunRequestBody(String route, String source, String lake, String repo, String format,
                             List<String> excludes, Boolean force, Boolean full) {
}
