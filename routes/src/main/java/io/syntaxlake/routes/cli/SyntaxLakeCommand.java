package io.syntaxlake.routes.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine.Command;

/** {@code ./syntaxlake <subcommand>}: the command-line face of the application. */
@TopCommand
@Command(name = "syntaxlake", mixinStandardHelpOptions = true,
        description = "Python syntax trees as validated, queryable lake tables.",
        subcommands = {SqlCommand.class, ExtractCommand.class})
public class SyntaxLakeCommand {
}
