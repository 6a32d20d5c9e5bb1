package io.pgquorum.backrest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgBackRestConfTest {
  private static final NodeLayout NODE = new NodeLayout(Path.of("/srv/pg/node1/data"), 5433,
      Path.of("/srv/pg/node1/run"), Path.of("/srv/pg/node1/pgbackrest"), "postgres");

  private static BackrestSettings settings(String yamlSection) {
    Object section = new org.yaml.snakeyaml.Yaml().load(yamlSection);
    return BackrestSection.parse(section, "batman").settings().orElseThrow();
  }

  @Test
  void eachNodeGetsItsOwnPg1PathAndItsOwnLockLogAndSpoolDirectories() {
    PgBackRestConf conf = PgBackRestConf.render(settings("repo1: {path: /mnt/repo}"), NODE);
    assertThat(conf.text()).isEqualTo("""
        # Written by pgquorum from the backrest section of its configuration; edits are lost.
        [global]
        repo1-type=posix
        repo1-path=/mnt/repo
        repo1-retention-full=2
        process-max=1
        lock-path=/srv/pg/node1/pgbackrest/lock
        log-path=/srv/pg/node1/pgbackrest/log
        spool-path=/srv/pg/node1/pgbackrest/spool
        start-fast=y

        [batman]
        pg1-path=/srv/pg/node1/data
        pg1-port=5433
        pg1-socket-path=/srv/pg/node1/run
        pg1-user=postgres
        """);
    assertThat(conf.redacted()).isEqualTo(conf.text());
  }

  @Test
  void optionsFollowInTheirOrderAndSecretsAreRedactedInTheShownText() {
    PgBackRestConf conf = PgBackRestConf.render(settings("""
        stanza: main
        options: {start-fast: false, repo1-cipher-type: aes-256-cbc, repo1-cipher-pass: "Xx-s3cret", db-exclude: [a, b]}
        """), NODE);
    assertThat(conf.text()).contains("spool-path=/srv/pg/node1/pgbackrest/spool\nstart-fast=n\n"
        + "repo1-cipher-type=aes-256-cbc\nrepo1-cipher-pass=Xx-s3cret\ndb-exclude=a\ndb-exclude=b\n\n[main]\n");
    assertThat(conf.text()).containsOnlyOnce("start-fast");
    assertThat(conf.redacted()).contains("repo1-cipher-pass=<redacted>\n").doesNotContain("Xx-s3cret");
    assertThat(conf.toString()).doesNotContain("Xx-s3cret");
  }

  @Test
  void theFileIsOwnerOnlyAndTheDirectoriesExist(@TempDir Path dir) throws IOException {
    NodeLayout node = new NodeLayout(dir.resolve("data"), 5433, dir, dir.resolve("node/pgbackrest"), "postgres");
    PgBackRestConf conf = PgBackRestConf.render(settings("{}"), node);
    conf.write(node);
    conf.write(node); // again: replaces the file
    assertThat(Files.readString(node.confFile())).isEqualTo(conf.text());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(node.confFile())))
        .isEqualTo("rw-------");
    assertThat(node.lockDir()).isDirectory();
    assertThat(node.logDir()).isDirectory();
    assertThat(node.spoolDir()).isDirectory();
    assertThat(Files.list(node.workDir()).map(p -> p.getFileName().toString()).sorted().toList())
        .containsExactly("lock", "log", "pgbackrest.conf", "spool");
  }

  @Test
  void archiveAndRestoreCommandsNameTheNodesOwnFile() {
    BackrestSettings s = settings("{}");
    assertThat(PgCommands.archiveCommand(s, NODE))
        .isEqualTo("pgbackrest --config=/srv/pg/node1/pgbackrest/pgbackrest.conf --stanza=batman archive-push %p");
    assertThat(PgCommands.restoreCommand(s, NODE)).isEqualTo(
        "pgbackrest --config=/srv/pg/node1/pgbackrest/pgbackrest.conf --stanza=batman archive-get %f \"%p\"");
  }

  @Test
  void unusualPathsAreQuotedForTheShellAndPercentIsDoubledForPostgres() {
    BackrestSettings s = settings("command: /opt/pg backrest/bin/pgbackrest");
    NodeLayout node = new NodeLayout(NODE.dataDir(), 5433, NODE.socketDir(), Path.of("/srv/it's 100%"), "postgres");
    assertThat(PgCommands.archiveCommand(s, node)).isEqualTo(
        "'/opt/pg backrest/bin/pgbackrest' '--config=/srv/it'\\''s 100%%/pgbackrest.conf' --stanza=batman "
            + "archive-push %p");
    assertThat(PgCommands.shellWord("a;rm -rf /")).isEqualTo("'a;rm -rf /'");
  }
}
