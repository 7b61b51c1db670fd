package io.syntaxlake.routes.cli;

import io.syntaxlake.tasks.lake.Lake;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.util.List;

/** A lake named on the command line: the operator's own choice, so any local directory or s3:// prefix. */
final class Lakes {
    private Lakes() {
    }

    static Lake parse(String text) {
        return new Lake(LakeLocation.parse(text, List.of()));
    }
}
