package io.syntaxlake.tasks.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The extractor package written out for the interpreter: the modules, and the native walker when bundled. */
class ExtractorPackageTest {

    @Test
    void writesTheModulesAndTheBundledNativeWalker() {
        Path pkg = ExtractorPackage.pythonPath().resolve(ExtractorPackage.PACKAGE);
        assertTrue(Files.isRegularFile(pkg.resolve("ast_rows.py")));
        boolean bundled = ExtractorPackage.class.getResource("/python/" + ExtractorPackage.PACKAGE + "/_native_walk.abi3.so") != null;
        assertEquals(bundled, Files.isRegularFile(pkg.resolve("_native_walk.abi3.so")));
    }

    @Test
    void writesEveryModuleOfTheSourcePackage() throws IOException {
        // a module added to the package but not to ExtractorPackage fails at import in the interpreter
        Path pkg = ExtractorPackage.pythonPath().resolve(ExtractorPackage.PACKAGE);
        List<String> modules;
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/python", ExtractorPackage.PACKAGE))) {
            modules = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".py")).sorted().toList();
        }
        assertTrue(modules.contains("cst_columns.py"), modules.toString());
        for (String module : modules) {
            assertTrue(Files.isRegularFile(pkg.resolve(module)), module + " is not in the written package");
        }
    }
}
