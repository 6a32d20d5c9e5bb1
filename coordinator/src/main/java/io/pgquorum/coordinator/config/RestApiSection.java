package io.pgquorum.coordinator.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code restapi} section. */
final class RestApiSection {
  private static final List<String> TLS_KEYS =
      List.of("certfile", "keyfile", "keyfile_password", "cafile", "ciphers", "verify_client");

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

    Optional<Credentials> authentication = Optional.empty();
    Optional<Section> auth = s.section("authentication");
    if (auth.isPresent()) {
      Section a = auth.get();
      String username = a.requiredString("username");
      Optional<String> password = a.secret("password");
      if (!a.has("password")) {
        problems.error(a.keyPath("password"), "is required when restapi.authentication is set");
      }
      a.warnUnknown();
      if (username != null && password.isPresent()) {
        authentication = Optional.of(Credentials.of(username, password.get()));
      }
    }
    List<String> allowlist = s.stringList("allowlist");

    List<String> tls = new ArrayList<>();
    for (String key : TLS_KEYS) {
      if (s.has(key)) {
        tls.add(key);
      }
    }
    if (!tls.isEmpty()) {
      problems.error(s.keyPath(tls.get(0)), "HTTPS for the REST API is not supported by pgquorum yet; remove "
          + String.join(", ", tls) + " from restapi (refusing to start rather than serve plain HTTP where TLS "
          + "was configured)");
    }
    s.unsupported("allowlist_include_members", "list the members' addresses in restapi.allowlist instead");
    s.unsupported("http_extra_headers", null);
    s.unsupported("https_extra_headers", null);
    s.unsupported("request_queue_size", null);
    s.unsupported("server_tokens", null);
    s.warnUnknown();
    if (problems.errorCount() > before) {
      return null;
    }
    return new RestApiConfig(listen, connect, authentication, allowlist);
  }
}
