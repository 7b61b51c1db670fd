package io.syntaxlake.tasks.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.TaskFailedException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Typed prepared lookups: same rows as the direct query; a parameter type that contradicts its column fails. */
class PrepareStatementsTest {

    @Test
    void preparedLookupsAnswerLikeTheDirectQueryAndWrongTypesFail(@TempDir Path tmp) throws Exception {
        ExtractedFixture fixture = ExtractedFixture.create(tmp);
        try (EngineSession session = EngineSession.open()) {
            fixture.registerStaging(session);
            FeatureGates.Decision gates = new FeatureGates(session).run(fixture.contract).value();
            new CreateViewsTask(session).run(fixture.contract, ExtractedFixture.STAGING, gates);
            var prepared = new PrepareStatementsTask(session).run(fixture.contract);
            assertEquals(List.of("ast_nodes_by_file", "ast_defs_by_file", "ast_calls_by_file"), prepared.value());
            assertEquals("datafusion_prepared_statements_v1", prepared.artifacts().get(0).name());

            String fileId = (String) session.collect("SELECT file_id FROM " + ExtractedFixture.STAGING
                    + " WHERE path = 'pkg/b.py'").single();
            var direct = session.collect("SELECT * FROM ast_defs WHERE file_id = '" + fileId + "'");
            var executed = session.collect("EXECUTE ast_defs_by_file('" + fileId + "')");
            assertEquals(2, direct.rowCount());
            assertEquals(direct.rows().toString(), executed.rows().toString());
        }
        DatasetContract.ViewSpec views = fixture.contract.views();
        DatasetContract wrong = new DatasetContract(fixture.contract.name(), fixture.contract.version(),
                fixture.contract.description(), fixture.contract.schema(), fixture.contract.table(),
                fixture.contract.requiredFunctions(), fixture.contract.featureMinVersions(),
                new DatasetContract.ViewSpec(views.prefix(), views.identity(), views.lists(), views.typedAttrs(),
                        views.attrViews(), views.recordColumn(),
                        Map.of("ast_defs_by_id", new DatasetContract.PreparedLookup("ast_defs", "file_id", "Int64"))));
        try (EngineSession session = EngineSession.open()) {
            fixture.registerStaging(session);
            new CreateViewsTask(session).run(wrong, ExtractedFixture.STAGING, new FeatureGates(session).run(wrong).value());
            TaskFailedException failure = assertThrows(TaskFailedException.class,
                    () -> new PrepareStatementsTask(session).run(wrong));
            assertTrue(failure.getMessage().contains("ast_defs_by_id: parameter type Int64 but ast_defs.file_id is Utf8"),
                    failure.getMessage());
        }
    }
}
