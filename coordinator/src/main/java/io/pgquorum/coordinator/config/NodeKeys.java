package io.pgquorum.coordinator.config;

import io.pgquorum.coordinator.config.ConfigKey.Kind;
import java.util.List;

/** The top level of a node's file: the cluster and member names, and the sections pgquorum does not use. */
final class NodeKeys {
  static final KeyTable TABLE = new KeyTable("", "top level");
  private static final KeyTable T = TABLE;

  static final ConfigKey SCOPE = T.key("scope", Kind.TEXT).required().env()
      .accepts("1-64 letters, digits, `.`, `_`, `-`")
      .why("the cluster's name; also names the embedded Raft group (hence stricter than Patroni) and is "
          + "PostgreSQL's cluster_name");
  static final ConfigKey NAME = T.key("name", Kind.TEXT).required().env()
      .accepts("text without `/`, control characters or surrounding spaces")
      .why("this member's unique name, part of the DCS key members/<name>");
  static final ConfigKey NAMESPACE = T.key("namespace", Kind.TEXT).dflt("/service/").env()
      .why("the DCS key prefix (Patroni's); always written as /<namespace>/");

  static final ConfigKey BACKREST = T.key("backrest", Kind.SECTION).defaultIs("none (pgBackRest off)")
      .why("turns pgBackRest on: pgquorum writes this node's pgbackrest.conf, sets archive_mode, archive_command "
          + "and restore_command (explicit values in the configuration win), creates the stanza from the first "
          + "primary, and builds replicas (and reinitializes them, with --delta) from the repository before "
          + "pg_basebackup; its keys are in backrest-adapter/README.md");

  static {
    T.ignored("citus").add();
  }

  /** Other DCSs' sections: refused, with an example of the raft section to write instead. */
  static final List<ConfigKey> FOREIGN_DCS = List.of("etcd", "etcd3", "consul", "zookeeper", "kubernetes",
      "exhibitor").stream().map(name -> T.refused(name, Kind.SECTION)
          .why("pgquorum embeds its own DCS, a Raft group formed by the pgquorum nodes themselves; write a raft "
              + "section instead")).toList();

  private NodeKeys() {}
}
