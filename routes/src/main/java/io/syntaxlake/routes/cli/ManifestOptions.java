package io.syntaxlake.routes.cli;

import io.syntaxlake.routes.config.SyntaxLakeConfig;
import io.syntaxlake.tasks.lake.Lake;
import picocli.CommandLine.Option;

/** The options of the commands that read a lake's manifest (`runs`, `artifacts`): which lake, how to print. */
public class ManifestOptions {

    @Option(names = "--lake", paramLabel = "DIR", description = "the lake (default: syntaxlake.lake)")
    String lake;

    @Option(names = "--format", defaultValue = "table", description = "output format: ${COMPLETION-CANDIDATES}")
    ResultFormat format;

    Lake lake(SyntaxLakeConfig config) {
        return Lakes.parse(lake == null ? config.lake() : lake);
    }
}
