package io.pgquorum.coordinator.cluster;

import io.pgquorum.dcs.api.DcsException;
import java.util.Optional;

/**
 * A key named after this member ({@code members/<name>}, or the {@code leader} key holding this name) belongs to
 * another daemon: not this one, and not an earlier, provably dead, start of this node.
 *
 * <p>It is a {@link DcsException} on purpose: the HA loop then treats the DCS as unusable for this node (it writes
 * nothing, takes no lock, and a primary without a valid lease demotes), which is the safe way to sit out the
 * question "is that other daemon alive?" until the key expires or is written again.
 *
 * @see ClusterStore#load()
 */
public final class DuplicateNameException extends DcsException {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final String key;
  private final String owner;
  private final transient Optional<String> apiUrl;
  private final transient Optional<String> evidence;

  /**
   * @param evidence why the other daemon is known to be alive (confirmed), or empty while that is not known
   */
  DuplicateNameException(String name, String key, String owner, Optional<String> apiUrl, Optional<String> evidence) {
    super(evidence.isPresent()
        ? "there is already a node named '" + name + "' running (" + evidence.get() + "); give every node a "
            + "unique name"
        : key + " belongs to another daemon named '" + name + "' (owner " + owner + ", not this node's); this node "
            + "takes no part until that key expires, and stops if the other daemon keeps writing it");
    this.name = name;
    this.key = key;
    this.owner = owner;
    this.apiUrl = apiUrl;
    this.evidence = evidence;
  }

  /** The same finding, now known to be a live daemon because of {@code why}. */
  DuplicateNameException confirmedBy(String why) {
    return new DuplicateNameException(name, key, owner, apiUrl, Optional.of(why));
  }

  /** The member name in question. */
  public String name() {
    return name;
  }

  /** The key found owned by another daemon. */
  public String key() {
    return key;
  }

  /** That daemon's owner id. */
  public String owner() {
    return owner;
  }

  /** That daemon's REST API ({@code api_url} of the member key), when the key is a member key and names one. */
  public Optional<String> apiUrl() {
    return apiUrl == null ? Optional.empty() : apiUrl;
  }

  /**
   * True once the other daemon is known to be alive (its REST API answered, or it was seen writing the key);
   * false while that is not known yet.
   */
  public boolean confirmed() {
    return evidence != null && evidence.isPresent();
  }
}
