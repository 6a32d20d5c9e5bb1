package io.pgquorum.coordinator.cluster;

import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.memory.InMemoryDcs;
import org.junit.jupiter.api.AfterAll;

/** {@link SameNameContract} against the in-memory DCS. */
class InMemorySameNameTest extends SameNameContract {
  private static final InMemoryDcs DCS = new InMemoryDcs();

  @AfterAll
  static void stop() {
    DCS.close();
  }

  @Override
  protected Dcs client(String ownerId) {
    return DCS.client(ownerId);
  }
}
