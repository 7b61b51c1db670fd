#!/usr/bin/env bash
# Proves the native build configuration without GraalVM: runs Quarkus' augmentation for a native
# executable with -Dquarkus.native.sources-only=true (target/native-sources/: native-image.args, the
# runner jar and lib/, exactly what `native-image @native-image.args` reads on a builder machine) and
# checks that what the engine and the application declare for native-image reaches that input.
# Exits non-zero when a check fails. Extra arguments go to Maven (for example -o).
# Needs the engine's native library built already (any ./mvnw package does that): the check must
# stay short, and a cold cargo build takes more than half an hour.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

cargo_target="${SYNTAXLAKE_CARGO_TARGET_DIR:-$HOME/.cache/syntaxlake/cargo-target}"
if [[ ! -f "$cargo_target/release/libsyntaxlake_engine.so" ]]; then
  echo "check-sources: $cargo_target/release/libsyntaxlake_engine.so is missing; build the engine first (./mvnw -B package -DskipTests)" >&2
  exit 2
fi

start=$SECONDS
# Only what this run writes counts: a native-sources/ left by an earlier build must not pass the checks.
rm -rf routes/target/native-sources
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! ./mvnw -B -Dskip.cargo=true -Dcargo.target.dir="$cargo_target" -DskipTests -Pnative \
     -Dquarkus.native.sources-only=true "$@" package -pl engine,tasks,routes >"$log" 2>&1; then
  tail -n 60 "$log" >&2
  echo "check-sources: the sources-only native build failed (full log above, last 60 lines)" >&2
  exit 1
fi
echo "check-sources: sources-only native build took $((SECONDS - start)) s"

python3 - routes/target/native-sources engine/src/main/resources/META-INF/native-image/io.syntaxlake/syntaxlake-engine <<'PY'
import re, shlex, sys, zipfile
from pathlib import Path

sources, config_dir = Path(sys.argv[1]), Path(sys.argv[2])
passed, failed = 0, 0

def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print(f"  ok    {what}")
    else:
        failed += 1
        print(f"  FAIL  {what}")
    return ok

def jar(pattern):
    found = sorted((sources / "lib").glob(pattern))
    check(len(found) == 1, f"lib/ holds exactly one {pattern}")
    return zipfile.ZipFile(found[0]) if found else None

args_file = sources / "native-image.args"
if not check(args_file.is_file(), f"{args_file} exists"):
    print(f"check-sources: {passed} passed, {failed} failed")
    sys.exit(1)
args = shlex.split(args_file.read_text())
version = (sources / "graalvm.version").read_text().strip() if (sources / "graalvm.version").is_file() else "?"
print(f"  (builder version Quarkus expects: {version})")

# Options the application sets for the builder (routes application.properties, native block).
check("-H:+JNIVerboseLookupErrors" in args, "native-image.args has -H:+JNIVerboseLookupErrors")
check("--no-fallback" in args, "native-image.args has --no-fallback (no JVM fallback image)")
# --exclude-config <jar regex> <resource regex>: Quarkus uses it to drop libraries' own configuration.
excluded = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--exclude-config"]
ours = [str(p) for p in (sources / "lib").glob("io.syntaxlake.*.jar")]
check(not any(re.search(p, jar_path) for p in excluded for jar_path in ours),
      "no --exclude-config drops our jars' META-INF/native-image")
runner_name = args[args.index("-jar") + 1] if "-jar" in args else ""
runner = zipfile.ZipFile(sources / runner_name) if (sources / runner_name).is_file() else None
check(runner is not None, f"the runner jar {runner_name} named by -jar exists")

# native-image reads META-INF/native-image/** from every jar on the runner's Class-Path.
class_path = ""
if runner:
    manifest = runner.read("META-INF/MANIFEST.MF").decode().replace("\r\n ", "").replace("\n ", "")
    class_path = next((l for l in manifest.splitlines() if l.startswith("Class-Path:")), "")
check(re.search(r"lib/io\.syntaxlake\.syntaxlake-engine-[^ ]+\.jar", class_path) is not None,
      "the runner's Class-Path names the engine jar")

engine = jar("io.syntaxlake.syntaxlake-engine-*.jar")
if engine:
    prefix = "META-INF/native-image/io.syntaxlake/syntaxlake-engine/"
    for name in ("jni-config.json", "reflect-config.json", "resource-config.json", "native-image.properties"):
        inside = engine.read(prefix + name) if prefix + name in engine.namelist() else None
        check(inside == (config_dir / name).read_bytes(), f"engine jar carries {prefix}{name} as in the sources")
    text = {n: engine.read(prefix + n).decode() for n in ("jni-config.json", "reflect-config.json",
            "resource-config.json", "native-image.properties") if prefix + n in engine.namelist()}
    jni, reflect = text.get("jni-config.json", ""), text.get("reflect-config.json", "")
    resources, props = text.get("resource-config.json", ""), text.get("native-image.properties", "")
    for cls in ("io.syntaxlake.engine.NativeBridge", "io.syntaxlake.engine.EngineException",
                "io.syntaxlake.engine.EnginePanicException", "org.apache.arrow.c.jni.PrivateData",
                "org.apache.arrow.c.ArrayStreamExporter$ExportedArrayStreamPrivateData"):
        check(f'"{cls}"' in jni, f"jni-config.json registers {cls}")
    for cls in ("org.apache.arrow.memory.netty.DefaultAllocationManagerFactory", "java.nio.Buffer",
                "java.nio.DirectByteBuffer"):
        check(f'"{cls}"' in reflect, f"reflect-config.json registers {cls}")
    runtime = re.findall(r"--initialize-at-run-time=(\S+)", props)
    runtime = {c for group in runtime for c in group.split(",")}
    for cls in ("io.syntaxlake.engine.NativeLibrary", "io.syntaxlake.engine.NativeBridge",
                "io.syntaxlake.engine.EngineSession", "org.apache.arrow.memory", "org.apache.arrow.c.jni.JniLoader"):
        check(cls in runtime, f"native-image.properties initializes {cls} at run time")
    check("native/linux-x86_64/libsyntaxlake_engine.so" in engine.namelist(),
          "engine jar bundles native/linux-x86_64/libsyntaxlake_engine.so")
    check("native/linux-x86_64/libsyntaxlake_engine.so" in resources, "resource-config.json includes the engine library")
    check("arrow_cdata_jni/x86_64/libarrow_cdata_jni.so" in resources, "resource-config.json includes Arrow's C Data library")
    check("contracts/" in resources and any(n.startswith("contracts/") and n.endswith(".json") for n in engine.namelist()),
          "engine jar bundles contracts/*.json and resource-config.json includes them")

cdata = jar("org.apache.arrow.arrow-c-data-*.jar")
if cdata:
    check("arrow_cdata_jni/x86_64/libarrow_cdata_jni.so" in cdata.namelist(),
          "arrow-c-data jar holds arrow_cdata_jni/x86_64/libarrow_cdata_jni.so")

tasks = jar("io.syntaxlake.syntaxlake-tasks-*.jar")
if tasks:
    check("python/syntaxlake_extract/__main__.py" in tasks.namelist(), "tasks jar bundles the Python extractor")
    check("python/syntaxlake_extract/_native_walk.abi3.so" in tasks.namelist(),
          "tasks jar bundles the extractor's native AST walker (tasks/native)")
if runner:
    generated = runner.read("META-INF/native-image/resource-config.json").decode()
    check('"python/.*"' in generated, "Quarkus' generated resource-config.json includes python/** (quarkus.native.resources.includes)")

print(f"check-sources: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
