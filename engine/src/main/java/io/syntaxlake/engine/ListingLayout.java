package io.syntaxlake.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Schema;

/** A listing table as its provider holds it: file schema and partition columns (name to type). */
public record ListingLayout(Schema fileSchema, Map<String, String> partitionColumns) {
    public ListingLayout {
        partitionColumns = Collections.unmodifiableMap(new LinkedHashMap<>(partitionColumns));
    }
}
