package io.weft.demo;

import static java.util.Objects.requireNonNull;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The greeting texts the server sends, and how a client reads the answering instance back out of
 * them. Both directions live here so they cannot drift apart.
 */
public final class Greetings {

  /** {@code ... from <instance-id>}, optionally followed by {@code (<i>/<n>)} for streams. */
  private static final Pattern INSTANCE_IN_REPLY =
      Pattern.compile("^.* from (\\S+)(?: \\(\\d+/\\d+\\))?$", Pattern.DOTALL);

  private Greetings() {}

  /** The unary reply: {@code Hello, <name> from <instance-id>}. */
  public static String reply(String name, String instanceId) {
    requireNonNull(name, "name");
    requireNonNull(instanceId, "instanceId");
    return "Hello, " + name + " from " + instanceId;
  }

  /** One reply of a stream: {@code Hello, <name> from <instance-id> (<index>/<count>)}. */
  public static String streamReply(String name, String instanceId, int index, int count) {
    return reply(name, instanceId) + " (" + index + "/" + count + ")";
  }

  /**
   * The instance id a {@link #reply} or {@link #streamReply} names, or null if {@code message}
   * is not such a reply.
   */
  public static String instanceFromReply(String message) {
    requireNonNull(message, "message");
    Matcher matcher = INSTANCE_IN_REPLY.matcher(message);
    return matcher.matches() ? matcher.group(1) : null;
  }
}
