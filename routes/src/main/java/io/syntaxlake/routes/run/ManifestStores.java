package io.syntaxlake.routes.run;

import io.syntaxlake.engine.SessionOptions;
import io.syntaxlake.routes.config.SyntaxLakeConfig;
import io.syntaxlake.tasks.lake.Lake;
import io.syntaxlake.tasks.manifest.DeltaManifestStore;
import io.syntaxlake.tasks.manifest.JdbcManifestStore;
import io.syntaxlake.tasks.manifest.ManifestStore;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The manifest store a run records into. By default each lake keeps its own manifest as Delta
 * tables under {@code <lake>/manifest/}; with {@code syntaxlake.manifest.kind=postgresql} every
 * run, whatever its lake, goes to one shared database. Stores are opened once and shared by
 * concurrent runs (they serialize their own writes).
 */
@ApplicationScoped
public class ManifestStores {
    private final SyntaxLakeConfig config;
    private final Map<String, ManifestStore> open = new ConcurrentHashMap<>();

    @Inject
    public ManifestStores(SyntaxLakeConfig config) {
        this.config = config;
    }

    public ManifestStore forLake(Lake lake) {
        SyntaxLakeConfig.Manifest manifest = config.manifest();
        return switch (manifest.kind()) {
            case "delta" -> open.computeIfAbsent("delta:" + lake.root().url(),
                    key -> DeltaManifestStore.open(lake, SessionOptions.defaults()));
            case "postgresql" -> open.computeIfAbsent("postgresql", key -> JdbcManifestStore.open(
                    manifest.jdbcUrl().orElseThrow(() -> new IllegalStateException(
                            "syntaxlake.manifest.kind=postgresql needs syntaxlake.manifest.jdbc-url")),
                    manifest.user().orElse(null), manifest.password().orElse(null)));
            default -> throw new IllegalStateException("syntaxlake.manifest.kind '" + manifest.kind()
                    + "' is not one of delta, postgresql");
        };
    }

    @PreDestroy
    void closeAll() {
        open.values().forEach(ManifestStore::close);
        open.clear();
    }
}
