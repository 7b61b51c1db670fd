package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.ContractLoader;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.extract.ExtractKind;
import io.syntaxlake.tasks.extract.ExtractRequest;
import io.syntaxlake.tasks.extract.ExtractResult;
import io.syntaxlake.tasks.extract.ExtractTask;
import io.syntaxlake.tasks.extract.StagingFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A small real source tree, extracted with the AST extractor and registered as a staging table. */
public final class ExtractedFixture {
    public static final String STAGING = "staging_ast";

    public final DatasetContract contract = ContractLoader.load("ast_files_v1");
    public final ExtractResult extract;
    private final ExtractRequest request;

    private ExtractedFixture(ExtractRequest request, ExtractResult extract) {
        this.request = request;
        this.extract = extract;
    }

    public static ExtractedFixture create(Path tmp) throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src/pkg"));
        Files.writeString(source.resolve("a.py"), """
                \"\"\"Module a.\"\"\"
                import os
                from .b import helper as h

                @staticmethod
                def run(x, *, y=2):
                    \"\"\"Run it.\"\"\"
                    return h(os.path.join(x, str(y)))
                """, StandardCharsets.UTF_8);
        Files.writeString(source.resolve("b.py"), """
                class Helper(Base, metaclass=Meta):
                    def helper(self, z):
                        return [i * 2 for i in range(z)]  # type: ignore
                """, StandardCharsets.UTF_8);
        Files.writeString(source.resolve("broken.py"), "def broken(:\n", StandardCharsets.UTF_8);
        ExtractRequest request = ExtractRequest.of(ExtractKind.AST, tmp.resolve("src"), tmp.resolve("staging/ast"))
                .withRepo("fixture");
        return new ExtractedFixture(request, new ExtractTask().run(request));
    }

    /** The same rows as NDJSON text in {@code output}: a staging whose schema comes from the reader alone. */
    public ExtractResult extractAsNdjson(Path output) {
        return new ExtractTask().run(new ExtractRequest(request.kind(), request.source(), output, request.repo(),
                request.excludes(), request.workers(), request.maxFileBytes(), request.python(), StagingFormat.NDJSON));
    }

    public void registerStaging(EngineSession session) {
        session.registerListingTable(extract.stagingTable(STAGING, contract));
    }
}
