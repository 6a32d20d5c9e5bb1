package io.pgquorum.coordinator.ha.sync;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.dcs.api.Dcs;
import java.time.Clock;
import java.time.Instant;
import java.time.InstantSource;

/**
 * The synchronous replication rules are values in, typed steps out: no DCS, PostgreSQL, files, sockets, clock or
 * logging, so that the Decider can call them and they stay table-tested (as ArchitectureTest holds the Decider to).
 */
@AnalyzeClasses(packages = "io.pgquorum.coordinator.ha.sync", importOptions = ImportOption.DoNotIncludeTests.class)
class SyncPurityTest {
  @ArchTest
  static void rulesDoNoIoAndReadNoClock(JavaClasses classes) {
    noClasses().that().resideInAPackage("..coordinator.ha.sync..")
        .should().dependOnClassesThat(resideInAnyPackage("org.apache.ratis..", "io.pgquorum.dcs.ratis..",
            "java.sql..", "org.postgresql..", "io.netty..", "java.net..", "javax.net..", "java.io..", "java.nio..",
            "java.util.concurrent..", "org.slf4j..", "..coordinator.postgres..", "..coordinator.rest..",
            "..coordinator.node..")
            .or(belongToAnyOf(Dcs.class, ClusterStore.class, Thread.class, Clock.class, InstantSource.class)))
        .orShould().callMethod(System.class, "nanoTime")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(Instant.class, "now")
        .because("the rules are a pure function of one cycle's view: the loop reads the DCS and PostgreSQL before and"
            + " performs the steps after")
        .check(classes);
  }
}
