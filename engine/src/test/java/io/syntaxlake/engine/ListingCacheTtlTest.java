package io.syntaxlake.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-table listing TTLs on one session: DataFusion caches file listings with no expiry, so a
 * file added later stays invisible to a table without a TTL; a table with a TTL sees it once its
 * TTL has passed, and a table with a long TTL does not see it yet.
 */
class ListingCacheTtlTest {

    @Test
    void aNewFileAppearsOnceTheTablesTtlHasPassedAndNotBefore(@TempDir Path dir) throws Exception {
        String location = dir.toUri().toString();
        Schema schema = new Schema(List.of(new Field("v", FieldType.nullable(new ArrowType.Int(64, true)), List.of())));
        try (EngineSession session = EngineSession.open()) {
            session.execute("COPY (SELECT 1 AS v) TO '" + location + "' STORED AS PARQUET");
            Duration shortTtl = Duration.ofSeconds(2);
            session.registerListingTable(ListingTableSpec.plain("short_ttl", location, ListingTableSpec.Format.PARQUET, schema)
                    .withListingTtl(shortTtl));
            session.registerListingTable(ListingTableSpec.plain("long_ttl", location, ListingTableSpec.Format.PARQUET, schema)
                    .withListingTtl(Duration.ofHours(1)));
            session.registerListingTable(ListingTableSpec.plain("no_ttl", location, ListingTableSpec.Format.PARQUET, schema));
            for (String table : List.of("short_ttl", "long_ttl", "no_ttl")) {
                assertEquals(1L, session.collect("SELECT count(*) FROM " + table).single(), table);
            }
            long listed = System.nanoTime();

            session.execute("COPY (SELECT 2 AS v) TO '" + location + "' STORED AS PARQUET");
            assertEquals(1L, session.collect("SELECT count(*) FROM long_ttl").single(), "within its TTL: still cached");
            assertEquals(1L, session.collect("SELECT count(*) FROM no_ttl").single(), "DataFusion's default: cached for good");

            // wait for the short TTL's deadline itself (not a guess): then the listing must be fresh
            long remaining = shortTtl.toNanos() - (System.nanoTime() - listed);
            if (remaining > 0) {
                Thread.sleep(remaining / 1_000_000 + 1);
            }
            assertEquals(2L, session.collect("SELECT count(*) FROM short_ttl").single(), "after its TTL: listed again");
            assertEquals(1L, session.collect("SELECT count(*) FROM long_ttl").single());
            assertEquals(1L, session.collect("SELECT count(*) FROM no_ttl").single());
        }
    }
}
