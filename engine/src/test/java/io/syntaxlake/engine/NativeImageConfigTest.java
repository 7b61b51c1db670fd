package io.syntaxlake.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;

/**
 * The native-image configuration in
 * {@code src/main/resources/META-INF/native-image/io.syntaxlake/syntaxlake-engine/} is the one list
 * of what a native build must register for the engine. No native image is built in CI, so nothing
 * else would notice when it drifts from the code: this test reads the Rust bridge's sources, the
 * Java classes, Arrow's C Data library and the packaged resources, and fails on every JNI lookup,
 * resource or static native state the configuration does not cover, and on entries nothing uses.
 */
class NativeImageConfigTest {
    private static final String CONFIG = "META-INF/native-image/io.syntaxlake/syntaxlake-engine/";
    /** Surefire runs in the module's base directory (engine/). */
    private static final Path RUST_SOURCES = Path.of("native", "src");
    private static final Path JAVA_SOURCES = Path.of("src", "main", "java");
    private static final Path CONTRACTS = Path.of("..", "config", "contracts");
    /** The platform of the native images we describe (and of the library bundled in the engine jar). */
    private static final String IMAGE_PLATFORM = "linux-x86_64";
    private static final String ARROW_CDATA_LIBRARY = "arrow_cdata_jni/x86_64/libarrow_cdata_jni.so";
    private static final String OUR_PACKAGE = "io.syntaxlake.";

    /** A class named in JNI's slash form inside a string literal: {@code "java/lang/String"}. */
    private static final Pattern JNI_CLASS_LITERAL =
            Pattern.compile("\"([a-z][a-z0-9_]*(?:/[a-z][a-z0-9_]*)*/[A-Z][A-Za-z0-9_$]*)\"");
    private static final Pattern THROW_NEW_LITERAL = Pattern.compile("throw_new\\(\\s*\"([^\"]+)\"");
    private static final Pattern EXPORTED_FUNCTION = Pattern.compile("\\bfn\\s+Java_([A-Za-z0-9_]+)\\s*[<(]");
    /** errors.rs: the package of every exception it throws, and the exceptions' simple names. */
    private static final Pattern EXCEPTION_PACKAGE = Pattern.compile("const PACKAGE: &str = \"([a-z0-9_/]+/)\";");
    private static final Pattern EXCEPTION_NAME = Pattern.compile("\"(Engine[A-Za-z]*Exception)\"");
    /** What a native library looks up by name: the class strings compiled into it. */
    private static final Pattern LIBRARY_CLASS_STRING =
            Pattern.compile("[a-z][a-z0-9_]*(?:/[a-z][a-z0-9_]*)+/[A-Z][A-Za-z0-9_]*(?:\\$[A-Za-z0-9_]+)*");

    /**
     * Third-party classes whose static state must not be captured at build time (jvm-stack.md 3.4):
     * Unsafe offsets, the cached allocation manager, the pooled Netty allocator, the C Data loader.
     */
    private static final List<String> THIRD_PARTY_RUNTIME_STATE = List.of(
            "org.apache.arrow.memory.util.MemoryUtil",
            "org.apache.arrow.memory.DefaultAllocationManagerOption",
            "org.apache.arrow.memory.BaseAllocator",
            "org.apache.arrow.memory.netty.NettyAllocationManager",
            "io.netty.buffer.PooledByteBufAllocatorL",
            "org.apache.arrow.c.jni.JniLoader");
    /** Static field types that mean native memory, a thread or a loaded library in a class's state. */
    private static final List<Class<?>> RUNTIME_STATE_TYPES =
            List.of(BufferAllocator.class, Cleaner.class, Thread.class, ExecutorService.class);

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyRustExportIsANativeMethodOfARegisteredClassAndBack() throws IOException {
        Set<String> exported = new TreeSet<>();
        Matcher m = EXPORTED_FUNCTION.matcher(rustSources());
        while (m.find()) {
            exported.add(demangle(m.group(1)));
        }
        assertFalse(exported.isEmpty(), "no Java_* exports found in " + RUST_SOURCES.toAbsolutePath());

        Set<String> declared = new TreeSet<>();
        for (Class<?> type : engineClasses()) {
            for (Method method : type.getDeclaredMethods()) {
                if (Modifier.isNative(method.getModifiers())) {
                    declared.add(type.getName() + "#" + method.getName());
                }
            }
        }
        assertEquals(declared, exported, "Java native methods and Rust Java_* exports differ");

        Map<String, JsonNode> jni = entries("jni-config.json");
        for (String method : declared) {
            String owner = method.substring(0, method.indexOf('#'));
            assertTrue(jni.containsKey(owner), owner + " declares native methods but is not in jni-config.json");
        }
    }

