package io.syntaxlake.routes.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.syntaxlake.engine.EngineException;
import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.QueryResult;
import io.syntaxlake.routes.run.ManifestStores;
import io.syntaxlake.routes.run.QueryableLake;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.lake.Lake;
import jakarta.inject.Inject;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./syntaxlake sql "<SQL>" ["<SQL>" ...] [--lake DIR] [--format table|csv|json]}: runs the
 * statements in order on one session and prints the result of each one that has columns (DDL has
 * none). With {@code --lake} the session first holds the whole lake (see {@link QueryableLake}).
 */
@Command(name = "sql", description = "Run SQL statements, in order, on one DataFusion session and print their results.")
public class SqlCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "SQL", description = "the statements to run, one per argument")
    List<String> statements;

    @Option(names = "--format", defaultValue = "table",
            description = "output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    ResultFormat format;

    @Option(names = "--lake", paramLabel = "DIR",
            description = "make a lake queryable first: its datasets, their views and manifest.runs/tasks/artifacts")
    String lake;

    @Inject
    ObjectMapper json;

    @Inject
    ManifestStores stores;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        ResultPrinter printer = new ResultPrinter(format, json, out);
        try (EngineSession session = EngineSession.open()) {
            if (lake != null) {
                Lake parsed = Lakes.parse(lake);
                QueryableLake.register(session, parsed, stores.forLake(parsed));
            }
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
        } catch (EngineException | TaskFailedException | IllegalArgumentException | IllegalStateException e) {
            out.flush();
            System.err.println("syntaxlake sql: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return 1;
        }
    }
}
