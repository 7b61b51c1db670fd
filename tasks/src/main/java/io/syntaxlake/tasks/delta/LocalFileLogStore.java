package io.syntaxlake.tasks.delta;

import io.delta.storage.HadoopFileSystemLogStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;

/**
 * Kernel's log store for local tables ({@code io.delta.kernel.logStore.file.impl}): writes log
 * files (commits, checksums, {@code _last_checkpoint}) with plain file-system calls. Hadoop's
 * default (HDFSLogStore over FileContext) forks a {@code chmod} and several {@code readlink}
 * processes for every file when Hadoop's native library is absent, as it always is here: about
 * 20 processes and 100 ms per commit. Reading and listing stay Hadoop's.
 *
 * <p>A file is written to a hidden temporary file beside it and flushed to disk, then made
 * visible in one step: a commit (no overwrite) by a hard link, which fails atomically when the
 * version exists (so two writers, even in two processes, never both commit one version: the
 * loser gets {@link FileAlreadyExistsException} and kernel retries it on the next version); an
 * overwrite by an atomic rename. Readers never see a partial file.
 */
public final class LocalFileLogStore extends HadoopFileSystemLogStore {

    public LocalFileLogStore(Configuration hadoopConf) {
        super(hadoopConf);
    }

    @Override
    public void write(org.apache.hadoop.fs.Path path, Iterator<String> actions, Boolean overwrite,
                      Configuration hadoopConf) throws IOException {
        Path target = Path.of(path.toUri());
        Files.createDirectories(target.getParent());
        Path temp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                while (actions.hasNext()) {
                    ByteBuffer line = ByteBuffer.wrap((actions.next() + "\n").getBytes(StandardCharsets.UTF_8));
                    while (line.hasRemaining()) {
                        out.write(line);
                    }
                }
                out.force(true);
            }
            if (overwrite) {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } else {
                Files.createLink(target, temp);
            }
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(path.toString());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public Boolean isPartialWriteVisible(org.apache.hadoop.fs.Path path, Configuration hadoopConf) {
        return false;
    }
}
