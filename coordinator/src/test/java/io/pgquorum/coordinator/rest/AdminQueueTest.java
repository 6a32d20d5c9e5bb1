package io.pgquorum.coordinator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.ha.NodeStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * State-changing requests queue for the one admin thread, but not without bound: while it is busy, at most
 * {@link RestServer#ADMIN_QUEUE} wait and the rest are answered 503 at once; health checks are never held up.
 */
class AdminQueueTest {
  @Test
  void aFloodOfWritesIsCutOffWhileReadsStayServed() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch busy = new CountDownLatch(1);
    RecordingAdmin blocking = new RecordingAdmin() {
      @Override
      public Result reload() {
        busy.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return super.reload();
      }
    };
    NodeStatus status = Fixtures.primary();
    try (RestServer server = RestServer.start(TestHttp.config(Optional.empty(), List.of()), () -> status,
        blocking)) {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      URI reload = URI.create("http://127.0.0.1:" + server.port() + "/reload");
      List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
      sent.add(client.sendAsync(post(reload), HttpResponse.BodyHandlers.ofString()));
      assertThat(busy.await(10, TimeUnit.SECONDS)).as("the admin thread took the first request").isTrue();
      for (int i = 0; i < RestServer.ADMIN_QUEUE + 20; i++) {
        sent.add(client.sendAsync(post(reload), HttpResponse.BodyHandlers.ofString()));
      }
      // While the admin thread is stuck, the overflow is answered at once. Wait (bounded) until 20 refusals came
      // back: then every flood request has reached the server (64 queued + 20 refused), and releasing the admin
      // thread cannot let a late one in.
      long refused = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (refused < 20 && System.nanoTime() < deadline) {
        refused = 0;
        for (CompletableFuture<HttpResponse<String>> f : sent.subList(1, sent.size())) {
          HttpResponse<String> r = f.isDone() ? f.join() : null;
          if (r != null) {
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("too many requests waiting");
            refused++;
          }
        }
        Thread.sleep(10); // poll interval of a deadline-bounded wait
      }
      assertThat(refused).as("the overflow was refused while the admin thread was busy").isEqualTo(20);
      assertThat(new TestHttp(server.port()).send("GET", "/primary").statusCode()).isEqualTo(200);
      release.countDown();
      long served = 0;
      for (CompletableFuture<HttpResponse<String>> f : sent) {
        int code = f.get(30, TimeUnit.SECONDS).statusCode();
        assertThat(code).isIn(202, 503);
        served += code == 202 ? 1 : 0;
      }
      assertThat(served).as("the first and at most ADMIN_QUEUE queued ones ran")
          .isBetween(1L, (long) RestServer.ADMIN_QUEUE + 1);
      assertThat(sent.size() - served).as("the overflow was refused").isGreaterThanOrEqualTo(20);
      assertThat(refused).isLessThanOrEqualTo(sent.size() - served);
    }
  }

  private static HttpRequest post(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody())
        .build();
  }
}
