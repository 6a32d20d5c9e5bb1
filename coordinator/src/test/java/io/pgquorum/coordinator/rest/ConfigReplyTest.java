package io.pgquorum.coordinator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A config change is answered with the new configuration as JSON (Patroni's), secrets redacted as GET shows. */
class ConfigReplyTest {
  private AdminActions.Result next;
  private final RestServer server = RestServer.start(TestHttp.config(Optional.empty(), List.of()),
      Fixtures::primary, new AdminActions.Unsupported() {
        @Override
        public Result patchConfig(Map<String, Object> mergePatch) {
          return next;
        }

        @Override
        public Result putConfig(Map<String, Object> config) {
          return next;
        }
      });
  private final TestHttp http = new TestHttp(server.port());

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void successIsTheNewConfigAsJsonWithPasswordsRedacted() throws Exception {
    next = new AdminActions.Result(200,
        "{\"ttl\":20,\"pause\":true,\"standby_cluster\":{\"host\":\"h\",\"password\":\"s3cr3t-value\"}}");
    for (String method : List.of("PATCH", "PUT")) {
      HttpResponse<String> r = http.send(method, "/config", "{\"ttl\":20}", null);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
          .startsWith("application/json"));
      assertThat(r.body()).contains("\"ttl\":20", "\"pause\":true", "\"host\":\"h\"").doesNotContain("s3cr3t");
    }
  }

  @Test
  void aConflictOrARefusalStaysPlainText() throws Exception {
    next = new AdminActions.Result(409, "the config key was changed by someone else");
    HttpResponse<String> conflict = http.send("PATCH", "/config", "{\"pause\":true}", null);
    assertThat(conflict.statusCode()).isEqualTo(409);
    assertThat(conflict.body()).isEqualTo("the config key was changed by someone else");
    next = new AdminActions.Result(400, "invalid configuration, nothing was changed:\nconfig.ttl: bad");
    HttpResponse<String> invalid = http.send("PUT", "/config", "{\"ttl\":1}", null);
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(invalid.body()).contains("config.ttl: bad");
  }
}
