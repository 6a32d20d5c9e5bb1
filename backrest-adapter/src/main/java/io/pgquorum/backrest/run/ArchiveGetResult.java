package io.pgquorum.backrest.run;

/**
 * What {@code archive-get} came to. A WAL file not (yet) in the archive is an ordinary answer (pgBackRest exits 1
 * and prints nothing, measured on 2.45): recovery asks for the next file until there is none.
 */
public sealed interface ArchiveGetResult {
  /** The file was copied to its destination. */
  record Found(CommandRun run) implements ArchiveGetResult {}

  /** The archive has no such file. */
  record NotFound(CommandRun run) implements ArchiveGetResult {}

  /** Any other failure. */
  record Failed(BackrestFailure failure) implements ArchiveGetResult {}
}
