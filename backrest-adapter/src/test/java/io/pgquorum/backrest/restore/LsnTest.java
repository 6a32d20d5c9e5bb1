package io.pgquorum.backrest.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LsnTest {
  @Test
  void parsesComparesAndPrintsAsPostgresDoes() {
    Lsn a = Lsn.parse("0/3000060", "--target-lsn");
    Lsn b = Lsn.parse("1/c2006e10", "--target-lsn");
    assertThat(a.value()).isEqualTo(0x3000060L);
    assertThat(b.toString()).isEqualTo("1/C2006E10");
    assertThat(a).isLessThan(b);
    assertThat(Lsn.parse("FFFFFFFF/FFFFFFFF", "x")).isGreaterThan(b);
    assertThat(Lsn.parse("0/3000060", "x").compareTo(a)).isZero();
  }

  @Test
  void aBadLsnNamesTheOption() {
    for (String bad : new String[] {"3000060", "0/", "g/1", "0/123456789", ""}) {
      assertThatThrownBy(() -> Lsn.parse(bad, "--target-lsn")).as(bad)
          .hasMessage("--target-lsn must be an LSN written like 0/3000060, got \"" + bad + "\"");
    }
  }
}
