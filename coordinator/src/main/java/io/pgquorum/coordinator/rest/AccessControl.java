package io.pgquorum.coordinator.rest;

import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.config.RestApiConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may call the state-changing endpoints: {@code restapi.allowlist} (hosts and CIDRs; 403 otherwise) and
 * {@code restapi.authentication} (HTTP Basic; 401 otherwise). Reads are open, as in Patroni, because load
 * balancers and monitoring must not need credentials.
 */
final class AccessControl {
  private static final Logger log = LoggerFactory.getLogger(AccessControl.class);

  /** The realm in the 401 challenge. */
  static final String CHALLENGE = "Basic realm=\"pgquorum\"";

  private final List<Cidr> allowed;
  /** SHA-256 of "user:password"; comparing digests keeps the comparison time independent of length too. */
  private final Optional<byte[]> expectedDigest;

  private AccessControl(List<Cidr> allowed, Optional<byte[]> expectedDigest) {
    this.allowed = allowed;
    this.expectedDigest = expectedDigest;
  }

  /**
   * Builds the rules from the config. Host names in the allowlist are resolved once, here, so no request ever
   * waits on DNS; a name that does not resolve allows nobody (logged), never everybody.
   *
   * @throws IllegalArgumentException when an allowlist entry is malformed (names the entry)
   */
  static AccessControl from(RestApiConfig config) {
    List<Cidr> allowed = new ArrayList<>();
    for (String entry : config.allowlist()) {
      allowed.addAll(Cidr.parse(entry));
    }
    Optional<byte[]> digest = config.authentication().map(AccessControl::credentialDigest);
    return new AccessControl(List.copyOf(allowed), digest);
  }

  private static byte[] credentialDigest(Credentials c) {
    return sha256(c.username() + ":" + c.password().orElse(""));
  }

  /** Whether a non-GET request from {@code remote} passes the allowlist (an empty list allows everyone). */
  boolean allows(InetAddress remote) {
    if (allowed.isEmpty()) {
      return true;
    }
    if (remote == null) {
      return false;
    }
    for (Cidr c : allowed) {
      if (c.contains(remote)) {
        return true;
      }
    }
    return false;
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

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  /** An address block: {@code network/prefix}; a single host is a block of its full length. */
  record Cidr(byte[] network, int prefix) {
    static List<Cidr> parse(String entry) {
      String e = entry.trim();
      int slash = e.indexOf('/');
      if (slash >= 0) {
        String addr = e.substring(0, slash);
        InetAddress base = literal(addr, entry);
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
        return List.of(new Cidr(base.getAddress(), prefix));
      }
      try {
        List<Cidr> out = new ArrayList<>();
        for (InetAddress a : InetAddress.getAllByName(e)) {
          out.add(new Cidr(a.getAddress(), a.getAddress().length * 8));
        }
        return out;
      } catch (UnknownHostException ex) {
        log.warn("restapi.allowlist: '{}' does not resolve; it allows no address", entry);
        return List.of();
      }
    }

    private static InetAddress literal(String addr, String entry) {
      // Only IP literals may carry a prefix; refusing names here also keeps getByName from doing DNS.
      if (!addr.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
        throw new IllegalArgumentException("restapi.allowlist: '" + entry + "' is not an IP address block");
      }
      try {
        return InetAddress.getByName(addr);
      } catch (UnknownHostException ex) {
        throw new IllegalArgumentException("restapi.allowlist: '" + entry + "' is not an IP address block");
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
