package io.pgquorum.jepsen.fault;

import java.util.Set;

/**
 * One applied step as the nemesis resolved it, so that its heal undoes exactly that.
 *
 * @param id unique per nemesis; two applied steps are equal only if they are the same step
 * @param fault the step's fault
 * @param node the node its target resolved to, -1 when it has none
 * @param links the directed links it cuts (partitions), empty otherwise
 * @param description for the history
 */
public record AppliedFault(long id, Fault fault, int node, Set<Link> links, String description) {
}
