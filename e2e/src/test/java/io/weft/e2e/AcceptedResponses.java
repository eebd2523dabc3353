package io.weft.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a sidecar's discovery log: one INFO line per accepted response, such as {@code node n1:
 * accepted version 12 from cp-1: greeter 3 instances (2 SERVING, 1 DRAINING); route
 * helloworld.Greeter -> greeter}, each change separated by {@code "; "}.
 */
final class AcceptedResponses {

  private static final Pattern ACCEPTED =
      Pattern.compile("node \\S+: accepted version (\\d+) from (\\S+): (.*)$");
  private static final Pattern SERVING = Pattern.compile("\\b(\\d+) SERVING\\b");

  private AcceptedResponses() {}

  /**
   * One accepted endpoint set of a service.
   *
   * @param version the response's version
   * @param controlPlaneId the control plane that sent it
   * @param instances how many instances the set holds, in any health
   * @param serving how many of them are SERVING
   */
  record EndpointSet(long version, String controlPlaneId, int instances, int serving) {}

  /** The control plane of each accepted response in {@code lines}, in order. */
  static List<String> controlPlanes(List<MeshProcess.Line> lines) {
    List<String> ids = new ArrayList<>();
    for (MeshProcess.Line line : lines) {
      Matcher accepted = ACCEPTED.matcher(line.text());
      if (accepted.find()) {
        ids.add(accepted.group(2));
      }
    }
    return ids;
  }

  /** Every endpoint set of {@code service} that {@code lines} show accepted, in order. */
  static List<EndpointSet> of(String service, List<MeshProcess.Line> lines) {
    Pattern change = Pattern.compile("^" + Pattern.quote(service) + " (\\d+) instances?(.*)$");
    List<EndpointSet> sets = new ArrayList<>();
    for (MeshProcess.Line line : lines) {
      Matcher accepted = ACCEPTED.matcher(line.text());
      if (!accepted.find()) {
        continue;
      }
      for (String part : accepted.group(3).split("; ")) {
        Matcher set = change.matcher(part);
        if (set.matches()) {
          Matcher serving = SERVING.matcher(set.group(2));
          sets.add(new EndpointSet(Long.parseLong(accepted.group(1)), accepted.group(2),
              Integer.parseInt(set.group(1)),
              serving.find() ? Integer.parseInt(serving.group(1)) : 0));
        }
      }
    }
    return sets;
  }
}
