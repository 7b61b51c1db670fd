package io.syntaxlake.tasks.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.ListingTableSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** View plans and DFSchema snapshots, and the diff of a second run against the first. */
class SnapshotViewsTest {

    @Test
    void aSecondRunReportsNullabilityAndNameChanges(@TempDir Path tmp) throws Exception {
        ExtractedFixture fixture = ExtractedFixture.create(tmp);
        Map<String, String> first;
        try (EngineSession session = EngineSession.open()) {
            fixture.registerStaging(session);
            FeatureGates.Decision gates = new FeatureGates(session).run(fixture.contract).value();
            var views = new CreateViewsTask(session).run(fixture.contract, ExtractedFixture.STAGING, gates).value();
            var snapshot = new SnapshotViewsTask(session).run(fixture.contract, views, Map.of());
            assertTrue(snapshot.value().changes().isEmpty());
            var plans = snapshot.artifact("datafusion_ast_view_plans_v1").orElseThrow();
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> planList = (List<Map<String, Object>>) plans.payload().get("views");
            assertEquals(12, planList.size());
            assertTrue(planList.get(0).get("logical_plan").toString().contains("Unnest"), planList.get(0).toString());
            first = SnapshotViewsTask.treesOf(snapshot.artifact("datafusion_ast_dfschema_v1").orElseThrow());
            assertTrue(first.get("ast_nodes").contains("ast_nodes.path: utf8 (nullable = false)"), first.get("ast_nodes"));

            // an unchanged rerun has nothing to report
            assertTrue(new SnapshotViewsTask(session).run(fixture.contract, views, first).value().changes().isEmpty());
        }
        Schema loose = new Schema(fixture.contract.schema().getFields().stream()
                .map(f -> f.getName().equals("path") ? new Field("path", FieldType.nullable(f.getType()), List.of()) : f)
                .toList(), fixture.contract.schema().getCustomMetadata());
        try (EngineSession session = EngineSession.open()) {
            session.registerListingTable(ListingTableSpec.plain("loose", fixture.extract.output().toUri().toString(),
                    fixture.extract.staging().listingFormat(), loose));
            FeatureGates.Decision gates = new FeatureGates(session).run(fixture.contract).value();
            var views = new CreateViewsTask(session).run(fixture.contract, "loose", gates).value();
            session.execute("CREATE OR REPLACE VIEW ast_type_ignores AS SELECT file_id, path FROM loose");
            List<String> changes = new SnapshotViewsTask(session).run(fixture.contract, views, first).value().changes();
            assertTrue(changes.contains("ast_nodes: ast_nodes.path changed from utf8 (nullable = false) to utf8 (nullable = true)"),
                    changes.toString());
            assertTrue(changes.stream().anyMatch(c -> c.startsWith("ast_type_ignores: ast_type_ignores.tag removed")),
                    changes.toString());
        }
    }
}
