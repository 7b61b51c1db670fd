package io.syntaxlake.tasks.dataset;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The differences between an expected (contract) schema and an actual one, field by field and
 * into nested types, each as one line naming the field path: missing and unexpected fields, type,
 * nullability and field metadata. Empty when they agree.
 */
public final class SchemaDiff {

    private SchemaDiff() {
    }

    /** Compares names, types and nullability, and field metadata when {@code metadata} is set. */
    public static List<String> of(Schema expected, Schema actual, boolean metadata) {
        List<String> out = new ArrayList<>();
        fields("", expected.getFields(), actual.getFields(), metadata, out);
        return out;
    }

    private static void fields(String prefix, List<Field> expected, List<Field> actual, boolean metadata,
                               List<String> out) {
        Map<String, Field> byName = new LinkedHashMap<>();
        actual.forEach(f -> byName.put(f.getName(), f));
        for (Field want : expected) {
            Field have = byName.remove(want.getName());
            String path = prefix + want.getName();
            if (have == null) {
                out.add(path + ": missing (expected " + want.getType() + ")");
                continue;
            }
            field(path, want, have, metadata, out);
        }
        byName.values().forEach(extra -> out.add(prefix + extra.getName() + ": unexpected field (" + extra.getType() + ")"));
    }

    private static void field(String path, Field want, Field have, boolean metadata, List<String> out) {
        if (!Objects.equals(want.getType(), have.getType())) {
            out.add(path + ": type " + want.getType() + " expected, found " + have.getType());
            return;
        }
        if (want.isNullable() != have.isNullable()) {
            out.add(path + ": " + (want.isNullable() ? "nullable" : "non-null") + " expected, found "
                    + (have.isNullable() ? "nullable" : "non-null"));
        }
        if (metadata && !Objects.equals(want.getMetadata(), have.getMetadata())) {
            out.add(path + ": metadata " + want.getMetadata() + " expected, found " + have.getMetadata());
        }
        // list items and map entries are compared by position: their names are conventions
        if (want.getChildren().size() == 1 && have.getChildren().size() == 1 && !isStruct(want)) {
            field(path + "[]", want.getChildren().get(0), have.getChildren().get(0), metadata, out);
        } else {
            fields(path + ".", want.getChildren(), have.getChildren(), metadata, out);
        }
    }

    private static boolean isStruct(Field field) {
        return field.getType().getTypeID() == org.apache.arrow.vector.types.pojo.ArrowType.ArrowTypeID.Struct;
    }
}