    @Test
    void everyClassTheRustSideLooksUpIsRegistered() throws IOException {
        Map<String, JsonNode> jni = entries("jni-config.json");
        String rust = rustSources();
        Set<String> named = new TreeSet<>();
        Matcher literal = JNI_CLASS_LITERAL.matcher(rust);
        while (literal.find()) {
            named.add(literal.group(1).replace('/', '.'));
        }
        Set<String> thrown = thrownClasses();
        named.addAll(thrown);
        assertTrue(named.contains("java.lang.String"), "the class-literal scan found nothing it should: " + named);
        for (String name : named) {
            assertTrue(jni.containsKey(name), name + " is looked up by the Rust bridge but missing from jni-config.json");
        }
        // JNI's ThrowNew builds the exception through its (String) constructor, looked up like any method.
        for (String name : thrown) {
            assertTrue(registersMethod(jni.get(name), "<init>", List.of("java.lang.String")),
                    name + " is thrown with ThrowNew: register its <init>(java.lang.String)");
            Class<?> type = load(name);
            assertTrue(Throwable.class.isAssignableFrom(type), name + " is thrown but is not a Throwable");
            assertNoThrow(() -> type.getConstructor(String.class), name + " has no public (String) constructor");
        }
    }

    @Test
    void jniConfigHasNoEntryForOurClassesThatNothingUses() throws IOException {
        Set<String> used = new TreeSet<>(thrownClasses());
        for (Class<?> type : engineClasses()) {
            if (Arrays.stream(type.getDeclaredMethods()).anyMatch(method -> Modifier.isNative(method.getModifiers()))) {
                used.add(type.getName());
            }
        }
        for (String name : entries("jni-config.json").keySet()) {
            if (name.startsWith(OUR_PACKAGE)) {
                assertTrue(used.contains(name), name + " is in jni-config.json but declares no native method and is"
                        + " never thrown by the Rust bridge");
            }
        }
    }

    @Test
    void arrowCDataLookupsMatchItsLibrary() throws IOException {
        Set<String> strings = printableStrings(resourceBytes(ARROW_CDATA_LIBRARY));
        Set<String> classes = new TreeSet<>();
        for (String s : strings) {
            if (LIBRARY_CLASS_STRING.matcher(s).matches()) {
                classes.add(s.replace('/', '.'));
            }
        }
        assertTrue(classes.contains("org.apache.arrow.c.jni.PrivateData"), "unexpected library strings: " + classes);
        Map<String, JsonNode> jni = entries("jni-config.json");
        for (String name : classes) {
            assertTrue(jni.containsKey(name), ARROW_CDATA_LIBRARY + " looks up " + name + ": add it to jni-config.json");
        }
        // Every Arrow member we register must still be looked up by the library (names survive in it).
        for (Map.Entry<String, JsonNode> entry : jni.entrySet()) {
            if (!entry.getKey().startsWith("org.apache.arrow.")) {
                continue;
            }
            assertTrue(classes.contains(entry.getKey()), entry.getKey() + " is registered but "
                    + ARROW_CDATA_LIBRARY + " no longer names it");
            for (String member : memberNames(entry.getValue())) {
                assertTrue(strings.contains(member), entry.getKey() + "#" + member + " is registered but "
                        + ARROW_CDATA_LIBRARY + " never names it");
            }
        }
    }

