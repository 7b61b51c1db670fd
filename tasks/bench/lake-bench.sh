#!/usr/bin/env bash
# Sourced by the lake benchmarks (layouts.sh, delta.sh) from the repository root: extracts the
# standard library's ast_files_v1 rows into "$work/staging" and runs the benchmark class $1 of
# the tasks test sources with "$work/staging" "$work" "$rounds" "$iterations", its JSON lines
# going to "$work/results.jsonl". Expects $python, $work, $rounds and $iterations.
stdlib="$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
rm -rf "$work" && mkdir -p "$work"
./syntaxlake extract ast --source "$stdlib" --out "$work/staging" --repo cpython --exclude 'site-packages/*' > /dev/null
# one reactor build, so the tasks module resolves the engine from its target directories
./mvnw -B -q -pl engine,tasks -Dskip.cargo=true -DskipTests test-compile \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -Dmdep.outputFile=target/bench-classpath.txt
cp="tasks/target/test-classes:tasks/target/classes:$(cat tasks/target/bench-classpath.txt)"
java --add-opens=java.base/java.nio=ALL-UNNAMED -Xmx4g -cp "$cp" "io.syntaxlake.tasks.bench.$1" \
    "$work/staging" "$work" "$rounds" "$iterations" 2>/dev/null | tee "$work/results.jsonl"
