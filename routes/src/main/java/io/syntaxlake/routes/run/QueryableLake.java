package io.syntaxlake.routes.run;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.ContractLoader;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.dataset.CreateViewsTask;
import io.syntaxlake.tasks.dataset.FeatureGates;
import io.syntaxlake.tasks.dataset.RegisterDatasetTask;
import io.syntaxlake.tasks.dataset.RegisterRequest;
import io.syntaxlake.tasks.delta.DeltaLog;
import io.syntaxlake.tasks.delta.DeltaSelector;
import io.syntaxlake.tasks.delta.RegisterDeltaTask;
import io.syntaxlake.tasks.extract.ExtractKind;
import io.syntaxlake.tasks.lake.DatasetGenerations;
import io.syntaxlake.tasks.lake.Lake;
import io.syntaxlake.tasks.manifest.ManifestStore;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a whole lake queryable in one session: each dataset the lake holds under its own name
 * (its Delta table when there is one, else its committed Parquet generation), the dataset's
 * standard views, and the manifest as {@code manifest.runs}, {@code manifest.tasks},
 * {@code manifest.artifacts}.
 */
public final class QueryableLake {
    public static final String MANIFEST_SCHEMA = "manifest";

    private QueryableLake() {
    }

    /** Registers everything; returns the dataset and view names registered. */
    public static List<String> register(EngineSession session, Lake lake, ManifestStore manifest) {
        List<String> names = new ArrayList<>();
        DeltaLog log = new DeltaLog(session);
        for (ExtractKind kind : ExtractKind.values()) {
            DatasetContract contract = ContractLoader.load(kind.dataset());
            String table = contract.name();
            if (log.exists(lake.delta(table))) {
                new RegisterDeltaTask(session, log).run(contract, lake.delta(table), DeltaSelector.latest(), table);
            } else if (new DatasetGenerations(session, lake, table).current().isPresent()) {
                new RegisterDatasetTask(session).run(RegisterRequest.of(contract, lake).withTable(table));
            } else {
                continue;
            }
            names.add(table);
            FeatureGates.Decision gates = new FeatureGates(session).run(contract).value();
            new CreateViewsTask(session).run(contract, table, gates).value().forEach(view -> names.add(view.name()));
        }
        manifest.registerInto(session, MANIFEST_SCHEMA);
        return names;
    }
}
