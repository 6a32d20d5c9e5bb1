package io.pgquorum.testkit.pg;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.testkit.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchPostgresTest {
  @TempDir
  Path dir;

  @Test
  void initdbStartQueryStop() throws IOException {
    try (ScratchPostgres pg = ScratchPostgres.initdb(dir.resolve("data"), dir, FreePorts.next())) {
      pg.start();
      assertThat(pg.sql("select current_setting('port')")).isEqualTo(Integer.toString(pg.port()));
      assertThat(pg.sql("show data_checksums")).isEqualTo("on");
      assertThat(pg.sql("show listen_addresses")).isEmpty();
      pg.stop();
      assertThat(Files.exists(pg.dataDir().resolve("postmaster.pid"))).isFalse();
    }
  }
}
