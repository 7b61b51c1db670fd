package io.syntaxlake.tasks.dataset;

import static io.syntaxlake.engine.SqlIdentifiers.quote;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.StoredObject;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Fills a new Parquet generation in which one repository's rows change and everything else of
 * the committed generation is carried over unchanged: its files are copied into the new
 * generation's directory by the store (a hard link locally, a server-side copy on S3), so no data
 * is rewritten and readers keep one directory per generation (what the listing tables and the
 * registry catalog read). A full write of the repository replaces all its files; an incremental
 * one ({@link RepositoryWrite#incremental()}) rewrites only the files that hold a dropped path
 * (each on its own, so every file stays in path order) and adds the new rows as new files. The repository's source
 * index goes to {@code _sources/<repo>.arrow} in the generation (ignored by Parquet readers,
 * which read {@code .parquet} files). Nothing is visible until the pointer is written.
 */
final class RepositoryGeneration {
    static final String SOURCES = "_sources/";
    private static final String CURRENT = "__syntaxlake_current_generation";

    private final EngineSession session;
    private final DatasetContract contract;
    private final DatasetContract.Layout layout;

    RepositoryGeneration(EngineSession session, DatasetContract contract, DatasetContract.Layout layout) {
        this.session = session;
        this.contract = contract;
        this.layout = layout;
    }

    /**
     * What the new generation got: its rows in all, the files written (and their bytes) and
     * carried over, the repository's files rewritten, its rows kept from them and dropped.
     */
    record Filled(long rows, long writtenFiles, long writtenBytes, long carriedFiles, long rewrittenFiles,
                  long keptRows, long droppedRows) {
    }

    /** The index object of {@code repo} in a generation directory. */
    static String indexOf(LakeLocation generation, String repo) {
        return generation.descendant(SOURCES + repo + ".arrow");
    }

    /**
     * Writes {@code target}: the current generation {@code from} (if any) with the repository's
     * rows replaced by, or merged with, the rows of {@code copy}'s source, as {@code write} says.
     */
    Filled fill(Optional<LakeLocation> from, LakeLocation target, RepositoryWrite write, LayoutCopy copy) {
        long carriedRows = 0;
        long keptRows = 0;
        long droppedRows = 0;
        int rewritten = 0;
        Set<String> carried = new HashSet<>();
        if (from.isPresent()) {
            LakeLocation current = from.get();
            String marker = current.url().replaceAll("/$", "").replaceAll(".*/", "") + "/";
            session.execute("DROP TABLE IF EXISTS " + quote(CURRENT));
            session.registerListingTable(RegisterDatasetTask.listingSpec(contract, CURRENT, current.url(), layout));
            RepositoryFiles files;
            long allRows;
            try {
                files = RepositoryFiles.of(session, CURRENT, write.repo(), name -> RepositoryFiles.after(name, marker));
                allRows = ((Number) session.collect("SELECT count(*) FROM " + quote(CURRENT)).single()).longValue();
            } finally {
                session.execute("DROP TABLE IF EXISTS " + quote(CURRENT));
            }
            Map<String, List<String>> touched = write.droppedPaths().map(files::holding).orElse(files.paths());
            Set<String> replaced = new HashSet<>(touched.keySet());
            replaced.add(SOURCES + write.repo() + ".arrow");
            List<String> sources = new ArrayList<>();
            List<String> targets = new ArrayList<>();
            Map<String, Long> sizes = new HashMap<>();
            for (StoredObject object : session.listObjects(current.url())) {
                sizes.put(object.path(), object.size());
                if (!replaced.contains(object.path())) {
                    sources.add(current.descendant(object.path()));
                    targets.add(target.descendant(object.path()));
                    carried.add(object.path());
                }
            }
            session.copyObjects(sources, targets);
            // every row of a touched file is rewritten or dropped
            long touchedRows = touched.keySet().stream().mapToLong(f -> files.paths().get(f).size()).sum();
            if (write.incremental()) {
                for (Map.Entry<String, List<String>> file : touched.entrySet()) {
                    long before = files.paths().get(file.getKey()).size();
                    if (before > file.getValue().size()) {
                        String name = file.getKey();
                        String directory = name.contains("/") ? name.substring(0, name.lastIndexOf('/')) : "";
                        keptRows += new FileRewrite(session, contract, layout).run(current.descendant(name),
                                sizes.getOrDefault(name, 0L), directory, file.getValue(), target.url());
                        rewritten++;
                    }
                    droppedRows += file.getValue().size();
                }
            } else {
                droppedRows = files.rows();
            }
            carriedRows = allRows - touchedRows;
            if (touchedRows - keptRows != droppedRows) {
                throw new TaskFailedException("materialize " + contract.name() + ": rewriting " + touched.size()
                        + " file(s) of " + write.repo() + " kept " + keptRows + " of " + touchedRows + " rows, "
                        + droppedRows + " were to go; nothing was committed", List.of());
            }
        }
        long added = copy.run(session, target.url());
        write.sourceIndex().ifPresent(index -> storeIndex(index, target, write.repo()));
        long writtenFiles = 0;
        long writtenBytes = 0;
        for (StoredObject object : session.listObjects(target.url())) {
            if (object.path().endsWith(".parquet") && !carried.contains(object.path())) {
                writtenFiles++;
                writtenBytes += object.size();
            }
        }
        long carriedFiles = carried.stream().filter(name -> name.endsWith(".parquet")).count();
        return new Filled(carriedRows + keptRows + added, writtenFiles, writtenBytes, carriedFiles, rewritten,
                keptRows, droppedRows);
    }

    private void storeIndex(java.nio.file.Path index, LakeLocation target, String repo) {
        try {
            session.writeObject(indexOf(target, repo), Files.readAllBytes(index));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the source index " + index, e);
        }
    }
}
