package io.pgquorum.coordinator.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code restapi} section.
 *
 * @param listen host:port the REST API binds to (Patroni default {@code 0.0.0.0:8008}; ours binds what is given)
 * @param connectAddress host:port other members and tools use to reach this API
 * @param authentication HTTP Basic credentials protecting every non-GET request, when set
 * @param allowlist hosts/CIDRs allowed to call non-GET endpoints; empty (and no allowlistIncludeMembers) means
 *     everyone
 * @param allowlistIncludeMembers {@code allowlist_include_members}: the cluster members' REST hosts are allowed
 *     too
 * @param tls HTTPS, when {@code restapi.certfile} is set (Patroni's certfile/keyfile/keyfile_password/cafile/
 *     verify_client)
 */
public record RestApiConfig(
    HostPort listen,
    HostPort connectAddress,
    Optional<Credentials> authentication,
    List<String> allowlist,
    boolean allowlistIncludeMembers,
    Optional<Tls> tls) {
  public RestApiConfig {
    allowlist = List.copyOf(allowlist);
  }

  /** Plain HTTP, no members in the allowlist. */
  public RestApiConfig(HostPort listen, HostPort connectAddress, Optional<Credentials> authentication,
      List<String> allowlist) {
    this(listen, connectAddress, authentication, allowlist, false, Optional.empty());
  }

  /**
   * The URL peers use for this node's status, e.g. {@code http://127.0.0.1:8008/patroni} (Patroni's api_url);
   * {@code https://} when the API serves TLS.
   */
  public String apiUrl() {
    return (tls.isPresent() ? "https://" : "http://") + connectAddress + "/patroni";
  }

  /** Whether non-GET requests are restricted by address at all. */
  public boolean restrictsAddresses() {
    return !allowlist.isEmpty() || allowlistIncludeMembers;
  }

  /** Patroni's {@code restapi.verify_client}: whether the server asks TLS clients for a certificate. */
  public enum VerifyClient {
    /** No client certificate is asked for. */
    NONE,
    /**
     * A certificate is asked for and, when sent, must chain to {@code cafile}; requests that change state
     * (POST/PUT/PATCH/DELETE) are refused (403) without one, reads are served (load balancers' health checks).
     */
    OPTIONAL,
    /** Every connection must present a certificate that chains to {@code cafile}. */
    REQUIRED;

    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The REST API's TLS files (PEM).
   *
   * @param certfile the server certificate chain (leaf first); may also hold the key
   * @param keyfile its private key (PKCS#8; encrypted with keyfilePassword when given); absent: in certfile
   * @param keyfilePassword decrypts keyfile
   * @param cafile the CA(s) client certificates must chain to (needed for verify_client optional/required)
   * @param verifyClient whether to ask clients for certificates
   */
  public record Tls(Path certfile, Optional<Path> keyfile, Optional<String> keyfilePassword, Optional<Path> cafile,
      VerifyClient verifyClient) {
    /** The file holding the private key: keyfile, else certfile (Patroni allows a combined file). */
    public Path keySource() {
      return keyfile.orElse(certfile);
    }

    @Override
    public String toString() {
      return "Tls[certfile=" + certfile + ", keyfile=" + keyfile + ", keyfilePassword="
          + (keyfilePassword.isPresent() ? "<redacted>" : "<none>") + ", cafile=" + cafile + ", verifyClient="
          + verifyClient.configName() + "]";
    }
  }
}
