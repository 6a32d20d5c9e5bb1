/**
 * Property-based testing of fault schedules without a framework: a seeded {@link
 * io.pgquorum.jepsen.gen.ScheduleGenerator}, a greedy {@link io.pgquorum.jepsen.gen.Shrinker}, and {@link
 * io.pgquorum.jepsen.gen.PropertyRun}, which prints the seed of a failure, shrinks it and saves the minimal
 * schedule as a regression file.
 */
package io.pgquorum.jepsen.gen;
