package io.pgquorum.coordinator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.ha.NodeStatus;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** POST /backup is authenticated and validated like every write; GET /backups is a read, answered as JSON. */
class BackupEndpointsTest {
  private static final String AUTH = TestHttp.basic("admin", "pa55-w0rd-xyz");
  private final AtomicReference<NodeStatus> status = new AtomicReference<>(Fixtures.primary());
  private final RecordingAdmin admin = new RecordingAdmin();
  private RestServer server;
  private TestHttp http;

  @BeforeEach
  void start() {
    server = RestServer.start(TestHttp.config(Optional.of(Credentials.of("admin", "pa55-w0rd-xyz")), List.of()),
        status::get, admin);
    http = new TestHttp(server.port());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void postBackupNeedsCredentialsAndPassesTheType() throws Exception {
    assertThat(http.send("POST", "/backup", "{\"type\":\"full\"}", null).statusCode()).isEqualTo(401);
    assertThat(admin.calls).isEmpty();
    HttpResponse<String> ok = http.send("POST", "/backup", "{\"type\":\"full\"}", AUTH);
    assertThat(ok.statusCode()).isEqualTo(202);
    HttpResponse<String> dflt = http.send("POST", "/backup", null, AUTH);
    assertThat(dflt.statusCode()).isEqualTo(202);
    assertThat(admin.calls).containsExactly(List.of("backup", Optional.of("full")),
        List.of("backup", Optional.empty()));
  }

  @Test
  void aBadBodyIs400NamingTheField() throws Exception {
    HttpResponse<String> type = http.send("POST", "/backup", "{\"type\":\"weekly\"}", AUTH);
    assertThat(type.statusCode()).isEqualTo(400);
    assertThat(type.body()).contains("type").contains("must be full, diff or incr, got 'weekly'");
    HttpResponse<String> field = http.send("POST", "/backup", "{\"kind\":\"full\"}", AUTH);
    assertThat(field.statusCode()).isEqualTo(400);
    assertThat(field.body()).contains("kind").contains("unknown field");
    assertThat(admin.calls).isEmpty();
  }

  @Test
  void getBackupsIsAReadAnsweredAsJson() throws Exception {
    HttpResponse<String> r = http.send("GET", "/backups");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("json"));
    assertThat(r.body()).isEqualTo("[{\"name\":\"demo\"}]");
    // Not implemented by this admin: 503 naming what is missing.
    assertThat(http.send("GET", "/backup").statusCode()).isEqualTo(503);
  }

  @Test
  void aSlowGetBackupsDoesNotHoldUpAdminRequests() throws Exception {
    // pgbackrest info may take up to its command timeout; anyone may send the read. An admin request sent while
    // one hangs is still answered (it would queue behind it on the one admin thread).
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    RecordingAdmin blocking = new RecordingAdmin() {
      @Override
      public Result backups() {
        entered.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return super.backups();
      }
    };
    server.close();
    server = RestServer.start(TestHttp.config(Optional.of(Credentials.of("admin", "pa55-w0rd-xyz")), List.of()),
        status::get, blocking);
    http = new TestHttp(server.port());
    java.util.concurrent.CompletableFuture<HttpResponse<String>> slow =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          try {
            return http.send("GET", "/backups");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    try {
      assertThat(entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("GET /backups is running").isTrue();
      assertThat(http.send("POST", "/reload", null, AUTH).statusCode()).as("POST /reload meanwhile").isEqualTo(202);
    } finally {
      release.countDown();
    }
    assertThat(slow.get(10, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }
}
