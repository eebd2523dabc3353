package io.weft.e2e;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the demo launcher prints, captured line by line (and echoed to the test log as {@code
 * [demo] ...}), and read back as the load client's per-second tables, each tagged with the phase
 * of the failover it was printed in.
 */
final class DemoOutput extends OutputStream {

  /** Where the failover stood when a table was printed. */
  enum Phase {
    BEFORE_KILL,
    AFTER_KILL,
    AFTER_RESTART
  }

  /**
   * One per-second table of the load client.
   *
   * @param second the client's running second
   * @param phase the failover phase it was printed in
   * @param lastSecond calls each instance answered in that second
   */
  record Table(long second, Phase phase, Map<String, Long> lastSecond) {
    long answeredBy(String instanceId) {
      return lastSecond.getOrDefault(instanceId, 0L);
    }
  }

  private static final Pattern HEADLINE = Pattern.compile("^\\[\\s*(\\d+)s\\] ");
  private static final Pattern SECTION = Pattern.compile("^  (instance|error)\\s+last 1s\\s+total$");
  private static final Pattern ROW = Pattern.compile("^  (\\S+)\\s+(\\d+)\\s+(\\d+)$");

  private final List<String> lines = new ArrayList<>();
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

  /** A print stream into this capture. */
  PrintStream printStream() {
    return new PrintStream(this, true, StandardCharsets.UTF_8);
  }

  @Override
  public synchronized void write(int b) {
    if (b == '\n') {
      String line = pending.toString(StandardCharsets.UTF_8);
      pending.reset();
      lines.add(line);
      System.out.println("[demo] " + line);
    } else {
      pending.write(b);
    }
  }

  /** Every complete line printed so far. */
  synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  /** The client's tables, in order. */
  List<Table> tables() {
    List<Table> tables = new ArrayList<>();
    Phase phase = Phase.BEFORE_KILL;
    Phase tablePhase = phase;
    Long second = null;
    Map<String, Long> counts = new LinkedHashMap<>();
    boolean inInstances = false;
    for (String line : lines()) {
      Matcher headline = HEADLINE.matcher(line);
      Matcher section = SECTION.matcher(line);
      Matcher row = ROW.matcher(line);
      if (headline.find()) {
        if (second != null) {
          tables.add(new Table(second, tablePhase, counts));
        }
        second = Long.parseLong(headline.group(1));
        tablePhase = phase;
        counts = new LinkedHashMap<>();
        inInstances = false;
      } else if (section.matches()) {
        inInstances = section.group(1).equals("instance");
      } else if (inInstances && row.matches()) {
        counts.put(row.group(1), Long.parseLong(row.group(2)));
      } else if (line.startsWith(">>> weft demo: killing greeter-2")) {
        phase = Phase.AFTER_KILL;
      } else if (line.startsWith(">>> weft demo: starting greeter-2 again")) {
        phase = Phase.AFTER_RESTART;
      }
    }
    if (second != null) {
      tables.add(new Table(second, tablePhase, counts));
    }
    return tables;
  }
}
