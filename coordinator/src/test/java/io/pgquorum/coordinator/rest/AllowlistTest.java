package io.pgquorum.coordinator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.config.HostPort;
import io.pgquorum.coordinator.config.RestApiConfig;
import io.pgquorum.coordinator.ha.NodeStatus;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 (hole 7): an allowlist fails closed. Names that do not resolve allow nobody, and when none resolves
 * nobody may change state (it used to allow everybody); allowlist_include_members admits the members' REST hosts.
 * Requests come from 127.0.0.1; {@code .invalid} names never resolve (RFC 2606).
 */
class AllowlistTest {
  private final AtomicReference<NodeStatus> status = new AtomicReference<>(Fixtures.primary());
  private final RecordingAdmin admin = new RecordingAdmin();
  private RestServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private int post(List<String> allowlist, boolean includeMembers) throws Exception {
    if (server != null) {
      server.close();
    }
    RestApiConfig config = new RestApiConfig(new HostPort("127.0.0.1", 0), new HostPort("127.0.0.1", 8008),
        Optional.empty(), allowlist, includeMembers, Optional.empty());
    server = RestServer.start(config, status::get, admin);
    HttpResponse<String> r = new TestHttp(server.port()).send("POST", "/reload", null, null);
    if (r.statusCode() == 403) {
      assertThat(r.body()).contains("restapi.allowlist");
    }
    return r.statusCode();
  }

  @Test
  void anAllowlistWhoseNamesAllFailToResolveDeniesEveryone() throws Exception {
    assertThat(post(List.of("no-such-host.invalid", "also-missing.invalid"), false)).isEqualTo(403);
    assertThat(admin.calls).isEmpty();
    assertThat(new TestHttp(server.port()).send("GET", "/health").statusCode()).as("reads stay open")
        .isEqualTo(200);
  }

  @Test
  void partialResolutionAllowsExactlyTheResolvedEntries() throws Exception {
    assertThat(post(List.of("no-such-host.invalid", "localhost"), false)).isEqualTo(202);
    assertThat(post(List.of("no-such-host.invalid", "10.9.9.9", "192.0.2.0/24"), false)).isEqualTo(403);
    assertThat(post(List.of("no-such-host.invalid", "127.0.0.1"), false)).isEqualTo(202);
  }

  @Test
  void allowlistIncludeMembersAdmitsTheMembersRestHostsAndNobodyElse() throws Exception {
    // Fixtures' members live on 10.0.0.x: this node (on 127.0.0.1) is not one of them.
    assertThat(post(List.of(), true)).isEqualTo(403);
    status.set(withMember(Fixtures.primary(), "n9", "http://127.0.0.1:8008/patroni"));
    assertThat(post(List.of(), true)).isEqualTo(202);
    status.set(withMember(Fixtures.primary(), "n9", "https://localhost:8443/patroni"));
    assertThat(post(List.of("10.9.9.9"), true)).as("an allowlist and the members together").isEqualTo(202);
    status.set(Fixtures.noSnapshot());
    assertThat(post(List.of(), true)).as("no member list read yet: nobody").isEqualTo(403);
    assertThat(post(List.of(), false)).as("no restriction configured: everyone").isEqualTo(202);
  }

  @Test
  void apiUrlHosts() {
    assertThat(AccessControl.hostOf("http://10.0.0.1:8008/patroni")).contains("10.0.0.1");
    assertThat(AccessControl.hostOf("https://[fd00::1]:8008/patroni")).contains("fd00::1");
    assertThat(AccessControl.hostOf("not a url")).isEmpty();
  }

  private static NodeStatus withMember(NodeStatus s, String name, String apiUrl) {
    ClusterSnapshot c = s.cluster().orElseThrow();
    Map<String, Member> members = new java.util.TreeMap<>(c.members());
    members.put(name, new Member(name, 10, "postgres://127.0.0.1:5432/postgres", apiUrl, "running", "replica",
        "0.1.0", OptionalLong.of(1), 3, Optional.of("streaming"), Map.of(), false, Map.of()));
    ClusterSnapshot changed = new ClusterSnapshot(c.revision(), c.initialize(), c.config(), c.leader(), members,
        c.failover(), c.sync(), c.history(), c.status());
    return new NodeStatus(s.scope(), s.name(), s.pg(), s.state(), s.role(), s.holdsLock(), Optional.of(changed),
        s.dcsLastSeen(), s.message(), s.tags(), s.cycleAt(), s.cycleNanos(), 7);
  }
}
