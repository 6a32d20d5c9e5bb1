package io.pgquorum.coordinator.ha;

import static io.pgquorum.coordinator.ha.MemberKeyRefresh.Step.NONE;
import static io.pgquorum.coordinator.ha.MemberKeyRefresh.Step.REFRESH;
import static io.pgquorum.coordinator.ha.MemberKeyRefresh.Step.WRITE;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.cluster.Member;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * When the HA loop writes its member key: on any change at once; unchanged, it only refreshes the key's lease, at a
 * third of the TTL.
 */
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
    assertThat(MemberKeyRefresh.NONE.step(fields, TTL, NO_WAIT, Optional.empty(), 0)).isEqualTo(WRITE);
  }

  @Test
  void unchangedKeyIsRefreshedOnlyAfterAThirdOfTheTtl() {
    MemberKeyRefresh r = MemberKeyRefresh.NONE.written(fields, TTL, 7, 0);
    assertThat(r.step(fields, TTL, NO_WAIT, stored(7), SEC)).isEqualTo(NONE);
    assertThat(r.step(fields, TTL, NO_WAIT, stored(7), 3 * SEC - 1)).isEqualTo(NONE);
    assertThat(r.step(fields, TTL, NO_WAIT, stored(7), 3 * SEC)).as("a lease refresh, not a write")
        .isEqualTo(REFRESH);
  }

  @Test
  void theNextCycleIsAccountedForSoTheGapNeverExceedsAThirdOfTheTtl() {
    MemberKeyRefresh r = MemberKeyRefresh.NONE.written(fields, TTL, 7, 0);
    Duration loop = Duration.ofSeconds(1);
    assertThat(r.step(fields, TTL, loop, stored(7), 2 * SEC - 1)).isEqualTo(NONE);
    assertThat(r.step(fields, TTL, loop, stored(7), 2 * SEC)).as("next cycle would be at 3 s").isEqualTo(REFRESH);
    assertThat(r.step(fields, TTL, Duration.ofSeconds(3), stored(7), 1)).as("loop_wait >= ttl/3: every cycle")
        .isEqualTo(REFRESH);
  }

  @Test
  void aRefreshIsRememberedLikeAWriteSoTheNextOneWaitsAThirdOfTheTtlAgain() {
    MemberKeyRefresh r = MemberKeyRefresh.NONE.written(fields, TTL, 7, 0);
    MemberKeyRefresh refreshed = r.written(fields, TTL, 7, 3 * SEC);
    assertThat(refreshed.step(fields, TTL, NO_WAIT, stored(7), 5 * SEC)).isEqualTo(NONE);
    assertThat(refreshed.step(fields, TTL, NO_WAIT, stored(7), 6 * SEC)).isEqualTo(REFRESH);
  }

  @Test
  void changedContentOrTtlIsWrittenAtOnce() {
    MemberKeyRefresh r = MemberKeyRefresh.NONE.written(fields, TTL, 7, 0);
    assertThat(r.step(Map.of("role", "replica", "xlog_location", 101L), TTL, NO_WAIT, stored(7), SEC))
        .isEqualTo(WRITE);
    assertThat(r.step(fields, Duration.ofSeconds(30), NO_WAIT, stored(7), SEC)).isEqualTo(WRITE);
    assertThat(r.step(Map.of("role", "replica", "xlog_location", 101L), TTL, NO_WAIT, stored(7), 3 * SEC))
        .as("a change when a refresh is due is a write").isEqualTo(WRITE);
  }

  @Test
  void keyMissingOrOverwrittenInTheSnapshotIsWrittenAtOnce() {
    MemberKeyRefresh r = MemberKeyRefresh.NONE.written(fields, TTL, 7, 0);
    assertThat(r.step(fields, TTL, NO_WAIT, Optional.empty(), SEC)).as("expired or deleted").isEqualTo(WRITE);
    assertThat(r.step(fields, TTL, NO_WAIT, stored(8), SEC)).as("someone else wrote it").isEqualTo(WRITE);
    assertThat(r.step(fields, TTL, NO_WAIT, Optional.empty(), 3 * SEC)).as("never a refresh of a missing key")
        .isEqualTo(WRITE);
  }

  @Test
  void afterAFailedWriteOrRefreshTheNextCycleWrites() {
    MemberKeyRefresh r = MemberKeyRefresh.NONE.written(fields, TTL, 7, 0);
    r = r.forget();
    assertThat(r.step(fields, TTL, NO_WAIT, stored(7), SEC)).isEqualTo(WRITE);
  }
}
