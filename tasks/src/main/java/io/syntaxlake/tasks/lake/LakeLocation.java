package io.syntaxlake.tasks.lake;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A directory in the lake: a local directory (under one of the configured roots) or an
 * {@code s3://bucket/prefix}. The URL always ends with {@code /}, which DataFusion needs to treat
 * a location as a directory. Everything that reaches SQL or the object store goes through here,
 * so a location never escapes its roots and a malformed one fails with its text named.
 */
public record LakeLocation(String url) {

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.=-]*");

    public LakeLocation {
        if (!url.endsWith("/")) {
            throw new IllegalArgumentException("a lake location is a directory URL ending in '/': " + url);
        }
    }

    /**
     * Parses a location given by a user or configuration: {@code s3://bucket[/prefix]},
     * {@code file:///abs/dir} or a path. A local location must lie under one of {@code roots}
     * (any local location when {@code roots} is empty).
     */
    public static LakeLocation parse(String text, List<Path> roots) {
        if (text == null || text.isBlank()) {
            throw malformed(text, "empty");
        }
        if (text.chars().anyMatch(c -> c < 0x20 || c == '\'' || c == '\\')) {
            throw malformed(text, "control characters, quotes and backslashes are not allowed");
        }
        if (text.startsWith("s3://")) {
            return s3(text);
        }
        Path path;
        if (text.startsWith("file:")) {
            try {
                URI uri = new URI(text);
                if (uri.getAuthority() != null || uri.getPath() == null || !uri.getPath().startsWith("/")) {
                    throw malformed(text, "expected file:///absolute/path");
                }
                path = Path.of(uri.getPath());
            } catch (URISyntaxException e) {
                throw malformed(text, e.getMessage());
            }
        } else if (text.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
            throw malformed(text, "unsupported scheme (expected s3://, file:// or a path)");
        } else {
            path = Path.of(text);
        }
        return local(path, roots);
    }

    /** A local directory, which must lie under one of {@code roots} (any, when roots is empty). */
    public static LakeLocation local(Path directory, List<Path> roots) {
        Path normalized = directory.toAbsolutePath().normalize();
        if (!roots.isEmpty() && roots.stream().map(r -> r.toAbsolutePath().normalize()).noneMatch(normalized::startsWith)) {
            throw new IllegalArgumentException("location " + normalized + " is outside the configured lake roots " + roots);
        }
        String uri = normalized.toUri().toString();
        return new LakeLocation(uri.endsWith("/") ? uri : uri + "/");
    }

    private static LakeLocation s3(String text) {
        String rest = text.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        if (!BUCKET.matcher(bucket).matches()) {
            throw malformed(text, "'" + bucket + "' is not a valid bucket name");
        }
        StringBuilder url = new StringBuilder("s3://").append(bucket).append('/');
        for (String segment : prefix.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            if (!NAME.matcher(segment).matches()) {
                throw malformed(text, "path segment '" + segment + "' is not allowed");
            }
            url.append(segment).append('/');
        }
        return new LakeLocation(url.toString());
    }

    private static IllegalArgumentException malformed(String text, String why) {
        return new IllegalArgumentException("malformed location URL '" + text + "': " + why);
    }

    /** A subdirectory: one path segment of letters, digits, {@code _ . = -}. */
    public LakeLocation child(String name) {
        return new LakeLocation(url + checkedName(name) + "/");
    }

    /** The URL of a file directly in this directory. */
    public String file(String name) {
        return url + checkedName(name);
    }

    /** The URL of a file below this directory, {@code relative} being its path segments joined by {@code /}. */
    public String descendant(String relative) {
        StringBuilder out = new StringBuilder(url);
        String[] segments = relative.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            out.append(checkedName(segments[i])).append(i + 1 < segments.length ? "/" : "");
        }
        return out.toString();
    }

    public boolean isS3() {
        return url.startsWith("s3://");
    }

    /** The local directory, for a {@code file:} location. */
    public Optional<Path> localPath() {
        return url.startsWith("file:") ? Optional.of(Path.of(URI.create(url))) : Optional.empty();
    }

    private static String checkedName(String name) {
        if (!NAME.matcher(name).matches() || name.contains("..")) {
            throw new IllegalArgumentException("'" + name + "' is not a valid lake path segment");
        }
        return name;
    }

    @Override
    public String toString() {
        return url;
    }
}
