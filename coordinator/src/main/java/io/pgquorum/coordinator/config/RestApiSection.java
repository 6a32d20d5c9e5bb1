package io.pgquorum.coordinator.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code restapi} section: where the API listens, who may change state through it (authentication,
 * allowlist, allowlist_include_members, client certificates) and its TLS (Patroni's certfile, keyfile,
 * keyfile_password, cafile, verify_client).
 */
final class RestApiSection {
  private RestApiSection() {}

  /** Null (after reporting) when the section is missing or broken. */
  static RestApiConfig parse(Section root) {
    Problems problems = root.problems();
    int before = problems.errorCount();
    Optional<Section> section = root.section("restapi");
    if (section.isEmpty()) {
      if (problems.errorCount() == before) {
        problems.error("restapi", "is required, with at least listen (for example restapi: {listen: "
            + "0.0.0.0:8008, connect_address: 10.0.0.1:8008})");
      }
      return null;
    }
    Section s = section.get();
    HostPort listen = null;
    if (!s.has("listen")) {
      problems.error(s.keyPath("listen"), "is required (host:port the REST API binds to, e.g. 0.0.0.0:8008)");
    } else {
      listen = Addresses.parse(s.keyPath("listen"), s.value("listen"), Addresses.Kind.LISTEN, problems);
    }
    HostPort connect = null;
    if (s.has("connect_address")) {
      connect = Addresses.parse(s.keyPath("connect_address"), s.value("connect_address"), Addresses.Kind.CONNECT,
          problems);
    } else if (listen != null) {
      if (Addresses.isWildcard(listen.host())) {
        problems.error(s.keyPath("connect_address"), "is required when restapi.listen is the wildcard "
            + listen + ": other members and pgctl need an address they can reach");
      } else {
        connect = listen;
      }
    }

    Optional<Credentials> authentication = credentials(s);
    List<String> allowlist = s.stringList("allowlist");
    boolean includeMembers = s.bool("allowlist_include_members", false);
    Optional<RestApiConfig.Tls> tls = tls(s);
    if (s.has("ciphers")) {
      problems.error(s.keyPath("ciphers"), "is not supported: it takes OpenSSL cipher strings, which the JVM does "
          + "not understand; pgquorum serves TLS 1.2 and 1.3 with the JDK's default cipher suites. Remove "
          + "restapi.ciphers (refusing to start rather than ignore a restriction you configured)");
    }
    s.unsupported("http_extra_headers", null);
    s.unsupported("https_extra_headers", null);
    s.unsupported("request_queue_size", null);
    s.unsupported("server_tokens", null);
    s.warnUnknown();
    if (problems.errorCount() > before) {
      return null;
    }
    return new RestApiConfig(listen, connect, authentication, allowlist, includeMembers, tls);
  }

  /** {@code authentication: {username, password}}, shared with the {@code ctl} section. */
  static Optional<Credentials> credentials(Section s) {
    Optional<Section> auth = s.section("authentication");
    if (auth.isEmpty()) {
      return Optional.empty();
    }
    Section a = auth.get();
    String username = a.requiredString("username");
    Optional<String> password = a.secret("password");
    if (!a.has("password")) {
      s.problems().error(a.keyPath("password"), "is required when " + s.keyPath("authentication") + " is set");
    }
    a.warnUnknown();
    if (username != null && password.isPresent()) {
      return Optional.of(Credentials.of(username, password.get()));
    }
    return Optional.empty();
  }

  /**
   * Patroni's TLS keys. HTTPS is on when certfile is set; every other TLS key without it is an error (it would
   * otherwise be silently ignored while the API serves plain HTTP). The files are read when the server starts.
   */
  private static Optional<RestApiConfig.Tls> tls(Section s) {
    Problems problems = s.problems();
    int before = problems.errorCount();
    Optional<Path> certfile = s.path("certfile");
    Optional<Path> keyfile = s.path("keyfile");
    Optional<String> password = s.secret("keyfile_password");
    Optional<Path> cafile = s.path("cafile");
    RestApiConfig.VerifyClient verify = RestApiConfig.VerifyClient.NONE;
    if (s.has("verify_client")) {
      Object v = s.value("verify_client");
      String text = v instanceof String ? ((String) v).trim().toLowerCase(Locale.ROOT) : "";
      switch (text) {
        case "none" -> verify = RestApiConfig.VerifyClient.NONE;
        case "optional" -> verify = RestApiConfig.VerifyClient.OPTIONAL;
        case "required" -> verify = RestApiConfig.VerifyClient.REQUIRED;
        default -> problems.error(s.keyPath("verify_client"), "must be one of none, optional, required, got "
            + problems.show(v));
      }
    }
    if (certfile.isEmpty()) {
      List<String> orphans = new ArrayList<>();
      for (String key : List.of("keyfile", "keyfile_password", "cafile", "verify_client")) {
        if (s.has(key)) {
          orphans.add(key);
        }
      }
      if (!orphans.isEmpty() && problems.errorCount() == before) {
        problems.error(s.keyPath(orphans.get(0)), "needs restapi.certfile: HTTPS is on only when certfile "
            + "(and keyfile) are set; without it the API would serve plain HTTP although "
            + String.join(", ", orphans) + " " + (orphans.size() == 1 ? "is" : "are") + " configured");
      }
      return Optional.empty();
    }
    if (verify != RestApiConfig.VerifyClient.NONE && cafile.isEmpty()) {
      problems.error(s.keyPath("verify_client"), verify.configName() + " needs restapi.cafile, the CA that "
          + "client certificates must chain to");
    }
    if (problems.errorCount() > before) {
      return Optional.empty();
    }
    return Optional.of(new RestApiConfig.Tls(certfile.get(), keyfile, password, cafile, verify));
  }
}
