package io.pgquorum.backrest;

import java.nio.file.Path;

/**
 * Where one node's PostgreSQL and pgBackRest files are.
 *
 * @param dataDir the node's own data directory: its pg1-path
 * @param port PostgreSQL's port
 * @param socketDir PostgreSQL's unix socket directory (pgBackRest connects through it: no password needed)
 * @param workDir a directory of the node's own, outside the data directory (a re-clone empties that): the
 *     generated pgbackrest.conf and pgBackRest's lock, log and spool directories go here, so two nodes on one host
 *     never share locks or spooled WAL
 * @param user the database superuser pgBackRest connects as (pgquorum's superuser); without it libpq would use
 *     the operating system user's name, which is often no role at all ("[056] unable to find primary cluster").
 *     Its password, if the socket needs one, comes from the user's .pgpass: pgquorum writes none into the file
 */
public record NodeLayout(Path dataDir, int port, Path socketDir, Path workDir, String user) {
  public Path confFile() {
    return workDir.resolve("pgbackrest.conf");
  }

  public Path lockDir() {
    return workDir.resolve("lock");
  }

  public Path logDir() {
    return workDir.resolve("log");
  }

  /**
   * pgBackRest's spool; without it, restore falls back to /var/spool/pgbackrest and (measured on 2.45, run as an
   * unprivileged user) fails with "[053] unable to list file info for path '/var/spool/pgbackrest/archive/...':
   * Permission denied".
   */
  public Path spoolDir() {
    return workDir.resolve("spool");
  }
}
