package io.syntaxlake.routes.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small real Python source trees for route tests: valid modules, a package, and one file CPython cannot parse. */
public final class PythonTrees {
    private PythonTrees() {
    }

    /** Writes the tree under {@code dir}; returns the number of *.py files (3 parse, 1 does not). */
    public static int write(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("pkg"));
        Files.writeString(dir.resolve("app.py"), """
                import os
                from pkg import util as u

                class Greeter:
                    \"\"\"Says hello.\"\"\"

                    def greet(self, name: str) -> str:
                        return f"hello {name}"

                def main():
                    print(Greeter().greet(os.getcwd()))
                """, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("pkg/__init__.py"), "from .util import *\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("pkg/util.py"), """
                import asyncio

                async def fetch(n):
                    if (m := n * 2) > 3:
                        return m
                    await asyncio.sleep(0)

                def größe(x):  # non-ASCII identifier
                    return len(x)
                """, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("pkg/broken.py"), "def oops(:\n    pass\n", StandardCharsets.UTF_8);
        return 4;
    }
}
