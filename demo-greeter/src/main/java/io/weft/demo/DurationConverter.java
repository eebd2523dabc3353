package io.weft.demo;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a duration flag: {@code 0}, a whole number with a unit ({@code 250ms}, {@code 10s},
 * {@code 2m}, {@code 1h}), or ISO-8601 ({@code PT1.5S}).
 */
final class DurationConverter implements ITypeConverter<Duration> {

  private static final Pattern WITH_UNIT = Pattern.compile("(\\d{1,12})(ms|s|m|h)");

  @Override
  public Duration convert(String value) {
    String text = value.trim();
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    Matcher matcher = WITH_UNIT.matcher(text);
    if (matcher.matches()) {
      long amount = Long.parseLong(matcher.group(1));
      switch (matcher.group(2)) {
        case "ms":
          return Duration.ofMillis(amount);
        case "s":
          return Duration.ofSeconds(amount);
        case "m":
          return Duration.ofMinutes(amount);
        default:
          return Duration.ofHours(amount);
      }
    }
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      throw new TypeConversionException(
          "'" + value + "' (expected: a duration such as 0, 250ms, 10s, 2m, 1h or PT1.5S)");
    }
  }
}
