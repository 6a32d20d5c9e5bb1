package io.pgquorum.coordinator;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.ha.Action;
import io.pgquorum.coordinator.ha.ActionExecutor;
import io.pgquorum.coordinator.ha.Decider;
import io.pgquorum.coordinator.ha.Decision;
import io.pgquorum.coordinator.ha.Divergence;
import io.pgquorum.coordinator.ha.FencingToken;
import io.pgquorum.coordinator.ha.HaLoop;
import io.pgquorum.coordinator.ha.HaMemory;
import io.pgquorum.coordinator.ha.HaPolicy;
import io.pgquorum.coordinator.ha.HeldLease;
import io.pgquorum.coordinator.ha.KeeperLicense;
import io.pgquorum.coordinator.ha.LeaseGuard;
import io.pgquorum.coordinator.ha.LeaseKeeper;
import io.pgquorum.coordinator.ha.LeaseKeeping;
import io.pgquorum.coordinator.ha.LeaseTerms;
import io.pgquorum.coordinator.ha.LocalState;
import io.pgquorum.coordinator.ha.NodeSettings;
import io.pgquorum.coordinator.ha.PeerFetcher;
import io.pgquorum.coordinator.ha.PeerView;
import io.pgquorum.coordinator.ha.Task;
import io.pgquorum.coordinator.ha.TaskRunner;
import io.pgquorum.coordinator.postgres.LocalPostgres;
import io.pgquorum.coordinator.postgres.Postgres;
import io.pgquorum.dcs.api.Dcs;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The coordinator's dependency graph as it is, frozen: the pure decision, one adapter package per outside system,
 * and which package may know which. A rule that no longer fits the design is changed here, with its reason, not
 * worked around.
 */
