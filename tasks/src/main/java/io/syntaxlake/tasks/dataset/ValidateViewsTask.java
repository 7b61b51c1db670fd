package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.ResultTable;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.Artifact;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.core.TaskResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import static io.syntaxlake.engine.SqlIdentifiers.literal;

/**
 * AST/CST plan scope 7 (and CST scope 3): validates views and functions through
 * information_schema. The expected columns of every view (names, order, DataFusion type text,
 * nullability) are what the same view definitions produce over an empty table with exactly the
 * contract schema, in a scratch session; the actual ones are read from the session's
 * information_schema.columns. Required functions are looked up in information_schema.routines
 * and, when the contract names parameter types, in information_schema.parameters (grouped by
 * {@code rid}, one row set per signature; {@code routine_name} does not exist there). Any
 * mismatch fails the task with one line per difference; the report is
 * {@code datafusion_<prefix>_view_validation_v1}.
 */
public final class ValidateViewsTask {
    private final EngineSession session;

    public ValidateViewsTask(EngineSession session) {
        this.session = session;
    }

    public TaskResult<Integer> run(DatasetContract contract, List<DatasetViews.View> views) {
        Map<String, List<List<Object>>> expected = expectedColumns(contract, views);
        List<String> problems = new ArrayList<>();
        Map<String, Object> checkedViews = new LinkedHashMap<>();
        for (DatasetViews.View view : views) {
            List<List<Object>> actual = columns(session, view.name());
            List<List<Object>> want = expected.get(view.name());
            checkedViews.put(view.name(), actual.size());
            if (actual.isEmpty()) {
                problems.add("view " + view.name() + ": missing from information_schema.tables/columns");
                continue;
            }
            compare(view.name(), want, actual, problems);
        }
        Map<String, Object> functions = new TreeMap<>();
        for (DatasetContract.RequiredFunction function : contract.requiredFunctions()) {
            FunctionCheck check = checkFunction(function);
            functions.put(function.name(), check.detail());
            if (!check.ok()) {
                problems.add("function " + function.name() + ": " + check.detail());
            }
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("dataset", contract.name());
        payload.put("datafusion_version", String.valueOf(session.collect("SELECT version() AS v").single()));
        payload.put("views", checkedViews);
        payload.put("functions", functions);
        payload.put("mismatches", problems);
        payload.put("ok", problems.isEmpty());
        Artifact artifact = Artifact.of("datafusion_" + contract.views().prefix() + "_view_validation_v1", contract, payload);
        if (!problems.isEmpty()) {
            throw new TaskFailedException(contract.views().prefix() + " view validation failed: "
                    + String.join("; ", problems), List.of(artifact));
        }
        return new TaskResult<>(views.size(), List.of(artifact));
    }

    private static void compare(String view, List<List<Object>> want, List<List<Object>> actual, List<String> problems) {
        Map<Object, List<Object>> byName = new LinkedHashMap<>();
        actual.forEach(row -> byName.put(row.get(0), row));
        for (int i = 0; i < want.size(); i++) {
            List<Object> w = want.get(i);
            List<Object> a = byName.remove(w.get(0));
            if (a == null) {
                problems.add(view + "." + w.get(0) + ": missing column");
                continue;
            }
            if (!Objects.equals(w.get(1), a.get(1))) {
                problems.add(view + "." + w.get(0) + ": data_type " + w.get(1) + " expected, found " + a.get(1));
            }
            if (!Objects.equals(w.get(2), a.get(2))) {
                problems.add(view + "." + w.get(0) + ": is_nullable " + w.get(2) + " expected, found " + a.get(2));
            }
            if (!Objects.equals(w.get(3), a.get(3))) {
                problems.add(view + "." + w.get(0) + ": position " + w.get(3) + " expected, found " + a.get(3));
            }
        }
        byName.keySet().forEach(extra -> problems.add(view + "." + extra + ": unexpected column"));
    }

    private static List<List<Object>> columns(EngineSession session, String table) {
        return session.collect("SELECT column_name, data_type, is_nullable, ordinal_position FROM information_schema.columns"
                + " WHERE table_name = " + literal(table) + " ORDER BY ordinal_position").rows();
    }

    /** The views' columns over an empty table with exactly the contract schema. */
    private static Map<String, List<List<Object>>> expectedColumns(DatasetContract contract, List<DatasetViews.View> views) {
        Map<String, List<List<Object>>> out = new LinkedHashMap<>();
        java.nio.file.Path empty;
        try {
            empty = java.nio.file.Files.createTempDirectory("syntaxlake-contract-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (EngineSession scratch = EngineSession.open()) {
            // a listing table over an empty directory: no rows, exactly the contract schema
            String table = "__contract_" + contract.name();
            scratch.registerListingTable(io.syntaxlake.engine.ListingTableSpec.plain(table, empty.toUri().toString(),
                    io.syntaxlake.engine.ListingTableSpec.Format.JSON, contract.schema()));
            for (DatasetViews.View view : DatasetViews.of(contract, table, views.stream().anyMatch(DatasetViews.View::attrView))) {
                scratch.execute(view.ddl());
                out.put(view.name(), columns(scratch, view.name()));
            }
        } finally {
            empty.toFile().delete();
        }
        return out;
    }

    private record FunctionCheck(boolean ok, String detail) {
        static FunctionCheck failed(String detail) {
            return new FunctionCheck(false, detail);
        }
    }

    /** Whether the function exists with the contract's type and, where listed, parameter types. */
    private FunctionCheck checkFunction(DatasetContract.RequiredFunction function) {
        ResultTable routines = session.collect("SELECT DISTINCT function_type FROM information_schema.routines"
                + " WHERE routine_name = " + literal(function.name()));
        if (routines.rowCount() == 0) {
            return FunctionCheck.failed("not found in information_schema.routines");
        }
        if (!routines.column("function_type").contains(function.functionType())) {
            return FunctionCheck.failed("function_type " + function.functionType() + " expected, found "
                    + routines.column("function_type"));
        }
        if (function.parameters().isEmpty()) {
            return new FunctionCheck(true, "ok");
        }
        ResultTable parameters = session.collect("SELECT rid, data_type, parameter_mode FROM information_schema.parameters"
                + " WHERE specific_name = " + literal(function.name()) + " AND parameter_mode = 'IN'"
                + " ORDER BY rid, ordinal_position");
        Map<Object, List<String>> signatures = new TreeMap<>((a, b) -> Long.compare(((Number) a).longValue(), ((Number) b).longValue()));
        for (List<Object> row : parameters.rows()) {
            signatures.computeIfAbsent(row.get(0), k -> new ArrayList<>()).add(String.valueOf(row.get(1)));
        }
        if (signatures.isEmpty()) {
            // functions with user-defined or "any" signatures (map_entries, arrow_cast, ...) list no
            // parameter rows at all: nothing to compare, recorded as such
            return new FunctionCheck(true, "ok: information_schema.parameters lists no typed signature");
        }
        for (List<String> signature : signatures.values()) {
            if (matches(function.parameters(), signature)) {
                return new FunctionCheck(true, "ok: signature " + signature);
            }
        }
        return FunctionCheck.failed("no signature with IN parameters " + function.parameters() + "; information_schema.parameters has "
                + signatures.values());
    }

    /** Logical type names match on their leading word ({@code Map} matches {@code Map(...)}). */
    private static boolean matches(List<String> wanted, List<String> actual) {
        if (wanted.size() != actual.size()) {
            return false;
        }
        for (int i = 0; i < wanted.size(); i++) {
            String have = actual.get(i);
            String head = have.contains("(") ? have.substring(0, have.indexOf('(')) : have;
            if (!head.equalsIgnoreCase(wanted.get(i)) && !have.equalsIgnoreCase(wanted.get(i))) {
                return false;
            }
        }
        return true;
    }
}
