package io.syntaxlake.routes.api;

import io.syntaxlake.routes.config.SyntaxLakeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Checks the REST API's bearer token ({@code Authorization: Bearer <token>}) against
 * {@code syntaxlake.api.token}, in constant time. With no token configured nothing is accepted.
 */
@ApplicationScoped
public class ApiToken {
    private final Optional<byte[]> expected;

    @Inject
    public ApiToken(SyntaxLakeConfig config) {
        this.expected = config.api().token().filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    public boolean accepts(String authorization) {
        if (expected.isEmpty() || authorization == null || !authorization.startsWith("Bearer ")) {
            return false;
        }
        byte[] given = authorization.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected.get(), given);
    }

    public boolean configured() {
        return expected.isPresent();
    }
}
