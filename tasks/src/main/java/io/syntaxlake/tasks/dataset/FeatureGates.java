package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.Artifact;
import io.syntaxlake.tasks.core.TaskResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * AST/CST plan scope 10: the engine version, read with {@code SELECT version()} (the version the
 * session really runs, not a build constant), against the minimum version of each optional
 * feature in the contract. A feature is enabled when the version is known and high enough;
 * an unparsable version blocks every optional feature. Recorded as
 * {@code datafusion_<prefix>_feature_gates_v1}.
 */
public final class FeatureGates {
    private final EngineSession session;

    public FeatureGates(EngineSession session) {
        this.session = session;
    }

    /** The decision: which optional features this engine may use. */
    public record Decision(String reportedVersion, EngineVersion version, Map<String, Boolean> enabled) {
        public boolean allows(String feature) {
            return enabled.getOrDefault(feature, false);
        }
    }

    public TaskResult<Decision> run(DatasetContract contract) {
        String reported = String.valueOf(session.collect("SELECT version() AS v").single());
        EngineVersion version;
        try {
            version = EngineVersion.parse(reported);
        } catch (IllegalArgumentException e) {
            version = null;
        }
        Map<String, Boolean> enabled = new TreeMap<>();
        List<String> disabled = new ArrayList<>();
        for (Map.Entry<String, String> feature : new TreeMap<>(contract.featureMinVersions()).entrySet()) {
            boolean on = version != null && version.compareTo(EngineVersion.parse(feature.getValue())) >= 0;
            enabled.put(feature.getKey(), on);
            if (!on) {
                disabled.add(feature.getKey());
            }
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("datafusion_version", reported);
        payload.put("datafusion_version_source", "sql");
        payload.put("datafusion_version_major", version == null ? null : version.major());
        payload.put("minimum_versions", new TreeMap<>(contract.featureMinVersions()));
        payload.put("enabled", enabled);
        payload.put("disabled_features", disabled);
        payload.put("blocked_by_version", version == null);
        Decision decision = new Decision(reported, version, Map.copyOf(enabled));
        return new TaskResult<>(decision, List.of(
                Artifact.of("datafusion_" + contract.views().prefix() + "_feature_gates_v1", contract, payload)));
    }
}
