package io.pgquorum.jepsen.fault;

import io.pgquorum.jepsen.gen.GeneratorSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the harness knows about one kind of fault, in one place: its name and JSON fields, how the generator
 * draws it and how often, how the shrinker simplifies it, how people read it, and how the nemesis applies and
 * heals it through a driver's {@link FaultTarget} primitives (and so which drivers support it). Adding a kind is
 * one subclass plus one line in {@link FaultKinds#ALL}; the schedule format, generator, shrinker, nemesis and both
 * real-process drivers (loopback proxies and network namespaces) pick it up from there.
 *
 * <p>Why the nemesis side is here and not in each driver: drivers offer primitives (cut links, kill, pause, clock
 * rate ...) and say which they can do ({@link FaultTarget#canKill} ...); how overlapping steps of one kind compose
 * (reference counts, the latest value wins, the largest value wins) is a property of the kind, the same on every
 * driver.
 *
 * @param <F> the fault record of this kind
 */
public abstract class FaultKind<F extends Fault> {
  private final String name;
  private final Class<F> type;
  private final int generatorWeight;
  private final List<String> fields;

  /**
   * @param name the {@code kind} in schedules and histories ({@link Fault#kind()})
   * @param type the fault record
   * @param generatorWeight how often the generator draws this kind relative to the others it may draw; 0 = never
   *     (hand-written schedules only)
   * @param fields the JSON fields besides {@code kind}, in the order they are written
   */
  protected FaultKind(String name, Class<F> type, int generatorWeight, List<String> fields) {
    if (generatorWeight < 0) {
      throw new IllegalArgumentException("generator weight of " + name + " must not be negative");
    }
    this.name = name;
    this.type = type;
    this.generatorWeight = generatorWeight;
    this.fields = List.copyOf(fields);
  }

  public final String name() {
    return name;
  }

  public final Class<F> type() {
    return type;
  }

  public final int generatorWeight() {
    return generatorWeight;
  }

  /** Whether the seeded generator may draw this kind. */
  public final boolean generated() {
    return generatorWeight > 0;
  }

  /** The JSON fields besides {@code kind}, in write order. */
  public final List<String> fields() {
    return fields;
  }

  // ---- schedule JSON ----

  /** Puts this fault's fields (not {@code kind}) into {@code out}, in {@link #fields()} order. */
  protected abstract void write(F fault, Map<String, Object> out);

  /** Reads the fields of a fault object; strict (errors through {@link FaultFields#error}). */
  protected abstract F read(FaultFields in);

  // ---- generator ----

  /** Draws a fault; called only when {@link #generated()}. Consume randomness only through {@code draw}. */
  protected F generate(FaultDraw draw) {
    throw new IllegalStateException("no generator for fault kind " + name);
  }

  /**
   * Refuses generator settings that allow this kind but leave it nothing to draw from.
   *
   * @throws IllegalArgumentException naming the setting
   */
  protected void checkSettings(GeneratorSettings settings) {
  }

  // ---- shrinker ----

  /** Simpler variants of {@code fault}, most promising first (empty: nothing simpler). */
  protected List<F> simpler(F fault) {
    return List.of();
  }

  /** Simpler targets: node:0 is the simplest; replica:N becomes replica:0 if node:0 does not fail. */
  public static List<Target> simpler(Target t) {
    List<Target> out = new ArrayList<>();
    if (!t.equals(Target.node(0))) {
      out.add(Target.node(0));
    }
    if (t.spec().startsWith("replica:") && !t.equals(Target.replica(0))) {
      out.add(Target.replica(0));
    }
    return out;
  }

  // ---- people ----

  /** The fault for people, before its target is resolved. */
  protected abstract String describe(F fault);

  /** The node the fault aims at, or null when it acts on every link. */
  protected Target target(F fault) {
    return null;
  }

  /** The directed links the fault cuts once its target resolved to {@code node} (-1: none). */
  protected Set<Link> links(F fault, int size, int node) {
    return Set.of();
  }

  /** The node the history names for the fault resolved to {@code node}: usually that node, -1 for none. */
  protected int historyNode(F fault, int node) {
    return node;
  }

  /** Appended to the history description of the resolved fault (e.g. the links it cuts). */
  protected String resolvedSuffix(F fault, Set<Link> links) {
    return "";
  }

  // ---- drivers, through the nemesis ----

  /** Whether {@code driver} can inject this fault. */
  protected abstract boolean supportedBy(F fault, FaultTarget driver);

  /**
   * The nemesis resource the fault acts on (e.g. {@code "clock:2"}): steps on the same resource share one
   * {@link FaultLedger} and its lock, so their driver calls and bookkeeping are ordered.
   */
  protected abstract String resource(F fault, AppliedFault applied);

  /** Applies {@code applied} under its ledger's lock; must leave the ledger so that {@link #heal} undoes it. */
  protected abstract void apply(F fault, AppliedFault applied, FaultLedger ledger, FaultTarget driver);

  /** Reverts {@code applied} under its ledger's lock, composing with the steps of the ledger still active. */
  protected abstract void heal(F fault, AppliedFault applied, FaultLedger ledger, FaultTarget driver);

  // ---- untyped entry points for the registry's users ----

  final void writeAny(Fault f, Map<String, Object> out) {
    write(type.cast(f), out);
  }

  final Fault generateAny(FaultDraw draw) {
    return generate(draw);
  }

  final void checkSettingsAny(GeneratorSettings s) {
    checkSettings(s);
  }

  final List<Fault> simplerAny(Fault f) {
    return List.copyOf(simpler(type.cast(f)));
  }

  final String describeAny(Fault f) {
    return describe(type.cast(f));
  }

  final Target targetAny(Fault f) {
    return target(type.cast(f));
  }

  final Set<Link> linksAny(Fault f, int size, int node) {
    return links(type.cast(f), size, node);
  }

  final int historyNodeAny(Fault f, int node) {
    return historyNode(type.cast(f), node);
  }

  final String resolvedSuffixAny(Fault f, Set<Link> links) {
    return resolvedSuffix(type.cast(f), links);
  }

  final boolean supportedByAny(Fault f, FaultTarget driver) {
    return supportedBy(type.cast(f), driver);
  }

  final String resourceAny(AppliedFault a) {
    return resource(type.cast(a.fault()), a);
  }

  final void applyAny(AppliedFault a, FaultLedger ledger, FaultTarget driver) {
    apply(type.cast(a.fault()), a, ledger, driver);
  }

  final void healAny(AppliedFault a, FaultLedger ledger, FaultTarget driver) {
    heal(type.cast(a.fault()), a, ledger, driver);
  }

  @Override
  public String toString() {
    return name;
  }
}
