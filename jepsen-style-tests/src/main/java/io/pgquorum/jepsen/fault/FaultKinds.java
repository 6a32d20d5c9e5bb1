package io.pgquorum.jepsen.fault;

import io.pgquorum.jepsen.gen.GeneratorSettings;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The registry of fault kinds: a new kind is its {@link FaultKind} plus one line in {@link #ALL}. The schedule
 * format, the generator, the shrinker, the nemesis and the drivers' {@link FaultTarget#supports} go through the
 * static methods here, never through a list of kinds of their own.
 */
public final class FaultKinds {
  /** Every kind, in the order reports, campaign cells and usage texts list them. */
  public static final List<FaultKind<?>> ALL = List.of(new FaultKind<?>[] {
      // One line per kind; the trailing comma keeps adding one a one-line change.
      new PartitionKind(),
      new KillKind(),
      new PauseKind(),
      new ClockSkewKind(),
      new PacketLossKind(),
      new DelayKind(),
      new DcsConfigKind(),
      new DcsPartitionKind(),
  });

  private static final Map<String, FaultKind<?>> BY_NAME = new LinkedHashMap<>();
  private static final Map<Class<?>, FaultKind<?>> BY_TYPE = new HashMap<>();

  static {
    for (FaultKind<?> k : ALL) {
      if (BY_NAME.put(k.name(), k) != null || BY_TYPE.put(k.type(), k) != null) {
        throw new IllegalStateException("fault kind " + k.name() + " is registered twice");
      }
    }
  }

  private FaultKinds() {
  }

  /** Every kind's name, in {@link #ALL} order. */
  public static List<String> names() {
    return List.copyOf(BY_NAME.keySet());
  }

  /** The names of the kinds the seeded generator may draw, in {@link #ALL} order. */
  public static List<String> generatedNames() {
    return ALL.stream().filter(FaultKind::generated).map(FaultKind::name).toList();
  }

  /** The kind called {@code name}, or null when there is none. */
  public static FaultKind<?> named(String name) {
    return BY_NAME.get(name);
  }

  /** The kind of {@code fault}. */
  public static FaultKind<?> of(Fault fault) {
    FaultKind<?> k = BY_TYPE.get(fault.getClass());
    if (k == null) {
      throw new IllegalStateException("fault " + fault + " has no kind in FaultKinds.ALL");
    }
    return k;
  }

  private static FaultKind<?> require(String name) {
    FaultKind<?> k = named(name);
    if (k == null) {
      throw new IllegalArgumentException("unknown fault kind \"" + name + "\"");
    }
    return k;
  }

  /** The fault's JSON fields (besides {@code kind}) into {@code out}. */
  static void write(Fault fault, Map<String, Object> out) {
    of(fault).writeAny(fault, out);
  }

  /** Draws a fault of kind {@code name}. */
  public static Fault generate(String name, FaultDraw draw) {
    return require(name).generateAny(draw);
  }

  /** Checks that every kind {@code settings} allows has something to draw from. */
  public static void checkSettings(GeneratorSettings settings) {
    for (FaultKind<?> k : ALL) {
      if (settings.kinds().contains(k.name())) {
        k.checkSettingsAny(settings);
      }
    }
  }

  /** Simpler variants of a fault for the shrinker, most promising first. */
  public static List<Fault> simpler(Fault fault) {
    return of(fault).simplerAny(fault);
  }

  /** The fault for people, before its target is resolved. */
  public static String describe(Fault fault) {
    return of(fault).describeAny(fault);
  }

  /** The fault's target, or null when it acts on every link. */
  public static Target target(Fault fault) {
    return of(fault).targetAny(fault);
  }

  /** The links the fault cuts once its target resolved to {@code node}. */
  public static Set<Link> links(Fault fault, int size, int node) {
    return of(fault).linksAny(fault, size, node);
  }

  /** The node the history names for the fault resolved to {@code node}. */
  public static int historyNode(Fault fault, int node) {
    return of(fault).historyNodeAny(fault, node);
  }

  /** Appended to the resolved fault's history description. */
  public static String resolvedSuffix(Fault fault, Set<Link> links) {
    return of(fault).resolvedSuffixAny(fault, links);
  }

  /** Whether {@code driver} can inject {@code fault}. */
  public static boolean supports(Fault fault, FaultTarget driver) {
    return of(fault).supportedByAny(fault, driver);
  }

  /** The nemesis resource the applied fault acts on. */
  public static String resource(AppliedFault applied) {
    return of(applied.fault()).resourceAny(applied);
  }

  /** Applies the fault through the driver's primitives; call under {@code ledger}'s lock. */
  public static void apply(AppliedFault applied, FaultLedger ledger, FaultTarget driver) {
    of(applied.fault()).applyAny(applied, ledger, driver);
  }

  /** Heals the fault through the driver's primitives; call under {@code ledger}'s lock. */
  public static void heal(AppliedFault applied, FaultLedger ledger, FaultTarget driver) {
    of(applied.fault()).healAny(applied, ledger, driver);
  }
}
