package io.pgquorum.jepsen.fault;

/**
 * A fault as plain data. A {@link Step} applies one at a time offset and reverts it after a duration (heal the
 * partition, SIGCONT, restart, clock back to rate 1 ...). Drivers that cannot inject a kind say so up front
 * ({@link FaultTarget#supports}); a schedule is never silently run without its faults. Each kind of fault has its
 * entry in {@link FaultKinds#ALL} (JSON, generator, shrinker, nemesis, drivers); a new kind's record lives with
 * its {@link FaultKind}.
 */
public interface Fault {

  /** A short name for reports and histories ({@code "partition"}, {@code "kill"} ...). */
  String kind();

  /** A network partition of the given shape; {@code target} is used by ISOLATE, BRIDGE and ONE_WAY. */
  record Partition(PartitionShape shape, Target target) implements Fault {
    @Override
    public String kind() {
      return "partition";
    }
  }

  /**
   * A partition of the DCS (Raft) links alone, in the given shape: REST and replication keep flowing, so the
   * daemons lose the DCS but still reach each other ({@code failsafe_mode}'s situation).
   */
  record DcsPartition(PartitionShape shape, Target target) implements Fault {
    @Override
    public String kind() {
      return "dcs-partition";
    }
  }

  /** kill -9 of a component; reverted by restarting it. */
  record Kill(Target target, Component component) implements Fault {
    @Override
    public String kind() {
      return "kill";
    }
  }

  /** SIGSTOP (daemon) or cgroup freeze (PostgreSQL tree); reverted by SIGCONT / thaw. */
  record Pause(Target target, Component component) implements Fault {
    @Override
    public String kind() {
      return "pause";
    }
  }

  /**
   * The target node's clocks run at {@code rate} times real time (libfaketime {@code +0 xRATE}, monotonic clock
   * included); applying and reverting restart the daemon with and without it.
   */
  record ClockSkew(Target target, double rate) implements Fault {
    @Override
    public String kind() {
      return "clock-skew";
    }
  }

  /** Every link drops traffic with this probability (0..1) where the transport allows it. */
  record PacketLoss(double probability) implements Fault {
    @Override
    public String kind() {
      return "packet-loss";
    }
  }

  /** Every link delays traffic by this many milliseconds where the transport allows it. */
  record Delay(int millis) implements Fault {
    @Override
    public String kind() {
      return "delay";
    }
  }

  /**
   * One key of the cluster's dynamic configuration (the DCS {@code config} key, Patroni's {@code edit-config})
   * is set to {@code value} while the step lasts; the revert writes back what it was (or removes it). Models an
   * operator's edit, e.g. raising {@code ttl} while the leader holds its lease (issue 10, hole 1).
   *
   * @param key one of {@link #KEYS}
   * @param value the new value (seconds, or bytes for {@code maximum_lag_on_failover})
   */
  record DcsConfig(String key, long value) implements Fault {
    /** The keys a schedule may edit: the integer settings of the HA loop. */
    public static final java.util.Set<String> KEYS = java.util.Set.of("ttl", "loop_wait", "retry_timeout",
        "maximum_lag_on_failover", "primary_start_timeout");

    public DcsConfig {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException("dcs-config key must be one of " + new java.util.TreeSet<>(KEYS)
            + ", got \"" + key + "\"");
      }
      if (value < 0) {
        throw new IllegalArgumentException("dcs-config value must not be negative, got " + value);
      }
    }

    @Override
    public String kind() {
      return "dcs-config";
    }
  }
}
