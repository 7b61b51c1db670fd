package io.syntaxlake.tasks.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.DatasetContract;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A named JSON payload a task records (names and payloads after codeanatomy.md section 7),
 * stamped with its time, the engine version and the schema identity hash of the dataset it is
 * about. Payload values are JSON-compatible: strings, numbers, booleans, null, lists and maps.
 */
public record Artifact(String name, Map<String, Object> payload, Instant time, String engineVersion,
                       String schemaIdentityHash) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public Artifact {
        payload = Collections.unmodifiableMap(new LinkedHashMap<>(payload));
    }

    /** An artifact about {@code contract}'s dataset, stamped now with the running engine's version. */
    public static Artifact of(String name, DatasetContract contract, Map<String, Object> payload) {
        return new Artifact(name, payload, Instant.now(), EngineSession.engineVersion(),
                contract == null ? null : contract.identityHash());
    }

    /** The payload as compact JSON text. */
    public String payloadJson() {
        try {
            return JSON.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("artifact " + name + " has a payload that is not JSON: " + e.getMessage(), e);
        }
    }
}