    @Test
    void everyRegisteredClassAndMemberExists() throws IOException {
        for (String file : List.of("jni-config.json", "reflect-config.json")) {
            for (Map.Entry<String, JsonNode> entry : entries(file).entrySet()) {
                Class<?> type = load(entry.getKey());
                List<String> missing = new ArrayList<>();
                List<String> listed = new ArrayList<>();
                for (JsonNode field : entry.getValue().path("fields")) {
                    String name = field.get("name").asText();
                    listed.add(name);
                    if (Arrays.stream(type.getDeclaredFields()).noneMatch(f -> f.getName().equals(name))) {
                        missing.add(name);
                    }
                }
                for (JsonNode method : entry.getValue().path("methods")) {
                    String name = method.get("name").asText();
                    List<String> parameters = new ArrayList<>();
                    method.get("parameterTypes").forEach(p -> parameters.add(p.asText()));
                    listed.add(name + parameters);
                    if (!hasMethod(type, name, parameters)) {
                        missing.add(name + parameters);
                    }
                }
                if (isJdk(entry.getKey())) {
                    // JDK internals differ between releases (DirectByteBuffer's constructor takes an int
                    // capacity on 17 and a long on 21): one of the alternatives must exist here.
                    assertTrue(listed.isEmpty() || missing.size() < listed.size(),
                            file + ": none of " + listed + " exists in " + entry.getKey());
                } else {
                    assertEquals(List.of(), missing, file + ": members of " + entry.getKey() + " that do not exist");
                }
            }
        }
    }

