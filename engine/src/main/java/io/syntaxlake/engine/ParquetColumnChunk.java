package io.syntaxlake.engine;

/**
 * One column chunk of a written Parquet file, from its footer: the dotted column path (nested
 * columns as {@code nodes.list.element.kind}), the codec, and whether chunk statistics, a page
 * index (page-level statistics), a bloom filter and a dictionary page were written.
 */
public record ParquetColumnChunk(String file, int rowGroup, String column, String compression, boolean statistics,
                                 boolean pageIndex, boolean bloomFilter, boolean dictionary) {
}
