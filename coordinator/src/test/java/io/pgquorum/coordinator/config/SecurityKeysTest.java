package io.pgquorum.coordinator.config;

import static io.pgquorum.coordinator.config.TestConfigs.list;
import static io.pgquorum.coordinator.config.TestConfigs.map;
import static io.pgquorum.coordinator.config.TestConfigs.remove;
import static io.pgquorum.coordinator.config.TestConfigs.set;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The keys of issue 10's security defaults: raft.insecure, the REST API's TLS (Patroni's certfile, keyfile,
 * keyfile_password, cafile, verify_client), the ctl section, allowlist_include_members, and roles without a
 * password. Files are not read here (the server reads them at start; see the rest package's TLS tests).
 */
class SecurityKeysTest {

  @Test
  void raftInsecureDefaultsToFalseAndComesFromTheFileOrTheEnvironment() {
    assertThat(TestConfigs.parse(TestConfigs.minimal()).raft().insecure()).isFalse();
    Map<String, Object> tree = set(TestConfigs.minimal(), "raft.insecure", "yes");
    assertThat(TestConfigs.parse(tree).raft().insecure()).isTrue();
    assertThat(TestConfigs.parse(TestConfigs.minimal(), Map.of("PATRONI_RAFT_INSECURE", "true")).raft().insecure())
        .isTrue();
  }

  /**
   * A refused key written without a value is absent, as every key with a YAML null is: it restricts nothing and
   * asks for nothing (raft.password used to be refused even then, restapi.ciphers not).
   */
  @Test
  void refusedKeysWithoutAValueCountAsAbsent() {
    Map<String, Object> tree = set(TestConfigs.minimal(), "raft.password", null);
    set(tree, "restapi.ciphers", null);
    assertThat(TestConfigs.parse(tree).warnings()).isEmpty();
  }

  @Test
  void raftInsecureNextToTlsIsPointless() {
    Map<String, Object> tree = set(TestConfigs.minimal(), "raft.insecure", true);
    set(tree, "raft.tls", map("certfile", "/c.pem", "keyfile", "/k.pem", "cafile", "/ca.pem"));
    assertThat(TestConfigs.parse(tree).warnings()).containsExactly("raft.insecure: has no effect: raft.tls is "
        + "configured, so member traffic is encrypted and authenticated");
  }

  @Test
  void restApiTlsKeysAsPatroniNamesThemAndTheApiUrlTurnsHttps() {
    Map<String, Object> tree = TestConfigs.minimal();
    set(tree, "restapi.certfile", "/etc/pgq/api.crt");
    set(tree, "restapi.keyfile", "/etc/pgq/api.key");
    set(tree, "restapi.keyfile_password", "key-Secret");
    set(tree, "restapi.cafile", "/etc/pgq/ca.crt");
    set(tree, "restapi.verify_client", "optional");
    RestApiConfig api = TestConfigs.parse(tree).restapi();
    RestApiConfig.Tls tls = api.tls().orElseThrow();
    assertThat(tls.certfile()).isEqualTo(Path.of("/etc/pgq/api.crt"));
    assertThat(tls.keySource()).isEqualTo(Path.of("/etc/pgq/api.key"));
    assertThat(tls.keyfilePassword()).contains("key-Secret");
    assertThat(tls.cafile()).contains(Path.of("/etc/pgq/ca.crt"));
    assertThat(tls.verifyClient()).isEqualTo(RestApiConfig.VerifyClient.OPTIONAL);
    assertThat(tls.toString()).doesNotContain("key-Secret");
    assertThat(api.apiUrl()).isEqualTo("https://127.0.0.1:8008/patroni");
    assertThat(TestConfigs.parse(TestConfigs.minimal()).restapi().apiUrl()).isEqualTo("http://127.0.0.1:8008/patroni");
  }

  @Test
  void aCombinedCertificateAndKeyFileNeedsNoKeyfileAndTheEnvironmentSetsEveryKey() {
    RestApiConfig api = TestConfigs.parse(TestConfigs.minimal(), Map.of(
        "PATRONI_RESTAPI_CERTFILE", "/etc/pgq/api.pem",
        "PATRONI_RESTAPI_CAFILE", "/etc/pgq/ca.crt",
        "PATRONI_RESTAPI_VERIFY_CLIENT", "required")).restapi();
    RestApiConfig.Tls tls = api.tls().orElseThrow();
    assertThat(tls.keyfile()).isEmpty();
    assertThat(tls.keySource()).isEqualTo(Path.of("/etc/pgq/api.pem"));
    assertThat(tls.verifyClient()).isEqualTo(RestApiConfig.VerifyClient.REQUIRED);
  }

  @Test
  void theCtlSectionIsReadAsPatronictlReadsIt() {
    Map<String, Object> tree = TestConfigs.minimal();
    set(tree, "ctl", map("certfile", "/etc/pgq/ctl.crt", "keyfile", "/etc/pgq/ctl.key", "cacert", "/etc/pgq/ca.crt",
        "insecure", "on", "authentication", map("username", "ops", "password", "ops-Secret")));
    NodeConfig c = TestConfigs.parse(tree);
    assertThat(c.warnings()).isEmpty();
    assertThat(c.ctl().certfile()).contains(Path.of("/etc/pgq/ctl.crt"));
    assertThat(c.ctl().keyfile()).contains(Path.of("/etc/pgq/ctl.key"));
    assertThat(c.ctl().cacert()).contains(Path.of("/etc/pgq/ca.crt"));
    assertThat(c.ctl().insecure()).isTrue();
    assertThat(c.ctl().authentication().map(Credentials::username)).contains("ops");
    assertThat(TestConfigs.parse(TestConfigs.minimal()).ctl()).isEqualTo(CtlConfig.none());
    NodeConfig env = TestConfigs.parse(TestConfigs.minimal(), Map.of("PATRONI_CTL_INSECURE", "true",
        "PATRONI_CTL_CACERT", "/ca.pem", "PATRONI_CTL_USERNAME", "ops", "PATRONI_CTL_PASSWORD", "env-Secret"));
    assertThat(env.ctl().insecure()).isTrue();
    assertThat(env.ctl().cacert()).contains(Path.of("/ca.pem"));
    assertThat(env.ctl().authentication().flatMap(Credentials::password)).contains("env-Secret");
  }

  @Test
  void allowlistIncludeMembersIsImplementedNotIgnored() {
    Map<String, Object> tree = set(TestConfigs.minimal(), "restapi.allowlist_include_members", true);
    NodeConfig c = TestConfigs.parse(tree);
    assertThat(c.warnings()).isEmpty();
    assertThat(c.restapi().allowlistIncludeMembers()).isTrue();
    assertThat(c.restapi().restrictsAddresses()).isTrue();
    assertThat(TestConfigs.parse(set(TestConfigs.minimal(), "restapi.allowlist", list("10.0.0.0/8"))).restapi()
        .restrictsAddresses()).isTrue();
    assertThat(TestConfigs.parse(TestConfigs.minimal()).restapi().restrictsAddresses()).isFalse();
  }

  @Test
  void aRoleWithoutAPasswordIsWarnedAboutBecausePgquorumWritesNoTrustLine() {
    Map<String, Object> tree = remove(TestConfigs.minimal(), "postgresql.authentication.superuser.password");
    set(tree, "postgresql.authentication.superuser.sslcert", "/etc/pgq/postgres.crt");
    assertThat(TestConfigs.parse(tree).warnings()).containsExactly("postgresql.authentication.superuser.password: "
        + "is not set: pgquorum writes no pg_hba.conf line for role postgres (it never writes trust), so "
        + "postgresql.pg_hba must let the role connect from this host another way (e.g. hostssl with cert and "
        + "sslcert/sslkey here); pgquorum itself connects as this role over TCP to the loopback");
    assertThat(TestConfigs.parse(TestConfigs.minimal()).postgresql().superuser().password()).isPresent();
    assertThat(Optional.of(TestConfigs.parse(TestConfigs.minimal()).warnings())).contains(java.util.List.of());
  }
}
