package io.weft.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class DurationConverterTest {

  @ParameterizedTest
  @CsvSource({"500ms,500", "10s,10000", "2m,120000", "1h,3600000", "PT1.5S,1500", "pt3s,3000", "0s,0", "0,0"})
  void parse_readsUnitsAndIso(String text, long millis) {
    assertThat(DurationConverter.parse(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"10", "ten seconds", "-1s", "5d", ""})
  void parse_rejectsWhatIsNotADuration_namingTheValue(String text) {
    assertThatThrownBy(() -> DurationConverter.parse(text))
        .isInstanceOf(CommandLine.TypeConversionException.class)
        .hasMessageContaining("'" + text + "' is not a duration");
  }

  @ParameterizedTest
  @ValueSource(strings = {"PT-1S", "-PT1S"})
  void parse_acceptsIsoAsJavaDoes(String text) {
    assertThat(DurationConverter.parse(text)).isNegative();
  }
}
