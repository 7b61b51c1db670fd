package io.syntaxlake.tasks.dataset;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DataFusion's DFSchema tree text ({@code root}, then {@code |-- name: type (nullable = b)} lines,
 * indented by {@code |    } per nesting level) as field path to "type (nullable = b)", and the
 * differences between two such snapshots: fields added or removed, type and nullability changes.
 */
public final class DfSchemaTree {
    private static final Pattern LINE = Pattern.compile("^((?: \\|   )*) \\|-- (.+?): (.+?)(?: \\(nullable = (true|false)\\))?$");

    private DfSchemaTree() {
    }

    public static Map<String, String> parse(String tree) {
        Map<String, String> fields = new LinkedHashMap<>();
        List<String> stack = new ArrayList<>();
        for (String line : tree.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            int depth = m.group(1).length() / 5;
            while (stack.size() > depth) {
                stack.remove(stack.size() - 1);
            }
            String name = m.group(2);
            String path = stack.isEmpty() ? name : String.join(".", stack) + "." + name;
            fields.put(path, m.group(3) + (m.group(4) == null ? "" : " (nullable = " + m.group(4) + ")"));
            stack.add(name);
        }
        return fields;
    }

    /** One line per difference, prefixed with {@code view}. */
    public static List<String> diff(String view, Map<String, String> before, Map<String, String> after) {
        List<String> out = new ArrayList<>();
        before.forEach((path, was) -> {
            String now = after.get(path);
            if (now == null) {
                out.add(view + ": " + path + " removed (was " + was + ")");
            } else if (!now.equals(was)) {
                out.add(view + ": " + path + " changed from " + was + " to " + now);
            }
        });
        after.forEach((path, now) -> {
            if (!before.containsKey(path)) {
                out.add(view + ": " + path + " added (" + now + ")");
            }
        });
        return out;
    }
}