@AnalyzeClasses(packages = "io.pgquorum.coordinator", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  /**
   * The decision and the values it reads and returns (with the second pure step, {@code Publication}, and what
   * it remembers, {@code MemberKeyRefresh}). Not {@code HaLoop}, {@code ActionExecutor}, {@code TaskRunner} or
   * {@code HeldLease}: they do I/O, read clocks or hold mutable state.
   */
  static final List<String> DECISION_TYPES = List.of(
      Decider.class.getName(),
      Decision.class.getName(),
      Action.class.getName(),
      LocalState.class.getName(),
      HaMemory.class.getName(),
      PeerView.class.getName(),
      HaPolicy.class.getName(),
      LeaseTerms.class.getName(),
      NodeSettings.class.getName(),
      Task.class.getName(),
      FencingToken.class.getName(),
      Divergence.class.getName(),
      LeaseKeeping.class.getName(),
      KeeperLicense.class.getName(),
      "io.pgquorum.coordinator.ha.Publication", // package-private
      "io.pgquorum.coordinator.ha.MemberKeyRefresh"); // package-private

  /** The decision types, with their nested types (Action's records). */
  static final DescribedPredicate<JavaClass> DECISION = describe("the pure decision types",
      c -> DECISION_TYPES.contains(c.getName().split("\\$", 2)[0]));

  /** A rule over a list of names must not pass because a name no longer exists. */
  @ArchTest
  static void everyDecisionTypeIsImported(JavaClasses classes) {
    Set<String> imported = classes.stream().map(JavaClass::getName).collect(Collectors.toSet());
    assertThat(imported).containsAll(DECISION_TYPES);
  }

  @ArchTest
  static void decisionDoesNoIo(JavaClasses classes) {
    noClasses().that(DECISION)
        .should().transitivelyDependOnClassesThat(resideInAnyPackage(
            "org.apache.ratis..", "io.pgquorum.dcs.ratis..",   // the DCS member and its client
            "java.sql..", "org.postgresql..",                  // JDBC
            "io.netty..", "java.net.http..", "javax.net..",    // HTTP, sockets, TLS
            "java.io..", "java.nio..")                         // files and streams
            .or(resideInAPackage("java.net").and(DescribedPredicate.not(equivalentTo(URI.class)))))
        .because("the Decider is a pure function of one snapshot, the local probe and the peers' answers: every outside"
            + " system is read before it runs and acted on after it returns, which is what lets it be table-tested;"
            + " transitively, so that the values it reads (ClusterSnapshot, PgState, ...) stay values too"
            + " (java.net.URI is allowed: a member's conn_url is parsed, never connected to)")
        .check(classes);
  }

  @ArchTest
  static void decisionStartsNoThreadAndReadsNoClock(JavaClasses classes) {
    noClasses().that(DECISION)
        .should().dependOnClassesThat(resideInAPackage("java.util.concurrent..")
            .or(belongToAnyOf(Thread.class, Clock.class, InstantSource.class)))
        .orShould().callMethod(System.class, "nanoTime")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(Instant.class, "now")
        .because("time reaches the decision only as values (LocalState.leaseDeadlineNanos, HaMemory, the loop's"
            + " nanos), so the same inputs always give the same decision, and it runs on the loop's thread only")
        .check(classes);
  }

  @ArchTest
  static void decisionGetsTheWorldAsValues(JavaClasses classes) {
    noClasses().that(DECISION)
        .should().dependOnClassesThat(belongToAnyOf(
            Dcs.class, ClusterStore.class, Postgres.class, LocalPostgres.class, PeerFetcher.class, TaskRunner.class,
            ActionExecutor.class, HaLoop.class, HeldLease.class, LeaseGuard.class, LeaseKeeper.class))
        .orShould().dependOnClassesThat().resideInAPackage("org.slf4j..")
        .because("the decision returns typed actions and its log line; the loop gathers the inputs, the executor"
            + " performs the actions and the loop logs, so the decision holds no handle to the DCS, PostgreSQL, peers,"
            + " tasks or the mutable lease record")
        .check(classes);
  }

  @ArchTest
  static void haKnowsNoRestOrNode(JavaClasses classes) {
    noClasses().that().resideInAPackage("..coordinator.ha..")
        .should().dependOnClassesThat().resideInAnyPackage("..coordinator.rest..", "..coordinator.node..")
        .because("the REST API only reads the NodeStatus the loop publishes and node wires both together: the HA"
            + " loop runs, and is tested, without a server or a started node")
        .check(classes);
  }

  @ArchTest
  static void nodeIsTheCompositionRoot(JavaClasses classes) {
    noClasses()
        .that().resideOutsideOfPackages("..coordinator.node..", "..coordinator.api..")
        .should().dependOnClassesThat().resideInAPackage("..coordinator.node..")
        .because("node (PgQuorumNode, Main) constructs and connects everything; a dependency on it from below"
            + " would be a cycle through the whole daemon (api is the embedding facade above it)")
        .check(classes);
  }

  @ArchTest
  static void theEmbeddingApiIsOnTop(JavaClasses classes) {
    noClasses()
        .that().resideOutsideOfPackage("..coordinator.api..")
        .should().dependOnClassesThat().resideInAPackage("..coordinator.api..")
        .because("api is the embedding facade for other programs: the daemon itself never goes through it")
        .check(classes);
  }

  @ArchTest
  static void clusterKnowsOnlyConfig(JavaClasses classes) {
    noClasses().that().resideInAPackage("..coordinator.cluster..")
        .should().dependOnClassesThat().resideInAnyPackage("..coordinator.ha..", "..coordinator.postgres..",
            "..coordinator.fence..", "..coordinator.rest..", "..coordinator.node..")
        .because("cluster is the DCS data model (key layout, JSON, snapshot) that pgctl reads too, without the HA"
            + " loop, PostgreSQL control or the REST API")
        .check(classes);
  }

  @ArchTest
  static void configIsTheBottom(JavaClasses classes) {
    noClasses().that().resideInAPackage("..coordinator.config..")
        .should().dependOnClassesThat().resideInAnyPackage("..coordinator.cluster..", "..coordinator.ha..",
            "..coordinator.postgres..", "..coordinator.fence..", "..coordinator.rest..", "..coordinator.node..")
        .because("the configuration is loaded and validated (--validate-config, pgctl) before anything else exists")
        .check(classes);
  }

  @ArchTest
  static void postgresHasNoPolicy(JavaClasses classes) {
    noClasses().that().resideInAPackage("..coordinator.postgres..")
        .should().dependOnClassesThat().resideInAnyPackage("..coordinator.cluster..", "..coordinator.ha..",
            "..coordinator.rest..", "..coordinator.node..")
        .because("postgres carries out what it is told (start, stop, promote, clone, rewind, probe) and knows"
            + " nothing of the cluster or the decision: policy lives in the Decider")
        .check(classes);
  }

  @ArchTest
  static void jdbcOnlyInPostgres(JavaClasses classes) {
    noClasses().that().resideOutsideOfPackage("..coordinator.postgres..")
        .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "org.postgresql..")
        .because("postgres is the one adapter to PostgreSQL; everything else sees its probes as PgState values")
        .check(classes);
  }

  @ArchTest
  static void nettyOnlyInRest(JavaClasses classes) {
    noClasses().that().resideOutsideOfPackage("..coordinator.rest..")
        .should().dependOnClassesThat().resideInAPackage("io.netty..")
        .because("rest is the one adapter to HTTP; the HA loop reaches peers through the PeerFetcher interface")
        .check(classes);
  }

  @ArchTest
  static void ratisOnlyInNode(JavaClasses classes) {
    noClasses().that().resideOutsideOfPackage("..coordinator.node..")
        .should().dependOnClassesThat().resideInAnyPackage("org.apache.ratis..", "io.pgquorum.dcs.ratis..")
        .because("only node starts the DCS member; everything else uses the Dcs interface (io.pgquorum.dcs.api), so"
            + " it runs unchanged on InMemoryDcs in tests")
        .check(classes);
  }

  @ArchTest
  static void mainCodeUsesNoTestInfrastructure(JavaClasses classes) {
    noClasses()
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.pgquorum.testkit..", "io.pgquorum.dcs.testing..", "io.pgquorum.jepsen..", "io.pgquorum.bench..",
            "org.junit..", "org.assertj..", "org.awaitility..", "com.tngtech.archunit..")
        .because("the daemon ships without test libraries; test hooks live in main code on purpose"
            + " (io.pgquorum.dcs.planted) and are off unless a harness turns them on")
        .check(classes);
  }
}
