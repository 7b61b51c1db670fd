package io.syntaxlake.routes.cli;

import org.eclipse.microprofile.config.ConfigProvider;
import picocli.CommandLine.IVersionProvider;

/** {@code ./syntaxlake --version}: the application's version, which Quarkus takes from the build. */
public class ApplicationVersion implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = ConfigProvider.getConfig()
                .getOptionalValue("quarkus.application.version", String.class).orElse("(unknown version)");
        return new String[] {"syntaxlake " + version};
    }
}
