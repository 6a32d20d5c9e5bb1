package io.pgquorum.coordinator.config;

import static io.pgquorum.coordinator.config.TestConfigs.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@code member_slots_ttl} (Patroni 4's): the spellings Patroni accepts, its default, and clear refusals. */
class MemberSlotsTtlTest {
  private static DynamicConfig parse(Map<String, Object> raw, List<String> warnings) {
    return ConfigLoader.parseDynamic(raw, "config", warnings);
  }

  @Test
  void theDefaultIsPatronisThirtyMinutesAndSaysNothing() {
    List<String> warnings = new ArrayList<>();
    assertThat(parse(map(), warnings).memberSlotsTtl()).isEqualTo(Duration.ofMinutes(30));
    assertThat(parse(map("member_slots_ttl", "30min"), warnings).memberSlotsTtl()).isEqualTo(Duration.ofMinutes(30));
    assertThat(warnings).isEmpty();
  }

  @Test
  void integersAreSecondsAndTextMayNameAUnit() {
    assertThat(ttl(0)).isEqualTo(Duration.ZERO);
    assertThat(ttl(90)).isEqualTo(Duration.ofSeconds(90));
    assertThat(ttl("90")).isEqualTo(Duration.ofSeconds(90));
    assertThat(ttl("1500ms")).isEqualTo(Duration.ofMillis(1500));
    assertThat(ttl("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(ttl(" 1d ")).isEqualTo(Duration.ofDays(1));
    assertThat(ttl("0")).isEqualTo(Duration.ZERO);
  }

  @Test
  void badValuesNameTheKey() {
    for (Object bad : List.of(-1, "-5s", "30 minutes", "1.5h", "30MIN", true, "400d", 40_000_000)) {
      assertThatThrownBy(() -> parse(map("member_slots_ttl", bad), new ArrayList<>())).as("%s", bad)
          .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
              .asString().startsWith("config.member_slots_ttl: must be a whole number of seconds, or of a unit "
                  + "(ms, s, min, h, d), e.g. 30min, got "));
    }
  }

  @Test
  void itSurvivesARoundTripThroughTheDcs() {
    DynamicConfig c = parse(map("member_slots_ttl", "10min"), new ArrayList<>());
    assertThat(parse(ConfigLoader.toMap(c), new ArrayList<>()).memberSlotsTtl()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void timeUnitsReadPostgresqlsSpellings() {
    assertThat(TimeUnits.micros("250", "ms")).isEqualTo(OptionalLong.of(250_000));
    assertThat(TimeUnits.micros("7us", "s")).isEqualTo(OptionalLong.of(7));
    assertThat(TimeUnits.micros("3 min", "s")).isEqualTo(OptionalLong.of(180_000_000));
    assertThat(TimeUnits.micros("99999999999999999999", "s")).isEmpty();
    assertThat(TimeUnits.micros("9999999999999d", "s")).isEmpty();
    assertThat(TimeUnits.micros("5 Min", "s")).isEmpty();
    assertThat(TimeUnits.micros("", "s")).isEmpty();
  }

  private static Duration ttl(Object v) {
    return parse(map("member_slots_ttl", v), new ArrayList<>()).memberSlotsTtl();
  }
}
