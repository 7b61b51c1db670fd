package io.syntaxlake.tasks.lake;

/**
 * The layout of a lake root: {@code tables/<dataset>/} holds each dataset's data (and nothing
 * else, so that catalog autoload over {@code tables/} sees datasets only, with uniform Hive
 * partitions) and {@code pointers/<dataset>.json} names each dataset's committed generation;
 * {@code delta/<dataset>/} holds a dataset kept as a Delta table instead; {@code manifest/<table>/}
 * holds the manifest store's Delta tables (runs, tasks, artifacts).
 */
public record Lake(LakeLocation root) {

    public LakeLocation tables() {
        return root.child("tables");
    }

    public LakeLocation dataset(String name) {
        return tables().child(name);
    }

    /** Where a dataset kept as a Delta table lives (outside {@code tables/}, which autoload reads as plain Parquet). */
    public LakeLocation delta(String dataset) {
        return root.child("delta").child(dataset);
    }

    public String pointer(String dataset) {
        return root.child("pointers").file(dataset + ".json");
    }

    /** Where the manifest store keeps one of its Delta tables ({@code runs}, {@code tasks}, {@code artifacts}). */
    public LakeLocation manifest(String table) {
        return root.child("manifest").child(table);
    }
}
