package io.syntaxlake.tasks.delta;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.ContractLoader;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.nio.file.Path;
import java.util.List;

import static io.syntaxlake.engine.SqlIdentifiers.literal;

/**
 * A writer process for the crash test: appends the rows of {@code source.parquet} to the Delta
 * table as one batch per commit, {@code rounds} times (forever when 0), printing each version it
 * committed. The test kills it at random points.
 */
public final class DeltaWriterProcess {
    private DeltaWriterProcess() {
    }

    public static void main(String[] args) {
        Path source = Path.of(args[0]);
        Path table = Path.of(args[1]);
        int rounds = Integer.parseInt(args[2]);
        DatasetContract contract = ContractLoader.load("ast_files_v1");
        try (EngineSession session = EngineSession.open()) {
            // plain Utf8, as the contract has it (DataFusion would read strings as Utf8View)
            session.execute("CREATE EXTERNAL TABLE src STORED AS PARQUET OPTIONS ('format.schema_force_view_types' 'false')"
                    + " LOCATION " + literal(source.toUri().toString()));
            DeltaWriter writer = new DeltaWriter(session, new DeltaLog());
            LakeLocation location = LakeLocation.local(table, List.of(table.getParent()));
            System.out.println("ready");
            System.out.flush();
            for (int i = 0; rounds == 0 || i < rounds; i++) {
                String key = "batch-" + ProcessHandle.current().pid() + "-" + i;
                var committed = writer.write(contract, contract.table().layout(), "src", location, key, true, key);
                System.out.println("committed " + committed.version());
                System.out.flush();
            }
        }
    }
}
