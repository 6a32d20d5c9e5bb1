package io.pgquorum.pgctl;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import io.pgquorum.coordinator.postgres.BackrestFiles;
import io.pgquorum.coordinator.rest.RestTls;
import io.pgquorum.dcs.ratis.DcsServer;
import io.pgquorum.dcs.ratis.DcsServerConfig;

/**
 * What pgctl may know, frozen: it reads the cluster from the DCS as a client, with the coordinator's data model
 * and configuration loader, and nothing of the daemon. A rule that no longer fits the design is changed here, with
 * its reason, not worked around.
 */
@AnalyzeClasses(packages = "io.pgquorum.pgctl", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static void usesOnlyTheCoordinatorsDataModelAndConfig(JavaClasses classes) {
    noClasses()
        .should().dependOnClassesThat(resideInAnyPackage("io.pgquorum.coordinator.ha..",
            "io.pgquorum.coordinator.postgres..", "io.pgquorum.coordinator.fence..", "io.pgquorum.coordinator.rest..",
            "io.pgquorum.coordinator.node..").and(not(belongToAnyOf(RestTls.class, BackrestFiles.class))))
        .because("pgctl reads a node's configuration file (config) and the cluster's keys (cluster: key layout,"
            + " JSON, snapshot) and prints them: it drives no PostgreSQL, runs no HA loop and starts no node."
            + " The one exception is RestTls.client, the TLS context for calling a node's REST API (RestClient),"
            + " which is built from the ctl/restapi sections exactly as the daemon builds it for its peers; and"
            + " BackrestFiles.layout, where the node keeps its generated pgbackrest.conf, which restore reads the"
            + " repository through (pgBackRest's own files, not PostgreSQL's)")
        .check(classes);
  }

  @ArchTest
  static void isADcsClientNeverAMember(JavaClasses classes) {
    noClasses()
        .should().dependOnClassesThat(resideInAnyPackage("org.apache.ratis..", "io.pgquorum.dcs.host..",
            "io.pgquorum.dcs.statemachine..", "io.pgquorum.dcs.lease..", "io.pgquorum.dcs.memory..")
            .or(belongToAnyOf(DcsServer.class, DcsServerConfig.class)))
        .because("a command must not join the Raft group or hold its state: it talks to the members through"
            + " RatisDcsClient and the Dcs API, and membership changes go through the client's admin calls")
        .check(classes);
  }

  @ArchTest
  static void mainCodeUsesNoTestInfrastructure(JavaClasses classes) {
    noClasses()
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.pgquorum.testkit..", "io.pgquorum.dcs.testing..", "io.pgquorum.jepsen..", "io.pgquorum.bench..",
            "org.junit..", "org.assertj..", "org.awaitility..", "com.tngtech.archunit..")
        .because("the CLI ships without test libraries")
        .check(classes);
  }
}
