package io.syntaxlake.engine;

/**
 * The plans of one statement as DataFusion prints them: logical and optimized logical plans with
 * their schemas ({@code display_indent_schema}) and the physical plan ({@code displayable().indent}).
 */
public record PlanSnapshot(String logical, String optimized, String physical) {
}
