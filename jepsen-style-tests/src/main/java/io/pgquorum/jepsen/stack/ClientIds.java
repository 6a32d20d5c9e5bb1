package io.pgquorum.jepsen.stack;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands out client process names ({@code c0}, {@code c1}, ...), shared by every workload of a run so that no two
 * threads ever use the same process, and a client whose operation ended INFO continues under a fresh one.
 */
public final class ClientIds {
  private final AtomicLong next = new AtomicLong();

  public String next() {
    return "c" + next.getAndIncrement();
  }
}
