package io.syntaxlake.routes.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.syntaxlake.engine.EngineException;
import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.QueryResult;
import io.syntaxlake.routes.run.ManifestStores;
import io.syntaxlake.routes.run.QueryableLake;
import io.syntaxlake.tasks.lake.Lake;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.PrintStream;

/** Prints SQL over a lake's manifest (manifest.runs, manifest.tasks, manifest.artifacts): `runs` and `artifacts`. */
@ApplicationScoped
public class ManifestQueries {
    @Inject
    ManifestStores stores;

    @Inject
    ObjectMapper json;

    /** Prints each query's result under its title; returns the rows of the first query. */
    long print(Lake lake, ResultFormat format, PrintStream out, String[] titles, String... queries) {
        ResultPrinter printer = new ResultPrinter(format, json, out);
        long firstRows = -1;
        try (EngineSession session = EngineSession.open()) {
            stores.forLake(lake).registerInto(session, QueryableLake.MANIFEST_SCHEMA);
            for (int i = 0; i < queries.length; i++) {
                if (format == ResultFormat.table && titles[i] != null) {
                    out.println(titles[i]);
                }
                try (QueryResult result = session.sql(queries[i])) {
                    long rows = printer.print(result);
                    if (firstRows < 0) {
                        firstRows = rows;
                    }
                }
            }
        } catch (EngineException e) {
            throw new IllegalStateException("reading the manifest of " + lake.root() + " failed: " + e.getMessage(), e);
        }
        out.flush();
        return firstRows;
    }
}
