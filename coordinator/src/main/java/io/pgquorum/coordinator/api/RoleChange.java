package io.pgquorum.coordinator.api;

/**
 * A change of a node's {@link Role} between two published views.
 *
 * @param from the role before
 * @param to the role now
 * @param now the view that showed the new role
 */
public record RoleChange(Role from, Role to, NodeView now) {}
