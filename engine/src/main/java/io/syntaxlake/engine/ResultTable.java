package io.syntaxlake.engine;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;

/** A small result read completely into plain Java values (see {@link ArrowValues}). */
public record ResultTable(List<Field> fields, List<List<Object>> rows) {

    public ResultTable {
        fields = List.copyOf(fields);
        rows = List.copyOf(rows);
    }

    public List<String> columnNames() {
        return fields.stream().map(Field::getName).toList();
    }

    public int rowCount() {
        return rows.size();
    }

    /** The values of one column, in row order. */
    public List<Object> column(String name) {
        int index = columnNames().indexOf(name);
        if (index < 0) {
            throw new IllegalArgumentException("no column '" + name + "' in " + columnNames());
        }
        List<Object> out = new ArrayList<>(rows.size());
        for (List<Object> row : rows) {
            out.add(row.get(index));
        }
        return out;
    }

    /** The only value of a one-row, one-column result. */
    public Object single() {
        if (rows.size() != 1 || fields.size() != 1) {
            throw new IllegalStateException("expected one value, got " + rows.size() + " rows of " + columnNames());
        }
        return rows.get(0).get(0);
    }
}
