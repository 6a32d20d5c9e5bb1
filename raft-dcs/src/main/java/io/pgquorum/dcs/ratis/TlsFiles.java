package io.pgquorum.dcs.ratis;

import io.pgquorum.dcs.api.DcsConfigException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * PEM files for mutual TLS on every DCS connection (member to member, client to member). Each side presents
 * {@code certChain} and accepts only peers whose certificate chains to {@code trustedCa}.
 *
 * @param certChain this member's certificate (optionally followed by intermediates), PEM
 * @param privateKey its private key, unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY})
 * @param trustedCa the CA certificate(s) peers must chain to, PEM
 */
public record TlsFiles(Path certChain, Path privateKey, Path trustedCa) {

  /** Checks that each file is readable; {@code keyPrefix} is the configuration section, e.g. {@code raft.tls}. */
  public void validate(String keyPrefix) {
    check(keyPrefix + ".certfile", certChain);
    check(keyPrefix + ".keyfile", privateKey);
    check(keyPrefix + ".cafile", trustedCa);
  }

  private static void check(String key, Path path) {
    if (path == null) {
      throw new DcsConfigException(key + " is required when TLS is enabled");
    }
    if (!Files.isReadable(path)) {
      throw new DcsConfigException(key + " = '" + path + "' does not exist or is not readable");
    }
  }
}
