package io.syntaxlake.routes.cli;

import picocli.CommandLine.Command;

/** {@code ./syntaxlake <subcommand>}: the command-line face of the application. */
@Command(name = "syntaxlake", mixinStandardHelpOptions = true, versionProvider = ApplicationVersion.class,
        description = "Python syntax trees as validated, queryable lake tables.",
        subcommands = {RunCommand.class, RunsCommand.class, ArtifactsCommand.class, SqlCommand.class,
                ExtractCommand.class, ServeCommand.class})
public class SyntaxLakeCommand {
}
