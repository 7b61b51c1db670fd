package io.syntaxlake.tasks.lake;

/**
 * The layout of a lake root: {@code tables/<dataset>/} holds each dataset's data (and nothing
 * else, so that catalog autoload over {@code tables/} sees datasets only, with uniform Hive
 * partitions) and {@code pointers/<dataset>.json} names each dataset's committed generation.
 */
public record Lake(LakeLocation root) {

    public LakeLocation tables() {
        return root.child("tables");
    }

    public LakeLocation dataset(String name) {
        return tables().child(name);
    }

    public String pointer(String dataset) {
        return root.child("pointers").file(dataset + ".json");
    }
}
