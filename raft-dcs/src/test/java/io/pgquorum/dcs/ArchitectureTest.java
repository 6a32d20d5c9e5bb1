package io.pgquorum.dcs;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import java.time.Clock;
import java.time.Instant;
import java.time.InstantSource;

/**
 * The DCS library's dependency graph as it is, frozen: a Ratis-free API, a replicated state machine that reads no
 * clock, and Ratis confined to its adapter. A rule that no longer fits the design is changed here, with its reason,
 * not worked around.
 */
@AnalyzeClasses(packages = "io.pgquorum.dcs", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static void apiDependsOnNothingButTheJdk(JavaClasses classes) {
    classes().that().resideInAPackage("io.pgquorum.dcs.api..")
        .should().onlyDependOnClassesThat().resideInAnyPackage(
            "io.pgquorum.dcs.api..", "java.lang..", "java.time..", "java.util..")
        .because("code built on the DCS (the coordinator, pgctl, the test harness) programs against these interfaces"
            + " and records alone, and runs unchanged on RatisDcsClient or InMemoryDcs: no Ratis, gRPC or protobuf"
            + " type, and no other pgquorum package, may leak into them")
        .check(classes);
  }

  @ArchTest
  static void stateMachineSitsBelowHostsAndAdapters(JavaClasses classes) {
    classes().that().resideInAPackage("io.pgquorum.dcs.statemachine..")
        .should().onlyDependOnClassesThat().resideInAnyPackage(
            "io.pgquorum.dcs.statemachine..", "io.pgquorum.dcs.api..", "io.pgquorum.dcs.proto..",
            "com.google.protobuf..", "java.lang..", "java.time..", "java.util..")
        .because("KvStore is the replicated state: every member applies the same commands to it and must reach the"
            + " same state, so it knows the command format and nothing of who hosts it (StoreHost, Ratis, memory)")
        .check(classes);
  }

  @ArchTest
  static void applyAndLeaseMathReadNoClockAndDoNoIo(JavaClasses classes) {
    noClasses().that().resideInAnyPackage("io.pgquorum.dcs.statemachine..", "io.pgquorum.dcs.lease..")
        .should().dependOnClassesThat(resideInAnyPackage(
            "java.io..", "java.nio..", "java.net..", "java.util.concurrent..")
            .or(belongToAnyOf(Thread.class, Clock.class, InstantSource.class)))
        .orShould().callMethod(System.class, "nanoTime")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(Instant.class, "now")
        .because("apply never reads a clock (a replayed log must give the same state on every member) and"
            + " LeaseTracker is handed its times by the host, so both are deterministic and tested without waiting;"
            + " the host owns the clock, the threads and the I/O")
        .check(classes);
  }

  @ArchTest
  static void ratisStaysInItsAdapter(JavaClasses classes) {
    noClasses().that().resideOutsideOfPackage("io.pgquorum.dcs.ratis..")
        .should().dependOnClassesThat().resideInAnyPackage("org.apache.ratis..", "io.pgquorum.dcs.ratis..")
        .because("the ratis package is the one place that knows Ratis (and its 3.3.0 workarounds); the state"
            + " machine, the lease tracker, StoreHost and InMemoryDcs must work without it")
        .check(classes);
  }

  @ArchTest
  static void knowsNothingOfPostgresOrTheCoordinator(JavaClasses classes) {
    noClasses()
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.pgquorum.coordinator..", "io.pgquorum.pgctl..", "java.sql..", "org.postgresql..")
        .because("raft-dcs is a general DCS library (README: \"Embedding only the DCS\") that the coordinator"
            + " builds on, never the other way round")
        .check(classes);
  }

  @ArchTest
  static void mainCodeUsesNoTestInfrastructure(JavaClasses classes) {
    noClasses()
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.pgquorum.testkit..", "io.pgquorum.dcs.testing..", "io.pgquorum.jepsen..", "io.pgquorum.bench..",
            "org.junit..", "org.assertj..", "org.awaitility..", "com.tngtech.archunit..")
        .because("the library ships without test libraries; test hooks live in main code on purpose"
            + " (io.pgquorum.dcs.planted) and are off unless a harness turns them on")
        .check(classes);
  }
}
