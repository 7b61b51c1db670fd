package io.syntaxlake.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One session serves many threads: each thread's answers are its own and correct. */
class ConcurrencyTest {
    private static final int THREADS = 8;
    private static final int QUERIES_PER_THREAD = 50;

    @Test
    void eightThreadsQueryOneSession() throws Exception {
        try (EngineSession session = EngineSession.open()) {
            session.execute("CREATE TABLE numbers AS SELECT value AS n FROM generate_series(1, 200000)");
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            CountDownLatch start = new CountDownLatch(1);
            try {
                List<Future<Integer>> futures = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int thread = t;
                    Callable<Integer> work = () -> {
                        start.await();
                        int checked = 0;
                        for (int q = 0; q < QUERIES_PER_THREAD; q++) {
                            long bound = 1000L * (thread + 1) + q;
                            // Sum of 1..bound, computed independently below.
                            Object sum = session.collect("SELECT sum(n) FROM numbers WHERE n <= " + bound).single();
                            assertEquals(bound * (bound + 1) / 2, sum, "thread " + thread + " query " + q);
                            long rows = session.execute("SELECT n FROM numbers WHERE n % " + (thread + 2) + " = 0");
                            assertEquals(200000L / (thread + 2), rows, "thread " + thread + " query " + q);
                            checked++;
                        }
                        return checked;
                    };
                    futures.add(pool.submit(work));
                }
                start.countDown();
                int total = 0;
                for (Future<Integer> future : futures) {
                    total += future.get(5, TimeUnit.MINUTES);
                }
                assertEquals(THREADS * QUERIES_PER_THREAD, total);
            } finally {
                pool.shutdownNow();
            }
            assertEquals(0, session.allocator().getAllocatedMemory());
        }
    }
}
