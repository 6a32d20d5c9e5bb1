/**
 * The full-stack driver: {@link io.pgquorum.jepsen.stack.PgCluster} (real pgquorum daemons and PostgreSQL 15 on a
 * cuttable {@link io.pgquorum.jepsen.stack.Network}) and the PostgreSQL-side workloads that record into a history:
 * {@link io.pgquorum.jepsen.stack.EpochProbes}, {@link io.pgquorum.jepsen.stack.SetWorkload},
 * {@link io.pgquorum.jepsen.stack.RoleObserver}. See README.md next to this file.
 */
package io.pgquorum.jepsen.stack;
