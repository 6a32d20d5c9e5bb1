package io.pgquorum.jepsen.stack;

/**
 * Where one node listens and how the others (and the harness) reach it, as the {@link Network} arranged it. Every
 * value is a {@code host:port} except {@link #harnessHost}.
 *
 * @param raftSelf {@code raft.self_addr}: how the other members dial this one
 * @param raftBind {@code raft.bind_addr}
 * @param restListen {@code restapi.listen}
 * @param restConnect {@code restapi.connect_address} (peers' leader-race checks use it)
 * @param pgListen {@code postgresql.listen}
 * @param pgConnect {@code postgresql.connect_address} (replicas stream from it, pg_rewind reads from it)
 * @param harnessHost the host this JVM (clients, observer, probes) uses to reach the node's REST API and
 *     PostgreSQL directly, outside any fault
 */
public record NodeAddresses(String raftSelf, String raftBind, String restListen, String restConnect,
    String pgListen, String pgConnect, String harnessHost) {}
