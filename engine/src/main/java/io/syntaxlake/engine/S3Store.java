package io.syntaxlake.engine;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An S3-compatible object store for {@code s3://bucket/...} locations. Credentials come from
 * configuration at run time, never from the repository; {@link #toString()} hides the secret.
 */
public record S3Store(String bucket, Optional<URI> endpoint, String region, Optional<String> accessKeyId,
                      Optional<String> secretAccessKey, Optional<String> sessionToken, boolean pathStyle) {

    public S3Store {
        Objects.requireNonNull(bucket, "bucket");
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException("invalid S3 bucket name: '" + bucket + "'");
        }
        Objects.requireNonNull(region, "region");
    }

    /** A store on a custom endpoint (MinIO, S3Proxy, ...) with static credentials and path-style URLs. */
    public static S3Store ofEndpoint(String bucket, URI endpoint, String region, String accessKeyId,
                                     String secretAccessKey) {
        return new S3Store(bucket, Optional.of(endpoint), region, Optional.of(accessKeyId),
                Optional.of(secretAccessKey), Optional.empty(), true);
    }

    /** The names the native side reads (engine/native/src/object_stores.rs). */
    Map<String, String> asNativeOptions() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("bucket", bucket);
        out.put("region", region);
        endpoint.ifPresent(uri -> {
            out.put("endpoint", uri.toString());
            out.put("allow_http", Boolean.toString("http".equalsIgnoreCase(uri.getScheme())));
        });
        accessKeyId.ifPresent(v -> out.put("access_key_id", v));
        secretAccessKey.ifPresent(v -> out.put("secret_access_key", v));
        sessionToken.ifPresent(v -> out.put("session_token", v));
        out.put("path_style", Boolean.toString(pathStyle));
        return out;
    }

    @Override
    public String toString() {
        return "S3Store[bucket=" + bucket + ", endpoint=" + endpoint.map(URI::toString).orElse("aws")
                + ", region=" + region + ", accessKeyId=" + accessKeyId.orElse("-")
                + ", secretAccessKey=" + (secretAccessKey.isPresent() ? "***" : "-") + ", pathStyle=" + pathStyle + "]";
    }
}
