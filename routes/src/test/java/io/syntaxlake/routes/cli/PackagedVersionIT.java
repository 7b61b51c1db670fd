package io.syntaxlake.routes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainIntegrationTest;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code ./syntaxlake --version} names the version the application was built as (the pom's). */
@QuarkusMainIntegrationTest
class PackagedVersionIT {

    @Test
    void printsTheBuiltVersion(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("--version");
        assertEquals(0, result.exitCode(), result.getErrorOutput());
        assertEquals(List.of("syntaxlake " + System.getProperty("syntaxlake.expected-version")),
                result.getOutputStream());
    }
}
