package io.pgquorum.jepsen.stack;

/**
 * One node's identity and ports, chosen before anything starts.
 *
 * @param index 0-based node index (the index faults and links use)
 * @param name member name ({@code node1} for index 0)
 */
public record NodePorts(int index, String name, int raftPort, int restPort, int pgPort) {}
