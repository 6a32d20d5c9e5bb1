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
    Optional<Section> section = root.section(RestApiKeys.TABLE.prefix());
    if (section.isEmpty()) {
      if (problems.errorCount() == before) {
        problems.error(RestApiKeys.TABLE.prefix(), "is required, with at least listen (for example restapi: {listen: "
            + "0.0.0.0:8008, connect_address: 10.0.0.1:8008})");
      }
      return null;
    }
    Section s = section.get();
    HostPort listen = null;
    if (!s.has(RestApiKeys.LISTEN)) {
      problems.error(s.keyPath(RestApiKeys.LISTEN), "is required (host:port the REST API binds to, e.g. "
          + "0.0.0.0:8008)");
    } else {
      listen = Addresses.parse(s.keyPath(RestApiKeys.LISTEN), s.value(RestApiKeys.LISTEN), Addresses.Kind.LISTEN,
          problems);
    }
    HostPort connect = null;
    if (s.has(RestApiKeys.CONNECT_ADDRESS)) {
      connect = Addresses.parse(s.keyPath(RestApiKeys.CONNECT_ADDRESS), s.value(RestApiKeys.CONNECT_ADDRESS),
          Addresses.Kind.CONNECT, problems);
    } else if (listen != null) {
      if (Addresses.isWildcard(listen.host())) {
        problems.error(s.keyPath(RestApiKeys.CONNECT_ADDRESS), "is required when " + RestApiKeys.LISTEN.path()
            + " is the wildcard "
            + listen + ": other members and pgctl need an address they can reach");
      } else {
        connect = listen;
      }
    }

    Optional<Credentials> authentication = credentials(s, RestApiKeys.AUTHENTICATION, RestApiKeys.AUTH_USERNAME,
        RestApiKeys.AUTH_PASSWORD);
    List<String> allowlist = s.stringList(RestApiKeys.ALLOWLIST);
    boolean includeMembers = s.boolOrDefault(RestApiKeys.ALLOWLIST_INCLUDE_MEMBERS);
    Optional<RestApiConfig.Tls> tls = tls(s);
    s.refuse(RestApiKeys.CIPHERS);
    s.unsupported(RestApiKeys.TABLE.keys(ConfigKey.Support.IGNORED));
    s.warnUnknown();
    if (problems.errorCount() > before) {
      return null;
    }
    return new RestApiConfig(listen, connect, authentication, allowlist, includeMembers, tls);
  }

  /**
   * {@code authentication: {username, password}} (both required when the section is present), shared with the
   * {@code ctl} section.
   */
  static Optional<Credentials> credentials(Section s, ConfigKey section, ConfigKey usernameKey,
      ConfigKey passwordKey) {
    Optional<Section> auth = s.section(section);
    if (auth.isEmpty()) {
      return Optional.empty();
    }
    Section a = auth.get();
    String username = a.requiredString(usernameKey);
    Optional<String> password = a.secret(passwordKey);
    if (!a.has(passwordKey)) {
      s.problems().error(a.keyPath(passwordKey), "is required when " + s.keyPath(section) + " is set");
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
    Optional<Path> certfile = s.path(RestApiKeys.CERTFILE);
    Optional<Path> keyfile = s.path(RestApiKeys.KEYFILE);
    Optional<String> password = s.secret(RestApiKeys.KEYFILE_PASSWORD);
    Optional<Path> cafile = s.path(RestApiKeys.CAFILE);
    RestApiConfig.VerifyClient verify = RestApiConfig.VerifyClient.valueOf(
        s.choiceOrDefault(RestApiKeys.VERIFY_CLIENT).toUpperCase(Locale.ROOT));
    if (certfile.isEmpty()) {
      List<String> orphans = new ArrayList<>();
      for (ConfigKey key : List.of(RestApiKeys.KEYFILE, RestApiKeys.KEYFILE_PASSWORD, RestApiKeys.CAFILE,
          RestApiKeys.VERIFY_CLIENT)) {
        if (s.has(key)) {
          orphans.add(key.name());
        }
      }
      if (!orphans.isEmpty() && problems.errorCount() == before) {
        problems.error(s.keyPath(orphans.get(0)), "needs " + RestApiKeys.CERTFILE.path() + ": HTTPS is on only "
            + "when certfile (and keyfile) are set; without it the API would serve plain HTTP although "
            + String.join(", ", orphans) + " " + (orphans.size() == 1 ? "is" : "are") + " configured");
      }
      return Optional.empty();
    }
    if (verify != RestApiConfig.VerifyClient.NONE && cafile.isEmpty()) {
      problems.error(s.keyPath(RestApiKeys.VERIFY_CLIENT), verify.configName() + " needs "
          + RestApiKeys.CAFILE.path() + ", the CA that "
          + "client certificates must chain to");
    }
    if (problems.errorCount() > before) {
      return Optional.empty();
    }
    return Optional.of(new RestApiConfig.Tls(certfile.get(), keyfile, password, cafile, verify));
  }
}
