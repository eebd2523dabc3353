package io.weft.controlplane.discovery;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The responses of one stream that await an ACK or NACK, by nonce. At most
 * {@link #MAX_OUTSTANDING} are kept; the oldest is forgotten first, and a reply to a forgotten
 * nonce is ignored as stale. Confined to the stream's synchronization context.
 */
final class NonceLedger {

  /** How many unanswered responses a stream remembers. */
  static final int MAX_OUTSTANDING = 16;

  /**
   * A response sent and not answered yet.
   *
   * @param nonce its nonce
   * @param version the registry revision it was built from
   * @param services the service names it carried
   * @param routes the route names it carried
   */
  record Sent(String nonce, long version, List<String> services, List<String> routes) {
    Sent {
      services = List.copyOf(services);
      routes = List.copyOf(routes);
    }
  }

  private final Map<String, Sent> outstanding =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Sent> eldest) {
          return size() > MAX_OUTSTANDING;
        }
      };
  private long lastNonce;

  /** Records a response about to be sent, under a new nonce. */
  Sent record(long version, List<String> services, List<String> routes) {
    Sent sent = new Sent(Long.toString(++lastNonce), version, services, routes);
    outstanding.put(sent.nonce(), sent);
    return sent;
  }

  /** Removes and returns the response with {@code nonce}, or null if unknown or forgotten. */
  Sent take(String nonce) {
    return outstanding.remove(nonce);
  }

  int outstanding() {
    return outstanding.size();
  }
}
