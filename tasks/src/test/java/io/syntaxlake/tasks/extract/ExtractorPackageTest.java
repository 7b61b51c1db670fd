package io.syntaxlake.tasks.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
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
}
