package io.pgquorum.bench.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProcStatsTest {
  private static final long SELF = ProcessHandle.current().pid();

  @Test
  void readsThisJvmsResidentMemory() {
    long kib = ProcStats.rssKib(SELF).orElseThrow();
    // A JVM running JUnit is resident with more than 8 MiB and less than its whole machine.
    assertThat(kib).isGreaterThan(8 * 1024L).isLessThan(Runtime.getRuntime().maxMemory() / 1024 + 4 * 1024 * 1024);
  }

  @Test
  void cpuTicksOfThisJvmGrowWithWork() {
    long before = ProcStats.cpuTicks(SELF).orElseThrow();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    long x = 0;
    // Burn CPU until the kernel has charged at least two ticks (or give up at the deadline and fail below).
    while (ProcStats.cpuTicks(SELF).orElseThrow() < before + 2 && System.nanoTime() < deadline) {
      for (int i = 0; i < 1_000_000; i++) {
        x += i * 31L ^ x;
      }
    }
    assertThat(ProcStats.cpuTicks(SELF).orElseThrow()).isGreaterThanOrEqualTo(before + 2);
    assertThat(x).isNotEqualTo(42); // keeps the loop from being optimised away
  }

  @Test
  void goneProcessesReadAsEmpty() {
    assertThat(ProcStats.rssKib(Integer.MAX_VALUE)).isEmpty();
    assertThat(ProcStats.cpuTicks(Integer.MAX_VALUE)).isEmpty();
    assertThat(ProcStats.command(Integer.MAX_VALUE)).isEmpty();
    assertThat(ProcStats.commandLine(Integer.MAX_VALUE)).isEmpty();
  }

  @Test
  void findsAChildProcessInTheTree() throws Exception {
    Process child = new ProcessBuilder("sleep", "30").start();
    try {
      assertThat(ProcStats.children(SELF)).contains(child.pid());
      assertThat(ProcStats.tree(SELF)).startsWith(SELF).contains(child.pid());
      assertThat(ProcStats.command(child.pid())).endsWith("sleep");
      assertThat(ProcStats.commandLine(child.pid())).as("every word, split at the NULs").containsExactly("sleep", "30");
    } finally {
      child.destroyForcibly().waitFor();
    }
  }

  @Test
  void readsThisJvmsProportionalMemoryNoMoreThanItsResidentMemory() {
    long pid = ProcessHandle.current().pid();
    long pss = ProcStats.pssKib(pid).orElseThrow();
    assertThat(pss).isPositive();
    // Shared pages count by share in PSS and whole in RSS; read just after, RSS may only have grown a little.
    assertThat(pss).isLessThanOrEqualTo(ProcStats.rssKib(pid).orElseThrow() + 4096);
    assertThat(ProcStats.parseKibField("Rss:  10 kB\nPss:   7 kB\n", "Pss:")).hasValue(7);
    assertThat(ProcStats.parseKibField("Rss:  10 kB\n", "Pss:")).isEmpty();
  }

  @Test
  void parsesVmRss() {
    String status = "Name:\tjava\nVmPeak:\t  999 kB\nVmRSS:\t   123456 kB\nThreads:\t12\n";
    assertThat(ProcStats.parseVmRssKib(status)).hasValue(123456);
    assertThat(ProcStats.parseVmRssKib("Name:\tkthreadd\nThreads:\t1\n")).isEmpty();
    assertThatThrownBy(() -> ProcStats.parseVmRssKib("VmRSS:\t12 MB\n")).hasMessageContaining("VmRSS");
  }

  @Test
  void parsesCpuTicksEvenWithParenthesesAndSpacesInTheCommand() {
    // fields: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    String stat = "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 1 0 12345 0 0";
    assertThat(ProcStats.parseCpuTicks(stat)).hasValue(325);
    assertThatThrownBy(() -> ProcStats.parseCpuTicks("4242 (x) S 1 2")).hasMessageContaining("too few fields");
    assertThatThrownBy(() -> ProcStats.parseCpuTicks("garbage")).hasMessageContaining("no command name");
  }

  @Test
  void reapedChildrenAddCutimeAndCstime() {
    // utime 250, stime 75, cutime 40, cstime 8
    String stat = "4242 (postgres) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 40 8 20 0 1 0 12345 0 0";
    assertThat(ProcStats.parseCpuTicksWithReapedChildren(stat)).hasValue(373);
    assertThat(ProcStats.parseCpuTicks(stat)).hasValue(325);
  }

  @Test
  void clockTicksAreLinuxs() {
    assertThat(ProcStats.clockTicksPerSecond()).isEqualTo(100);
  }
}