    @Test
    void resourcesCoverWhatTheEngineAndArrowLoad() throws IOException {
        List<Pattern> includes = new ArrayList<>();
        for (JsonNode include : config("resource-config.json").path("resources").path("includes")) {
            includes.add(Pattern.compile(include.get("pattern").asText()));
        }
        List<String> needed = new ArrayList<>();
        // NativeLibrary.loadFromJar: /native/<platform>/<mapped library name>.
        needed.add("native/" + IMAGE_PLATFORM + "/lib" + NativeLibrary.NAME + ".so");
        needed.add(ARROW_CDATA_LIBRARY);
        // Arrow's CheckAllocator finds the allocation manager by this class file, as a resource.
        needed.add("org/apache/arrow/memory/netty/DefaultAllocationManagerFactory.class");
        // ContractLoader.load: /contracts/<dataset>.json, one per file of config/contracts.
        try (Stream<Path> files = Files.list(CONTRACTS)) {
            List<String> contracts = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> "contracts/" + n).sorted().toList();
            assertFalse(contracts.isEmpty(), "no contracts in " + CONTRACTS.toAbsolutePath());
            needed.addAll(contracts);
        }
        for (String resource : needed) {
            assertNotNull(getClass().getClassLoader().getResource(resource), resource + " is not on the classpath");
            assertTrue(includes.stream().anyMatch(p -> p.matcher(resource).matches()),
                    resource + " is loaded at run time but no pattern of resource-config.json includes it");
        }
        for (Pattern include : includes) {
            assertTrue(needed.stream().anyMatch(r -> include.matcher(r).matches()),
                    "resource-config.json includes " + include + ", which nothing here loads");
        }
    }

    @Test
    void classesWithNativeStateAreInitializedAtRunTime() throws IOException {
        List<String> runtime = runtimeInitialized();
        Map<String, String> needed = new TreeMap<>();
        for (Class<?> type : engineClasses()) {
            if (Arrays.stream(type.getDeclaredMethods()).anyMatch(m -> Modifier.isNative(m.getModifiers()))) {
                needed.put(type.getName(), "declares native methods (its static initializer loads the library)");
            }
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())
                        && RUNTIME_STATE_TYPES.stream().anyMatch(t -> t.isAssignableFrom(field.getType()))) {
                    needed.put(type.getName(), "holds a static " + field.getType().getSimpleName());
                }
            }
        }
        for (String name : classesLoadingLibraries()) {
            needed.put(name, "loads a native library");
        }
        for (String name : THIRD_PARTY_RUNTIME_STATE) {
            load(name);
            needed.put(name, "captures native state in its static initializer (jvm-stack.md 3.4)");
        }
        assertTrue(needed.containsKey(NativeLibrary.class.getName()), "the System.load scan found nothing: " + needed);
        needed.forEach((name, why) -> assertTrue(runtime.stream().anyMatch(r -> name.equals(r) || name.startsWith(r + ".")),
                name + " " + why + ": add it to --initialize-at-run-time in native-image.properties"));
        for (String entry : runtime) {
            boolean isClass = canLoad(entry);
            boolean isPackage = getClass().getClassLoader().getResource(entry.replace('.', '/') + "/") != null;
            assertTrue(isClass || isPackage, entry + " in --initialize-at-run-time is neither a class nor a package here");
        }
    }

    // ----------------------------------------------------------------------------------------

    /** The classes and packages named by {@code --initialize-at-run-time} in native-image.properties. */
    private static List<String> runtimeInitialized() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = resource(CONFIG + "native-image.properties")) {
            properties.load(in);
        }
        String args = properties.getProperty("Args");
        assertNotNull(args, "native-image.properties has no Args");
        List<String> names = new ArrayList<>();
        for (String arg : args.trim().split("\\s+")) {
            if (arg.startsWith("--initialize-at-run-time=")) {
                names.addAll(Arrays.asList(arg.substring("--initialize-at-run-time=".length()).split(",")));
            }
        }
        assertFalse(names.isEmpty(), "native-image.properties initializes nothing at run time: " + args);
        return names;
    }

    /** The exception classes errors.rs throws, plus any class thrown by a literal name anywhere. */
    private static Set<String> thrownClasses() throws IOException {
        String errors = Files.readString(RUST_SOURCES.resolve("errors.rs"));
        Matcher pkg = EXCEPTION_PACKAGE.matcher(errors);
        assertTrue(pkg.find(), "errors.rs no longer declares its exception package as `const PACKAGE`");
        Set<String> thrown = new TreeSet<>();
        Matcher name = EXCEPTION_NAME.matcher(errors);
        while (name.find()) {
            thrown.add((pkg.group(1) + name.group(1)).replace('/', '.'));
        }
        assertTrue(thrown.size() >= 2, "errors.rs names too few exception classes: " + thrown);
        Matcher literal = THROW_NEW_LITERAL.matcher(rustSources());
        while (literal.find()) {
            thrown.add(literal.group(1).replace('/', '.'));
        }
        return thrown;
    }

    /** Classes of the engine's main sources whose code calls System.load or System.loadLibrary. */
    private static Set<String> classesLoadingLibraries() throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(JAVA_SOURCES)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                if (source.contains("System.load(") || source.contains("System.loadLibrary(")) {
                    String relative = JAVA_SOURCES.relativize(file).toString();
                    names.add(relative.substring(0, relative.length() - ".java".length()).replace(file.getFileSystem()
                            .getSeparator(), "."));
                }
            }
        }
        return names;
    }

    private static String rustSources() throws IOException {
        assertTrue(Files.isDirectory(RUST_SOURCES), "no Rust sources at " + RUST_SOURCES.toAbsolutePath());
        try (Stream<Path> files = Files.walk(RUST_SOURCES)) {
            StringBuilder all = new StringBuilder();
            for (Path file : files.filter(p -> p.toString().endsWith(".rs")).sorted().toList()) {
                all.append(Files.readString(file)).append('\n');
            }
            return all.toString();
        }
    }

    /**
     * A JNI short name (without the {@code Java_} prefix) as {@code class#method}: {@code _} separates
     * name parts, {@code _1} is an underscore, {@code _0xxxx} a Unicode character; overloaded
     * (long) names with {@code __} are not used by the bridge.
     */
    static String demangle(String mangled) {
        assertFalse(mangled.contains("__"), "overloaded JNI export names are not supported: " + mangled);
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < mangled.length(); i++) {
            char c = mangled.charAt(i);
            if (c != '_') {
                current.append(c);
            } else if (i + 1 < mangled.length() && mangled.charAt(i + 1) == '1') {
                current.append('_');
                i++;
            } else if (i + 1 < mangled.length() && mangled.charAt(i + 1) == '0') {
                current.append((char) Integer.parseInt(mangled.substring(i + 2, i + 6), 16));
                i += 5;
            } else {
                parts.add(current.toString());
                current.setLength(0);
            }
        }
        parts.add(current.toString());
        String method = parts.remove(parts.size() - 1);
        return String.join(".", parts) + "#" + method;
    }

    /** Every class compiled from the engine's main sources, loaded without initializing it. */
    private static List<Class<?>> engineClasses() {
        Path classes;
        try {
            classes = Path.of(NativeLibrary.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        try (Stream<Path> files = Files.walk(classes)) {
            List<Class<?>> loaded = new ArrayList<>();
            for (Path file : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                String relative = classes.relativize(file).toString();
                loaded.add(load(relative.substring(0, relative.length() - ".class".length())
                        .replace(file.getFileSystem().getSeparator(), ".")));
            }
            assertTrue(loaded.contains(NativeBridge.class), "engine classes not found under " + classes);
            return loaded;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, JsonNode> entries(String file) throws IOException {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (JsonNode entry : config(file)) {
            String name = entry.get("name").asText();
            if (byName.put(name, entry) != null) {
                fail(file + " lists " + name + " twice");
            }
        }
        assertFalse(byName.isEmpty(), file + " is empty");
        return byName;
    }

    private static JsonNode config(String file) throws IOException {
        try (InputStream in = resource(CONFIG + file)) {
            return JSON.readTree(in);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = NativeImageConfigTest.class.getClassLoader().getResourceAsStream(name);
        assertNotNull(in, name + " is not on the classpath");
        return in;
    }

    private static byte[] resourceBytes(String name) throws IOException {
        try (InputStream in = resource(name)) {
            return in.readAllBytes();
        }
    }

    /** Runs of at least four printable ASCII characters, as {@code strings} prints them. */
    static Set<String> printableStrings(byte[] bytes) {
        Set<String> strings = new TreeSet<>();
        StringBuilder run = new StringBuilder();
        for (byte b : bytes) {
            if (b >= 0x20 && b < 0x7f) {
                run.append((char) b);
                continue;
            }
            if (run.length() >= 4) {
                strings.add(run.toString());
            }
            run.setLength(0);
        }
        if (run.length() >= 4) {
            strings.add(run.toString());
        }
        return strings;
    }

    private static List<String> memberNames(JsonNode entry) {
        List<String> names = new ArrayList<>();
        entry.path("fields").forEach(f -> names.add(f.get("name").asText()));
        entry.path("methods").forEach(m -> names.add(m.get("name").asText()));
        return names;
    }

    private static boolean registersMethod(JsonNode entry, String name, List<String> parameters) {
        for (JsonNode method : entry.path("methods")) {
            List<String> types = new ArrayList<>();
            method.path("parameterTypes").forEach(p -> types.add(p.asText()));
            if (method.get("name").asText().equals(name) && types.equals(parameters)) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasMethod(Class<?> type, String name, List<String> parameterNames) {
        Class<?>[] parameters = parameterNames.stream().map(NativeImageConfigTest::typeOf).toArray(Class<?>[]::new);
        try {
            if (name.equals("<init>")) {
                type.getDeclaredConstructor(parameters);
            } else {
                type.getDeclaredMethod(name, parameters);
            }
            return true;
        } catch (NoSuchMethodException e) {
            // Inherited methods count too (java.lang.Object#toString is looked up on any object).
            return !name.equals("<init>") && type.getSuperclass() != null
                    && hasMethod(type.getSuperclass(), name, parameterNames);
        }
    }

    private static Class<?> typeOf(String name) {
        return switch (name) {
            case "boolean" -> boolean.class;
            case "byte" -> byte.class;
            case "char" -> char.class;
            case "short" -> short.class;
            case "int" -> int.class;
            case "long" -> long.class;
            case "float" -> float.class;
            case "double" -> double.class;
            default -> name.endsWith("[]") ? typeOf(name.substring(0, name.length() - 2)).arrayType() : load(name);
        };
    }

    private static boolean isJdk(String name) {
        return name.startsWith("java.") || name.startsWith("sun.") || name.startsWith("jdk.");
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, NativeImageConfigTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new AssertionError(name + " does not exist on the classpath", e);
        }
    }

    private static boolean canLoad(String name) {
        try {
            Class.forName(name, false, NativeImageConfigTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static void assertNoThrow(ThrowingSupplier call, String message) {
        try {
            call.get();
        } catch (Exception e) {
            fail(message, e);
        }
    }

    @FunctionalInterface
    private interface ThrowingSupplier {
        Object get() throws Exception;
    }

    @Test
    void demanglesJniNames() {
        assertEquals("io.syntaxlake.engine.NativeBridge#openSession",
                demangle("io_syntaxlake_engine_NativeBridge_openSession"));
        assertEquals("a.b_c.D#e", demangle("a_b_1c_D_e"));
        assertEquals(Set.of("abcd", "efgh"), printableStrings("abcd\0ab\0efgh".getBytes(StandardCharsets.US_ASCII)));
    }
}
