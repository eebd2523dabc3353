package io.weft.sidecar.balancer;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the endpoints a picker may use when the config names a local zone: only the local
 * zone's READY endpoints while at least one is READY and they are at least {@code
 * minLocalHealthyPercent} of the local zone's SERVING endpoints; otherwise every READY endpoint.
 * Logs each switch between the two. Used only in the balancer's synchronization context.
 */
final class ZonePreference {

  private static final Logger log = LoggerFactory.getLogger(ZonePreference.class);

  private boolean spilledOver;

  /**
   * @param serving the SERVING endpoints, in any connectivity state
   * @param ready the SERVING endpoints that are READY; not empty
   * @return the endpoints to pick among
   */
  List<Endpoint> apply(
      String service, MeshLoadBalancerConfig config, List<Endpoint> serving, List<Endpoint> ready) {
    if (!config.zoneAware()) {
      return ready;
    }
    String zone = config.localZone();
    long localServing = serving.stream().filter(e -> zone.equals(e.info().zone())).count();
    List<Endpoint> localReady = ready.stream().filter(e -> zone.equals(e.info().zone())).toList();
    boolean stayLocal = !localReady.isEmpty()
        && localReady.size() * 100L >= (long) config.minLocalHealthyPercent() * localServing;
    if (stayLocal == spilledOver) {
      spilledOver = !stayLocal;
      log.info("{}: zone {} has {} of {} SERVING endpoints READY (min {}%): {}", service, zone,
          localReady.size(), localServing, config.minLocalHealthyPercent(),
          stayLocal ? "picking in the local zone" : "spilling over to every zone");
    }
    return stayLocal ? localReady : ready;
  }
}
