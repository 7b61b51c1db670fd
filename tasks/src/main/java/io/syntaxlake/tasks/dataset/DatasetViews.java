package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.contract.DatasetContract;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

import static io.syntaxlake.engine.SqlIdentifiers.literal;
import static io.syntaxlake.engine.SqlIdentifiers.quote;

/**
 * The standard views of a dataset, generated from its contract (AST/CST plan scopes 5 and 6), the
 * same way for both datasets: one view per nested list with the root's identity columns in
 * front (the codeanatomy unnest rule: a struct field of the same name wins), span columns
 * derived with {@code arrow_cast}, a {@code named_struct} record of span and attrs, typed
 * columns parsed out of attrs, and key/value views over attrs with {@code unnest(map_entries)}.
 */
public final class DatasetViews {
    private static final List<String> SPAN_FIELDS = List.of("start", "end", "end_exclusive", "col_unit", "byte_span");

    private DatasetViews() {
    }

    /** A view: its name, its defining query and the view it needs first (or null). */
    public record View(String name, String query, String dependsOn, boolean attrView) {
        public String ddl() {
            return "CREATE OR REPLACE VIEW " + quote(name) + " AS " + query;
        }
    }

    /** Every view over {@code table}, in creation order; attr views only when {@code withAttrViews}. */
    public static List<View> of(DatasetContract contract, String table, boolean withAttrViews) {
        DatasetContract.ViewSpec spec = contract.views();
        List<View> views = new ArrayList<>();
        Map<String, List<String>> scalarColumns = new LinkedHashMap<>();
        spec.lists().forEach((list, viewName) -> {
            Field item = contract.field(list).getChildren().get(0);
            List<String> select = new ArrayList<>();
            List<String> scalars = new ArrayList<>();
            for (String identity : spec.identity()) {
                if (child(item, identity) == null) {
                    select.add(quote(identity));
                    scalars.add(identity);
                }
            }
            for (Field field : item.getChildren()) {
                select.add("item[" + literal(field.getName()) + "] AS " + quote(field.getName()));
                if (isScalar(field)) {
                    scalars.add(field.getName());
                }
            }
            Field span = child(item, "span");
            boolean spanAbi = span != null && span.getChildren().stream().map(Field::getName).toList().equals(SPAN_FIELDS);
            if (spanAbi) {
                select.addAll(spanColumns());
            }
            spec.typedAttrs().getOrDefault(viewName, Map.of()).forEach((key, type) -> select.add(
                    "arrow_cast(map_extract(item['attrs'], " + literal(key) + ")[1], " + literal(type) + ") AS " + quote(key)));
            if (span != null && child(item, "attrs") != null) {
                select.add("named_struct('span', " + (spanAbi ? spanStruct() : "item['span']")
                        + ", 'attrs', item['attrs']) AS " + quote(spec.recordColumn()));
            }
            String inner = "SELECT " + String.join(", ", spec.identity().stream().map(c -> quote(c)).toList())
                    + ", unnest(" + quote(list) + ") AS item FROM " + quote(table);
            views.add(new View(viewName, "SELECT " + String.join(", ", select) + " FROM (" + inner + ") AS root", null, false));
            scalarColumns.put(viewName, scalars);
        });
        if (withAttrViews) {
            spec.attrViews().forEach((attrView, base) -> {
                List<String> keep = scalarColumns.getOrDefault(base, spec.identity()).stream().map(c -> quote(c)).toList();
                String inner = "SELECT " + String.join(", ", keep) + ", unnest(map_entries(\"attrs\")) AS kv FROM " + quote(base);
                views.add(new View(attrView, "SELECT " + String.join(", ", keep)
                        + ", kv['key'] AS attr_key, kv['value'] AS attr_value FROM (" + inner + ") AS base", base, true));
            });
        }
        return views;
    }

    /** lineno etc. as in codeanatomy.md 6.2: 1-based lines, byte columns, byte offsets. */
    private static List<String> spanColumns() {
        return List.of(
                "arrow_cast(item['span']['start']['line0'] + 1, 'Int64') AS lineno",
                "arrow_cast(item['span']['start']['col'], 'Int64') AS col_offset",
                "arrow_cast(item['span']['end']['line0'] + 1, 'Int64') AS end_lineno",
                "arrow_cast(item['span']['end']['col'], 'Int64') AS end_col_offset",
                "arrow_cast(1, 'Int32') AS line_base",
                "arrow_cast(item['span']['col_unit'], 'Utf8') AS col_unit",
                "arrow_cast(item['span']['end_exclusive'], 'Boolean') AS end_exclusive",
                "arrow_cast(item['span']['byte_span']['byte_start'], 'Int64') AS bstart",
                "arrow_cast(item['span']['byte_span']['byte_start'] + item['span']['byte_span']['byte_len'], 'Int64') AS bend");
    }

    private static String spanStruct() {
        return "named_struct('start', item['span']['start'], 'end', item['span']['end'], 'byte_span', "
                + "item['span']['byte_span'], 'col_unit', item['span']['col_unit'], 'end_exclusive', "
                + "item['span']['end_exclusive'])";
    }

    private static Field child(Field struct, String name) {
        return struct.getChildren().stream().filter(f -> f.getName().equals(name)).findFirst().orElse(null);
    }

    private static boolean isScalar(Field field) {
        ArrowType.ArrowTypeID id = field.getType().getTypeID();
        return id != ArrowType.ArrowTypeID.Struct && id != ArrowType.ArrowTypeID.List
                && id != ArrowType.ArrowTypeID.Map && id != ArrowType.ArrowTypeID.LargeList;
    }
}
