package io.pgquorum.coordinator.api;

import java.time.Instant;

/**
 * What a node's HA loop last published about itself (the same facts as {@code GET /patroni}).
 *
 * @param scope the cluster's name
 * @param name this member's name
 * @param role its part in the cluster now
 * @param state Patroni's state string ({@code running}, {@code starting}, {@code stopped}, {@code creating
 *     replica} ...)
 * @param holdsLock whether this node holds the leader lock
 * @param timeline PostgreSQL's timeline (0 when unknown)
 * @param message the last HA decision, as the log and {@code pgctl list} show it
 * @param publishedAt when the loop published this view
 */
public record NodeView(String scope, String name, Role role, String state, boolean holdsLock, long timeline,
    String message, Instant publishedAt) {}
