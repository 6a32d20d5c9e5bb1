package io.pgquorum.dcs.contract;

import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.memory.InMemoryDcs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class InMemoryDcsContractTest extends DcsContract {
  private static InMemoryDcs store;
  private static Dcs alice;
  private static Dcs bob;

  @BeforeAll
  static void start() {
    store = new InMemoryDcs();
    alice = store.client("alice");
    bob = store.client("bob");
  }

  @AfterAll
  static void stop() {
    store.close();
  }

  @Override
  protected Dcs alice() {
    return alice;
  }

  @Override
  protected Dcs bob() {
    return bob;
  }
}
