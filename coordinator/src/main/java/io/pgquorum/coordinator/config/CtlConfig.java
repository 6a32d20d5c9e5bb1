package io.pgquorum.coordinator.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code ctl} section, as patronictl reads it: how a client (pgctl, and this node when it asks its peers
 * during a leader race) talks to REST APIs served over HTTPS. Each file falls back to the {@code restapi}
 * section's, as in Patroni: {@code certfile}/{@code keyfile}/{@code keyfile_password} to
 * {@code restapi.certfile/keyfile/keyfile_password}, {@code cacert} to {@code restapi.cafile}.
 *
 * @param certfile the client certificate to present (PEM chain)
 * @param keyfile its private key (PKCS#8 PEM); absent: in certfile
 * @param keyfilePassword decrypts keyfile
 * @param cacert the CA(s) a server certificate must chain to; absent: the JDK's default trust store
 * @param insecure do not verify server certificates at all (patronictl's {@code -k}; for tests and emergencies)
 * @param authentication HTTP Basic credentials sent with every REST request (patronictl's rule; see CtlKeys)
 */
public record CtlConfig(Optional<Path> certfile, Optional<Path> keyfile, Optional<String> keyfilePassword,
    Optional<Path> cacert, boolean insecure, Optional<Credentials> authentication) {

  /** No {@code ctl} section. */
  public static CtlConfig none() {
    return new CtlConfig(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        CtlKeys.INSECURE.defaultBool(), Optional.empty());
  }

  @Override
  public String toString() {
    return "CtlConfig[certfile=" + certfile + ", keyfile=" + keyfile + ", keyfilePassword="
        + (keyfilePassword.isPresent() ? "<redacted>" : "<none>") + ", cacert=" + cacert + ", insecure=" + insecure
        + ", authentication=" + authentication + "]";
  }
}
