package io.weft.sidecar;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Reads a size flag: a number of bytes ({@code 4194304}) or a number with a binary unit ({@code
 * 512KiB}, {@code 4MiB}, {@code 1GiB}); at least 1 byte, at most 2 GiB - 1.
 */
public final class ByteSizeConverter implements CommandLine.ITypeConverter<Integer> {

  private static final Pattern SIZE = Pattern.compile("(\\d{1,10})\\s*(B|KiB|MiB|GiB)?");

  @Override
  public Integer convert(String value) {
    return parse(value);
  }

  /** Parses {@code value}; throws {@link CommandLine.TypeConversionException} naming it. */
  public static int parse(String value) {
    Matcher matcher = SIZE.matcher(value.trim());
    if (!matcher.matches()) {
      throw new CommandLine.TypeConversionException("'" + value + "' is not a size (expected:"
          + " bytes, or a number with B, KiB, MiB or GiB, e.g. 4194304 or 4MiB)");
    }
    String unit = matcher.group(2) == null ? "B" : matcher.group(2);
    int shift = switch (unit) {
      case "KiB" -> 10;
      case "MiB" -> 20;
      case "GiB" -> 30;
      default -> 0;
    };
    long amount = Long.parseLong(matcher.group(1));
    if (amount < 1 || amount > (Integer.MAX_VALUE >> shift)) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is out of range (expected: 1 byte..2GiB - 1)");
    }
    return (int) (amount << shift);
  }
}
