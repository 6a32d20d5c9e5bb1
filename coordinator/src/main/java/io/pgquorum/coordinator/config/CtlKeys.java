package io.pgquorum.coordinator.config;

import io.pgquorum.coordinator.config.ConfigKey.Kind;

/**
 * The {@code ctl} section, as patronictl reads it: how pgctl, and this node when it asks its peers, talk to REST
 * APIs over HTTPS. Each file falls back to the {@code restapi} section's, as in Patroni.
 */
final class CtlKeys {
  static final KeyTable TABLE = new KeyTable("ctl", "`ctl`");
  private static final KeyTable T = TABLE;

  static final ConfigKey CERTFILE = T.key("certfile", Kind.PATH).env().defaultIs("`restapi.certfile`")
      .why("the client certificate presented to peers' HTTPS APIs");
  static final ConfigKey KEYFILE = T.key("keyfile", Kind.PATH).env()
      .defaultIs("in `ctl.certfile`, else `restapi.keyfile`")
      .why("the client certificate's private key");
  static final ConfigKey KEYFILE_PASSWORD = T.key("keyfile_password", Kind.SECRET).env()
      .defaultIs("`restapi.keyfile_password`")
      .why("decrypts `ctl.keyfile`");
  static final ConfigKey CACERT = T.key("cacert", Kind.PATH).env()
      .defaultIs("`restapi.cafile`, else the JDK's trust store")
      .why("the CA a server certificate must chain to");
  static final ConfigKey INSECURE = T.bool("insecure", false).env()
      .why("do not verify server certificates at all (patronictl's -k; for tests and emergencies)");
  static final ConfigKey AUTHENTICATION = T.key("authentication", Kind.SECTION)
      .defaultIs("`restapi.authentication`")
      .why("HTTP Basic credentials pgctl sends with every REST request (patronictl's)");
  static final ConfigKey AUTH_USERNAME = T.key("authentication.username", Kind.TEXT).env("PATRONI_CTL_USERNAME")
      .defaultIs("required in `ctl.authentication`")
      .why("the user");
  static final ConfigKey AUTH_PASSWORD = T.key("authentication.password", Kind.SECRET).env("PATRONI_CTL_PASSWORD")
      .defaultIs("required in `ctl.authentication`")
      .why("the user's password");

  private CtlKeys() {}
}
