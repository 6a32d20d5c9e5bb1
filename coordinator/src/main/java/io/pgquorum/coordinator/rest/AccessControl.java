package io.pgquorum.coordinator.rest;

import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.config.RestApiConfig;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may call the state-changing endpoints, checked in Patroni's order: {@code restapi.allowlist} and
 * {@code allowlist_include_members} (403), a client certificate when HTTPS runs with {@code verify_client}
 * optional or required (403), then {@code restapi.authentication} (HTTP Basic; 401). Reads are open, as in
 * Patroni, because load balancers and monitoring must not need credentials.
 *
 * <p>The allowlist fails closed: once it is configured, an address is allowed only if it matches an entry that
 * resolved. A host name that does not resolve allows nobody (logged), and when no entry resolves nobody may
 * change state, never everybody. Names (and the members' REST hosts) are resolved on every check, on the admin
 * thread, never on the I/O threads that serve health checks; the JVM caches lookups (30 s by default), so a name
 * that fails at start is picked up once DNS answers.
 */
final class AccessControl {
  private static final Logger log = LoggerFactory.getLogger(AccessControl.class);

  /** The realm in the 401 challenge. */
  static final String CHALLENGE = "Basic realm=\"pgquorum\"";

  private final List<Cidr> blocks;
  private final List<String> names;
  private final boolean includeMembers;
  private final boolean clientCertificateRequired;
  /** SHA-256 of "user:password"; comparing digests keeps the comparison time independent of length too. */
  private final Optional<byte[]> expectedDigest;

  private AccessControl(List<Cidr> blocks, List<String> names, boolean includeMembers,
      boolean clientCertificateRequired, Optional<byte[]> expectedDigest) {
    this.blocks = blocks;
    this.names = names;
    this.includeMembers = includeMembers;
    this.clientCertificateRequired = clientCertificateRequired;
    this.expectedDigest = expectedDigest;
  }

  /**
   * Builds the rules from the config; names are looked up once here only to warn early.
   *
   * @throws IllegalArgumentException when an allowlist entry is malformed (names the entry)
   */
  static AccessControl from(RestApiConfig config) {
    List<Cidr> blocks = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (String entry : config.allowlist()) {
      Optional<Cidr> block = Cidr.literalBlock(entry);
      if (block.isPresent()) {
        blocks.add(block.get());
      } else {
        names.add(entry.trim());
      }
    }
    boolean certificate = config.tls().map(t -> t.verifyClient() != RestApiConfig.VerifyClient.NONE)
        .orElse(false);
    Optional<byte[]> digest = config.authentication().map(AccessControl::credentialDigest);
    AccessControl access = new AccessControl(List.copyOf(blocks), List.copyOf(names),
        config.allowlistIncludeMembers(), certificate, digest);
    access.warnAboutUnresolvedNames();
    return access;
  }

  private void warnAboutUnresolvedNames() {
    int unresolved = 0;
    for (String name : names) {
      if (resolve(name).isEmpty()) {
        unresolved++;
        log.warn("restapi.allowlist: '{}' does not resolve; it allows no address until it does", name);
      }
    }
    if (unresolved > 0 && unresolved == names.size() && blocks.isEmpty() && !includeMembers) {
      log.error("restapi.allowlist: no entry resolves, so every state-changing request is refused (403) "
          + "until one does");
    }
  }

  private static byte[] credentialDigest(Credentials c) {
    return sha256(c.username() + ":" + c.password().orElse(""));
  }

  /** Whether any address restriction applies at all. */
  boolean restrictsAddresses() {
    return !blocks.isEmpty() || !names.isEmpty() || includeMembers;
  }

  /**
   * Whether a non-GET request from {@code remote} passes the allowlist: everyone when none is configured,
   * otherwise only an address matching an entry or (with allowlist_include_members) a member's REST host. May
   * block on name resolution: call it off the I/O threads.
   *
   * @param memberHosts the hosts of the members' api_urls, as last read from the DCS
   */
  boolean allows(InetAddress remote, Collection<String> memberHosts) {
    if (!restrictsAddresses()) {
      return true;
    }
    if (remote == null) {
      return false;
    }
    for (Cidr c : blocks) {
      if (c.contains(remote)) {
        return true;
      }
    }
    List<String> hosts = new ArrayList<>(names);
    if (includeMembers) {
      hosts.addAll(memberHosts);
    }
    for (String host : hosts) {
      for (InetAddress a : resolve(host)) {
        if (a.equals(remote)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether deciding {@link #allows} for {@code remote} may resolve names: only when the address matches no
   * literal entry and host names or members are configured. Otherwise the decision is immediate.
   */
  boolean needsLookup(InetAddress remote) {
    if (names.isEmpty() && !includeMembers) {
      return false;
    }
    if (remote == null) {
      return false;
    }
    for (Cidr c : blocks) {
      if (c.contains(remote)) {
        return false;
      }
    }
    return true;
  }

  /** Whether a client certificate is required for state-changing requests (HTTPS with verify_client). */
  boolean clientCertificateRequired() {
    return clientCertificateRequired;
  }

  /** Whether the {@code Authorization} header (possibly null) carries the configured credentials. */
  boolean authenticated(String authorization) {
    if (expectedDigest.isEmpty()) {
      return true;
    }
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return false;
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(expectedDigest.get(), sha256(decoded));
  }

  /** The host of an api_url ({@code http://10.0.0.1:8008/patroni}); empty when it has none. */
  static Optional<String> hostOf(String apiUrl) {
    try {
      return Optional.ofNullable(URI.create(apiUrl).getHost())
          .map(h -> h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static List<InetAddress> resolve(String host) {
    try {
      return List.of(InetAddress.getAllByName(host));
    } catch (UnknownHostException | SecurityException e) {
      return List.of();
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  /** An address block: {@code network/prefix}; a single address is a block of its full length. */
  record Cidr(byte[] network, int prefix) {
    /**
     * An IP literal or {@code address/prefix} as a block; empty for anything else (a host name).
     *
     * @throws IllegalArgumentException for a malformed block (a prefix on a name, a bad prefix length)
     */
    static Optional<Cidr> literalBlock(String entry) {
      String e = entry.trim();
      int slash = e.indexOf('/');
      if (slash >= 0) {
        InetAddress base = literal(e.substring(0, slash))
            .orElseThrow(() -> new IllegalArgumentException("restapi.allowlist: '" + entry
                + "' is not an IP address block"));
        int prefix;
        try {
          prefix = Integer.parseInt(e.substring(slash + 1));
        } catch (NumberFormatException ex) {
          throw new IllegalArgumentException("restapi.allowlist: '" + entry + "' has a non-numeric prefix length");
        }
        int bits = base.getAddress().length * 8;
        if (prefix < 0 || prefix > bits) {
          throw new IllegalArgumentException(
              "restapi.allowlist: '" + entry + "' prefix length must be between 0 and " + bits);
        }
        return Optional.of(new Cidr(base.getAddress(), prefix));
      }
      return literal(e).map(a -> new Cidr(a.getAddress(), a.getAddress().length * 8));
    }

    /** Parses (for tests): the block, or every address a name resolves to now. */
    static List<Cidr> parse(String entry) {
      Optional<Cidr> block = literalBlock(entry);
      if (block.isPresent()) {
        return List.of(block.get());
      }
      List<Cidr> out = new ArrayList<>();
      for (InetAddress a : resolve(entry.trim())) {
        out.add(new Cidr(a.getAddress(), a.getAddress().length * 8));
      }
      return out;
    }

    private static Optional<InetAddress> literal(String addr) {
      // Only IP literals; refusing names here also keeps getByName from doing DNS.
      String a = addr.startsWith("[") && addr.endsWith("]") ? addr.substring(1, addr.length() - 1) : addr;
      if (!a.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
        return Optional.empty();
      }
      try {
        return Optional.of(InetAddress.getByName(a));
      } catch (UnknownHostException ex) {
        return Optional.empty();
      }
    }

    boolean contains(InetAddress a) {
      byte[] b = a.getAddress();
      if (b.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (b[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (b[full] & mask) == (network[full] & mask);
    }
  }
}
