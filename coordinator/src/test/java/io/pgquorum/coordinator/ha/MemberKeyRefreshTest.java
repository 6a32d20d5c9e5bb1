package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.cluster.Member;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** When the HA loop rewrites its member key: on any change at once, unchanged only at a third of the TTL. */
class MemberKeyRefreshTest {
  private static final Duration TTL = Duration.ofSeconds(9);
  private static final long SEC = 1_000_000_000L;
  private static final Duration NO_WAIT = Duration.ZERO;
  private final Map<String, Object> fields = Map.of("role", "replica", "xlog_location", 100L);

  private static Optional<Member> stored(long revision) {
    return Optional.of(new Member("n1", revision, "", "", "running", "replica", "0.1.0", OptionalLong.empty(), 1,
        Optional.empty(), Map.of(), false, Map.of()));
  }

  @Test
  void firstCycleWrites() {
    assertThat(MemberKeyRefresh.NONE.due(fields, TTL, NO_WAIT, Optional.empty(), 0)).isTrue();
  }

  @Test
  void unchangedKeyIsRefreshedOnlyAfterAThirdOfTheTtl() {
    MemberKeyRefresh r = MemberKeyRefresh.NONE.written(fields, TTL, 7, 0);
    assertThat(r.due(fields, TTL, NO_WAIT, stored(7), SEC)).isFalse();
    assertThat(r.due(fields, TTL, NO_WAIT, stored(7), 3 * SEC - 1)).isFalse();
    assertThat(r.due(fields, TTL, NO_WAIT, stored(7), 3 * SEC)).isTrue();
  }

  @Test
  void theNextCycleIsAccountedForSoTheGapNeverExceedsAThirdOfTheTtl() {
    MemberKeyRefresh r = MemberKeyRefresh.NONE.written(fields, TTL, 7, 0);
    Duration loop = Duration.ofSeconds(1);
    assertThat(r.due(fields, TTL, loop, stored(7), 2 * SEC - 1)).isFalse();
    assertThat(r.due(fields, TTL, loop, stored(7), 2 * SEC)).as("next cycle would be at 3 s").isTrue();
    assertThat(r.due(fields, TTL, Duration.ofSeconds(3), stored(7), 1)).as("loop_wait >= ttl/3: every cycle")
        .isTrue();
  }

  @Test
  void changedContentOrTtlIsWrittenAtOnce() {
    MemberKeyRefresh r = MemberKeyRefresh.NONE.written(fields, TTL, 7, 0);
    assertThat(r.due(Map.of("role", "replica", "xlog_location", 101L), TTL, NO_WAIT, stored(7), SEC)).isTrue();
    assertThat(r.due(fields, Duration.ofSeconds(30), NO_WAIT, stored(7), SEC)).isTrue();
  }

  @Test
  void keyMissingOrOverwrittenInTheSnapshotIsWrittenAtOnce() {
    MemberKeyRefresh r = MemberKeyRefresh.NONE.written(fields, TTL, 7, 0);
    assertThat(r.due(fields, TTL, NO_WAIT, Optional.empty(), SEC)).as("expired or deleted").isTrue();
    assertThat(r.due(fields, TTL, NO_WAIT, stored(8), SEC)).as("someone else wrote it").isTrue();
  }

  @Test
  void afterAFailedWriteTheNextCycleWrites() {
    MemberKeyRefresh r = MemberKeyRefresh.NONE.written(fields, TTL, 7, 0);
    r = r.forget();
    assertThat(r.due(fields, TTL, NO_WAIT, stored(7), SEC)).isTrue();
  }
}
