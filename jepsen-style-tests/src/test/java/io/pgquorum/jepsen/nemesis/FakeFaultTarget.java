package io.pgquorum.jepsen.nemesis;

import io.pgquorum.jepsen.fault.Component;
import io.pgquorum.jepsen.fault.Fault;
import io.pgquorum.jepsen.fault.FaultTarget;
import io.pgquorum.jepsen.fault.Link;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;

/**
 * An in-memory cluster that logs every driver call and keeps the state the calls produce. It is strict where a
 * real driver would silently misbehave: cutting a link that is already cut, restoring one that is not, killing a
 * dead component or restarting a live one all throw, so a nemesis that double-applies or double-reverts fails.
 */
final class FakeFaultTarget implements FaultTarget {
  private final int size;
  private final Set<String> supportedKinds;
  private final List<String> calls = new ArrayList<>();
  private final Set<Link> cut = new HashSet<>();
  private final Set<String> killed = new HashSet<>();
  private final Set<String> paused = new HashSet<>();
  private final Map<Integer, Double> rates = new HashMap<>();
  private volatile int primary;
  private volatile String failOn;
  private volatile IntConsumer onKill = n -> { };
  private double loss;
  private int delay;
  /** The dynamic configuration's integer keys, as a fresh cluster would have them. */
  private final Map<String, Long> config = new HashMap<>(Map.of("ttl", 8L, "loop_wait", 1L));
  private final Map<String, Long> initialConfig = Map.copyOf(config);

  FakeFaultTarget(int size, int primary, Set<String> supportedKinds) {
    this.size = size;
    this.primary = primary;
    this.supportedKinds = supportedKinds;
  }

  void primary(int p) {
    primary = p;
  }

  /** Makes every call of this method (its name, e.g. "kill") throw. */
  void failOn(String method) {
    failOn = method;
  }

  void onKill(IntConsumer hook) {
    onKill = hook;
  }

  synchronized List<String> calls() {
    return List.copyOf(calls);
  }

  synchronized Set<Link> cutLinks() {
    return Set.copyOf(cut);
  }

  synchronized boolean healthy() {
    return cut.isEmpty() && killed.isEmpty() && paused.isEmpty() && loss == 0 && delay == 0
        && rates.values().stream().allMatch(r -> r == 1.0) && config.equals(initialConfig);
  }

  synchronized double rate(int node) {
    return rates.getOrDefault(node, 1.0);
  }

  private void log(String method, String call) {
    calls.add(call);
    if (method.equals(failOn)) {
      throw new IllegalStateException("fake driver refuses " + call);
    }
  }

  static String links(Set<Link> links) {
    return new TreeSet<>(links.stream().map(Link::toString).collect(Collectors.toSet())).toString();
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public boolean supports(Fault fault) {
    return supportedKinds.contains(fault.kind());
  }

  @Override
  public int primary() {
    return primary;
  }

  @Override
  public synchronized void cut(Set<Link> links) {
    log("cut", "cut " + links(links));
    for (Link l : links) {
      if (!cut.add(l)) {
        throw new AssertionError("link " + l + " cut twice");
      }
    }
  }

  @Override
  public synchronized void restore(Set<Link> links) {
    log("restore", "restore " + links(links));
    for (Link l : links) {
      if (!cut.remove(l)) {
        throw new AssertionError("link " + l + " restored but was not cut");
      }
    }
  }

  @Override
  public void kill(int node, Component component) {
    synchronized (this) {
      log("kill", "kill " + node + " " + component);
      if (!killed.add(node + " " + component)) {
        throw new AssertionError("killed twice: " + node + " " + component);
      }
    }
    onKill.accept(node);
  }

  @Override
  public synchronized void restart(int node, Component component) {
    log("restart", "restart " + node + " " + component);
    if (!killed.remove(node + " " + component)) {
      throw new AssertionError("restarted but not killed: " + node + " " + component);
    }
  }

  @Override
  public synchronized void pause(int node, Component component) {
    log("pause", "pause " + node + " " + component);
    if (!paused.add(node + " " + component)) {
      throw new AssertionError("paused twice: " + node + " " + component);
    }
  }

  @Override
  public synchronized void resume(int node, Component component) {
    log("resume", "resume " + node + " " + component);
    if (!paused.remove(node + " " + component)) {
      throw new AssertionError("resumed but not paused: " + node + " " + component);
    }
  }

  @Override
  public synchronized void clockRate(int node, double rate) {
    log("clockRate", "clock " + node + " x" + rate);
    rates.put(node, rate);
  }

  @Override
  public synchronized void packetLoss(double probability) {
    log("packetLoss", "loss " + probability);
    loss = probability;
  }

  @Override
  public synchronized void delay(int millis) {
    log("delay", "delay " + millis);
    delay = millis;
  }

  @Override
  public synchronized java.util.OptionalLong setDynamicConfig(String key, java.util.OptionalLong value) {
    log("setDynamicConfig", "config " + key + "=" + (value.isPresent() ? value.getAsLong() : "absent"));
    Long was = value.isPresent() ? config.put(key, value.getAsLong()) : config.remove(key);
    return was == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(was);
  }
}
