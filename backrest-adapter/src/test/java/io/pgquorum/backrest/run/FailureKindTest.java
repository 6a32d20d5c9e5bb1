package io.pgquorum.backrest.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The failures captured from pgBackRest 2.45 on this project's machine (test resources), classified. */
class FailureKindTest {
  static String captured(String name) throws IOException {
    try (InputStream in = FailureKindTest.class.getResourceAsStream("/pgbackrest-2.45/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "backup-nostanza.stderr | 55 | STANZA_MISSING | ERROR: [055]: unable to load info file",
      "backup-pgdown.stderr | 56 | NO_PRIMARY | ERROR: [056]: unable to find primary cluster - cannot proceed "
          + "HINT: are all available clusters in recovery?; WARN: unable to check pg1: [DbConnectError]",
      "check-pgdown.stderr | 27 | DATABASE_UNREACHABLE | ERROR: [027]: no database found",
      "push-wrongdir.stderr | 32 | WRONG_PG1_PATH | ERROR: [032]: PostgreSQL working directory '/' is not the same",
      "restore-nonempty.stderr | 40 | RESTORE_TARGET_NOT_EMPTY | ERROR: [040]: unable to restore to path",
      "restore-badset.stderr | 75 | BACKUP_SET_INVALID | ERROR: [075]: backup set 20000101-000000F is not valid",
      "restore-notarget.stderr | 37 | BAD_OPTION | ERROR: [037]: restore command requires option: target",
      "bogus-option.stderr | 31 | BAD_OPTION | ERROR: [031]: invalid option '--bogus'",
  })
  void capturedFailuresAreClassified(String file, int exit, FailureKind kind, String textStart) throws IOException {
    String out = captured(file);
    assertThat(FailureKind.classify(exit, out)).isEqualTo(kind);
    assertThat(BackrestRunner.errorText(out)).startsWith(textStart);
    assertThat(FailureKind.errorCode(out)).contains(exit);
  }

  @ParameterizedTest
  @CsvSource({
      "'ERROR: [050]: unable to acquire lock on file', 50, LOCK_HELD",
      "'ERROR: [082]: WAL segment 000000010000000000000003 was not archived before the 60000ms timeout', 82, "
          + "ARCHIVE_TIMEOUT",
      "'ERROR: [045]: WAL file already exists in the repo1 archive with a different checksum', 45, "
          + "WAL_DIFFERENT_CHECKSUM",
      "'something without a code', 99, OTHER",
  })
  void otherKnownMessages(String out, int exit, FailureKind kind) {
    assertThat(FailureKind.classify(exit, out)).isEqualTo(kind);
  }

  @Test
  void aStanzaMissingFromTheFileIsToldFromOtherMissingOptions() throws IOException {
    assertThat(FailureKind.classify(37, captured("check-nostanza.stderr"))).isEqualTo(
        FailureKind.STANZA_NOT_CONFIGURED);
  }

  @Test
  void theHintIsPartOfTheDetail() throws IOException {
    assertThat(BackrestRunner.errorText(captured("restore-nonempty.stderr"))).isEqualTo(
        "ERROR: [040]: unable to restore to path '/tmp/brcap/b/nonempty' because it contains files "
            + "HINT: try using --delta if this is what you intended.");
  }
}
