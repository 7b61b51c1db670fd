package io.syntaxlake.tasks.manifest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A store's writes that need not hold up the caller, done in submission order by one thread of
 * their own. A task attempt's record costs a Delta commit or two (100-250 ms on a local lake);
 * written here, it overlaps the run's next task instead of delaying it. A failed write is kept
 * under its run's id until {@link #awaitRun} hands it to whoever finishes that run, so it is
 * reported, not lost; later writes still happen (each is idempotent and independent).
 */
final class QueuedWrites {
    private final ExecutorService thread;
    private final List<Future<?>> pending = new ArrayList<>();
    private final Map<String, List<String>> failures = new LinkedHashMap<>();

    QueuedWrites(String name) {
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues {@code write} for run {@code runId}; {@code what} names it in a failure. */
    synchronized void submit(String runId, String what, Runnable write) {
        pending.removeIf(Future::isDone);
        pending.add(thread.submit(() -> {
            try {
                write.run();
            } catch (RuntimeException e) {
                failed(runId, what + ": " + e.getMessage());
            }
        }));
    }

    private synchronized void failed(String runId, String message) {
        failures.computeIfAbsent(runId, id -> new ArrayList<>()).add(message);
    }

    /** Waits until every write queued so far is done (the caller then reads what they wrote). */
    void await() {
        List<Future<?>> waiting;
        synchronized (this) {
            waiting = List.copyOf(pending);
        }
        for (Future<?> write : waiting) {
            try {
                write.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ManifestStoreException("interrupted while waiting for the manifest's queued writes", e);
            } catch (java.util.concurrent.ExecutionException e) {
                // the writes catch their own failures; anything else is a bug worth seeing
                throw new IllegalStateException("a queued manifest write failed unexpectedly", e.getCause());
            }
        }
    }

    /** Waits for every queued write, then takes the failures of {@code runId}'s writes (empty: all landed). */
    List<String> awaitRun(String runId) {
        await();
        synchronized (this) {
            List<String> failed = failures.remove(runId);
            return failed == null ? List.of() : failed;
        }
    }

    /** Waits for every queued write and stops the thread; failures nobody took are returned, by run id. */
    Map<String, List<String>> drain() {
        await();
        thread.shutdown();
        try {
            thread.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            Map<String, List<String>> left = new LinkedHashMap<>(failures);
            failures.clear();
            return left;
        }
    }
}
