package io.syntaxlake.tasks.dataset;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syntaxlake.engine.contract.DatasetContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** The constraints a contract declares in its schema metadata (JSON lists of column names). */
public record ContractConstraints(List<String> requiredNonNull, List<String> keyFields) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public ContractConstraints {
        requiredNonNull = List.copyOf(requiredNonNull);
        keyFields = List.copyOf(keyFields);
    }

    public static ContractConstraints of(DatasetContract contract) {
        var metadata = contract.schema().getCustomMetadata();
        return new ContractConstraints(names(metadata.get("required_non_null")), names(metadata.get("key_fields")));
    }

    private static List<String> names(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<List<String>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("schema metadata is not a JSON list of names: " + json, e);
        }
    }
}
