package io.pgquorum.coordinator.config;

import io.pgquorum.coordinator.config.ConfigKey.Kind;

/** The {@code restapi} section: where the REST API listens, who may change state through it, and its TLS. */
final class RestApiKeys {
  static final KeyTable TABLE = new KeyTable("restapi", "`restapi`");
  private static final KeyTable T = TABLE;

  static final ConfigKey LISTEN = T.key("listen", Kind.ADDRESS).required().env()
      .why("where the API binds. Patroni defaults to 0.0.0.0:8008; pgquorum binds only what it is told");
  static final ConfigKey CONNECT_ADDRESS = T.key("connect_address", Kind.ADDRESS).env()
      .defaultIs("`restapi.listen`, unless that is a wildcard")
      .why("how other members and pgctl reach this API (the member's api_url)");
  static final ConfigKey AUTHENTICATION = T.key("authentication", Kind.SECTION)
      .why("HTTP Basic credentials required for every POST/PUT/PATCH/DELETE; reads stay open");
  static final ConfigKey AUTH_USERNAME = T.key("authentication.username", Kind.TEXT).env("PATRONI_RESTAPI_USERNAME")
      .defaultIs("required in `restapi.authentication`")
      .why("the user");
  static final ConfigKey AUTH_PASSWORD = T.key("authentication.password", Kind.SECRET)
      .env("PATRONI_RESTAPI_PASSWORD").defaultIs("required in `restapi.authentication`")
      .why("the user's password");
  static final ConfigKey ALLOWLIST = T.key("allowlist", Kind.LIST).env().defaultIs("none (everyone)")
      .accepts("list of addresses, CIDRs, host names")
      .why("who may change state; fails closed: a name that does not resolve allows nobody");
  static final ConfigKey ALLOWLIST_INCLUDE_MEMBERS = T.bool("allowlist_include_members", false).env()
      .why("the cluster members' REST hosts may change state too");
  static final ConfigKey CERTFILE = T.key("certfile", Kind.PATH).env()
      .why("HTTPS is on when set: the server certificate chain, leaf first (may hold the key too)");
  static final ConfigKey KEYFILE = T.key("keyfile", Kind.PATH).env().defaultIs("in `restapi.certfile`")
      .why("the certificate's private key (PKCS#8, encrypted PKCS#8, or PKCS#1 RSA)");
  static final ConfigKey KEYFILE_PASSWORD = T.key("keyfile_password", Kind.SECRET).env()
      .why("decrypts `restapi.keyfile`");
  static final ConfigKey CAFILE = T.key("cafile", Kind.PATH).env()
      .why("the CA client certificates must chain to (needed by verify_client optional/required)");
  static final ConfigKey VERIFY_CLIENT = T.key("verify_client", Kind.CHOICE).dflt("none").env()
      .choices("none", "optional", "required")
      .why("optional: writes need a client certificate, reads (health checks) do not; required: every connection "
          + "needs one");
  static final ConfigKey CIPHERS = T.refused("ciphers", Kind.TEXT).env()
      .why("it takes OpenSSL cipher strings, which the JVM does not understand; pgquorum serves TLS 1.2 and 1.3 "
          + "with the JDK's default cipher suites. Remove restapi.ciphers (refusing to start rather than ignore a "
          + "restriction you configured)");

  static {
    T.ignored("http_extra_headers").env().add();
    T.ignored("https_extra_headers").env().add();
    T.ignored("request_queue_size").env().add();
    T.ignored("server_tokens").add();
  }

  private RestApiKeys() {}
}
