package io.syntaxlake.tasks.manifest;

import io.syntaxlake.engine.EngineException;
import io.syntaxlake.engine.EngineSession;
import java.util.List;

/** The engine session's default catalog, where unqualified schemas live. */
final class EngineCatalogs {
    private static final String DATAFUSION_DEFAULT = "datafusion";

    private EngineCatalogs() {
    }

    /** The session's {@code datafusion.catalog.default_catalog}; DataFusion's default when information_schema is off. */
    static String defaultCatalog(EngineSession session) {
        try {
            List<Object> values = session.collect("SELECT value FROM information_schema.df_settings"
                    + " WHERE name = 'datafusion.catalog.default_catalog'").column("value");
            return values.isEmpty() || values.get(0) == null ? DATAFUSION_DEFAULT : (String) values.get(0);
        } catch (EngineException e) {
            return DATAFUSION_DEFAULT;
        }
    }
}
