package io.weft.sidecar.proxy;

import io.weft.sidecar.balancer.PickerTap;
import java.time.Duration;
import java.util.Optional;

/**
 * Gives the outbound proxy's frame relay the balancer of a mesh service: the {@link PickerTap} of
 * that service's {@code mesh:///<service>} channel, whose picker chooses the instance of each call.
 * The implementation owns the channels.
 */
@FunctionalInterface
public interface UpstreamPickers {

  /**
   * The picker tap of {@code service}, a mesh service name. Called once per routed call; must not
   * block. May throw to refuse the service; the call then fails with UNAVAILABLE.
   */
  PickerTap pickerFor(String service);

  /** The time a call to {@code service} may take at most, whatever its own deadline: none here. */
  default Optional<Duration> requestTimeout(String service) {
    return Optional.empty();
  }
}
