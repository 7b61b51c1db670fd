package io.syntaxlake.tasks.delta;

import io.delta.kernel.defaults.engine.fileio.FileIO;
import io.delta.kernel.defaults.engine.fileio.InputFile;
import io.delta.kernel.defaults.engine.fileio.OutputFile;
import io.delta.kernel.defaults.engine.fileio.PositionOutputStream;
import io.delta.kernel.defaults.engine.fileio.SeekableInputStream;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.StoredObject;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Kernel's file access over the engine's object stores (local files and registered {@code s3://}
 * buckets), instead of Hadoop: no hadoop-aws and AWS SDK bundle, and the same credentials and
 * endpoints the engine already has. A log commit is a write that must not replace an existing
 * file; here it is a conditional PUT ({@code If-None-Match: *}), so two writers of one table,
 * even in different processes, can never both commit one version: the loser gets
 * {@link FileAlreadyExistsException} and kernel retries it on the new version. Log files and
 * checkpoints are read whole (they are small next to the data, which the engine reads itself).
 */
final class ObjectStoreFileIO implements FileIO {
    private final EngineSession session;

    ObjectStoreFileIO(EngineSession session) {
        this.session = session;
    }

    @Override
    public CloseableIterator<FileStatus> listFrom(String filePath) throws IOException {
        int slash = filePath.lastIndexOf('/');
        String directory = filePath.substring(0, slash + 1);
        String from = filePath.substring(slash + 1);
        List<StoredObject> objects = session.listObjects(directory);
        if (objects.isEmpty()) {
            throw new FileNotFoundException(directory);
        }
        List<FileStatus> out = new ArrayList<>();
        for (StoredObject object : objects) {
            // this directory only (the listing is recursive), from the given name on, in name order
            if (!object.path().contains("/") && object.path().compareTo(from) >= 0) {
                out.add(FileStatus.of(directory + object.path(), object.size(), object.lastModifiedMillis()));
            }
        }
        return io.delta.kernel.internal.util.Utils.toCloseableIterator(out.iterator());
    }

    @Override
    public FileStatus getFileStatus(String path) throws IOException {
        int slash = path.lastIndexOf('/');
        String name = path.substring(slash + 1);
        for (StoredObject object : session.listObjects(path.substring(0, slash + 1))) {
            if (object.path().equals(name)) {
                return FileStatus.of(path, object.size(), object.lastModifiedMillis());
            }
        }
        throw new FileNotFoundException(path);
    }

    @Override
    public String resolvePath(String path) {
        return path;
    }

    @Override
    public boolean mkdirs(String path) {
        return true; // object stores have no directories
    }

    @Override
    public InputFile newInputFile(String path, long fileSize) {
        return new InputFile() {
            @Override
            public long length() throws IOException {
                return fileSize >= 0 ? fileSize : getFileStatus(path).getSize();
            }

            @Override
            public String path() {
                return path;
            }

            @Override
            public SeekableInputStream newStream() throws IOException {
                byte[] bytes = session.readObject(path).orElseThrow(() -> new FileNotFoundException(path));
                return new BytesInputStream(bytes);
            }
        };
    }

    @Override
    public OutputFile newOutputFile(String path) {
        return new OutputFile() {
            @Override
            public String path() {
                return path;
            }

            @Override
            public PositionOutputStream create(boolean overwrite) {
                return new BufferedPut(path, overwrite);
            }

            @Override
            public void writeAtomically(CloseableIterator<String> lines, boolean overwrite) throws IOException {
                StringBuilder text = new StringBuilder();
                try (lines) {
                    while (lines.hasNext()) {
                        text.append(lines.next()).append('\n');
                    }
                }
                put(path, text.toString().getBytes(StandardCharsets.UTF_8), overwrite);
            }
        };
    }

    @Override
    public boolean delete(String path) {
        return session.deleteObject(path);
    }

    @Override
    public Optional<String> getConf(String key) {
        return Optional.empty();
    }

    @Override
    public void copyFileAtomically(String source, String destination, boolean overwrite) throws IOException {
        byte[] bytes = session.readObject(source).orElseThrow(() -> new FileNotFoundException(source));
        put(destination, bytes, overwrite);
    }

    private void put(String path, byte[] bytes, boolean overwrite) throws FileAlreadyExistsException {
        if (overwrite) {
            session.writeObject(path, bytes);
        } else if (!session.writeObjectIfAbsent(path, bytes)) {
            throw new FileAlreadyExistsException(path);
        }
    }

    /** Bytes written in memory and put in one operation on close. */
    private final class BufferedPut extends PositionOutputStream {
        private final String path;
        private final boolean overwrite;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private boolean closed;

        BufferedPut(String path, boolean overwrite) {
            this.path = path;
            this.overwrite = overwrite;
        }

        @Override
        public long getPos() {
            return buffer.size();
        }

        @Override
        public void write(int b) {
            buffer.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            buffer.write(bytes, offset, length);
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                put(path, buffer.toByteArray(), overwrite);
            }
        }
    }

    /** A whole object in memory, seekable. */
    private static final class BytesInputStream extends SeekableInputStream {
        private final byte[] bytes;
        private int position;

        BytesInputStream(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() {
            return position < bytes.length ? bytes[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            if (position >= bytes.length) {
                return -1;
            }
            int n = Math.min(length, bytes.length - position);
            System.arraycopy(bytes, position, target, offset, n);
            position += n;
            return n;
        }

        @Override
        public long getPos() {
            return position;
        }

        @Override
        public void seek(long newPosition) throws IOException {
            if (newPosition < 0 || newPosition > bytes.length) {
                throw new EOFException("seek to " + newPosition + " in an object of " + bytes.length + " bytes");
            }
            position = (int) newPosition;
        }

        @Override
        public void readFully(byte[] target, int offset, int length) throws IOException {
            if (length > bytes.length - position) {
                throw new EOFException("read of " + length + " bytes at " + position + " in " + bytes.length);
            }
            System.arraycopy(bytes, position, target, offset, length);
            position += length;
        }
    }
}
