package io.pgquorum.coordinator.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeTest {
  @ParameterizedTest
  @CsvSource({"0,0", "1048576,1048576", "16kB,16384", "64MB,67108864", "1GB,1073741824", "2TB,2199023255552",
      "10B,10", "16kb,16384", "' 3 MB ',3145728"})
  void parsesSizes(String text, long expected) throws Exception {
    assertThat(ByteSize.parse("lag", text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-1", "1.5MB", "MB", "5XB", "99999999999TB", "1 2"})
  void refusesNonSizesNamingTheParameter(String text) {
    assertThatThrownBy(() -> ByteSize.parse("lag", text)).isInstanceOf(BadRequest.class)
        .hasMessageStartingWith("lag: ");
  }
}
