package io.syntaxlake.routes.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.syntaxlake.engine.EngineException;
import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.QueryResult;
import jakarta.inject.Inject;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./syntaxlake sql "<SQL>" ["<SQL>" ...] [--format table|csv|json]}: runs the statements
 * in order on one session and prints the result of each one that has columns (DDL has none).
 */
@Command(name = "sql", description = "Run SQL statements, in order, on one DataFusion session and print their results.")
public class SqlCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "SQL", description = "the statements to run, one per argument")
    List<String> statements;

    @Option(names = "--format", defaultValue = "table",
            description = "output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    ResultFormat format;

    @Inject
    ObjectMapper json;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        ResultPrinter printer = new ResultPrinter(format, json, out);
        try (EngineSession session = EngineSession.open()) {
            for (String sql : statements) {
                try (QueryResult result = session.sql(sql)) {
                    if (result.schema().getFields().isEmpty()) {
                        result.drain();
                    } else {
                        printer.print(result);
                    }
                }
            }
            out.flush();
            return 0;
        } catch (EngineException | IllegalArgumentException | IllegalStateException e) {
            out.flush();
            System.err.println("syntaxlake sql: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return 1;
        }
    }
}
