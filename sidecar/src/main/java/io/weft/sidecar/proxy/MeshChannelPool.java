package io.weft.sidecar.proxy;

import static java.util.Objects.requireNonNull;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.weft.sidecar.balancer.MeshServiceConfig;
import io.weft.sidecar.balancer.PickerTap;
import io.weft.sidecar.balancer.PickerTapLoadBalancerProvider;
import io.weft.sidecar.resolver.MeshChannels;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar's {@link UpstreamChannels} and {@link UpstreamPickers}: one {@code
 * mesh:///<service>} channel per mesh service, built by {@link MeshChannels} with the service's
 * own config (or the default) on the first call to that service, and kept for the life of the
 * pool. Every channel's balancer sits below a {@code weft_picker_tap}, whose {@link PickerTap}
 * lets the frame relay pick with it. The channels never go idle: the relay's calls do not pass
 * through them, so the channel cannot tell a busy service from a quiet one, and its balancer, its
 * outlier detection state and its {@code ClusterStats} entry must stay between calls.
 * {@link #close()} shuts every channel down.
 */
public final class MeshChannelPool implements UpstreamChannels, UpstreamPickers, AutoCloseable {

  private static final Logger logger = LoggerFactory.getLogger(MeshChannelPool.class);

  /** An idle timeout above grpc-java's 30-day bound, which turns idle mode off. */
  private static final Duration NEVER_IDLE = Duration.ofDays(31);

  /** How long {@link #close()} lets calls in progress finish before ending them: 5 s. */
  public static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  private final MeshChannels channels;
  private final MeshServiceConfig defaultConfig;
  private final Map<String, MeshServiceConfig> serviceConfigs;
  private final ConcurrentMap<String, MeshUpstream> byService = new ConcurrentHashMap<>();
  private final Object lock = new Object();
  private boolean closed;

  /**
   * @param channels builds the channels
   * @param defaultConfig the service config of a service without its own
   * @param serviceConfigs per-service service configs, by mesh service name
   */
  public MeshChannelPool(
      MeshChannels channels,
      MeshServiceConfig defaultConfig,
      Map<String, MeshServiceConfig> serviceConfigs) {
    this.channels = requireNonNull(channels, "channels");
    this.defaultConfig = requireNonNull(defaultConfig, "defaultConfig");
    this.serviceConfigs = Map.copyOf(requireNonNull(serviceConfigs, "serviceConfigs"));
  }

  /**
   * The channel of {@code service}, created on first use.
   *
   * @throws IllegalStateException once the pool is closed
   * @throws IllegalArgumentException if {@code service} is not a mesh service name
   */
  @Override
  public Channel channelFor(String service) {
    return upstream(service).channel();
  }

  /**
   * The picker tap of {@code service}'s channel, created on first use.
   *
   * @throws IllegalStateException once the pool is closed
   * @throws IllegalArgumentException if {@code service} is not a mesh service name
   */
  @Override
  public PickerTap pickerFor(String service) {
    return upstream(service).tap();
  }

  /** The service config's per-call timeout of {@code service}, if it has one. */
  @Override
  public Optional<Duration> requestTimeout(String service) {
    return configOf(service).timeout();
  }

  private MeshUpstream upstream(String service) {
    MeshUpstream upstream = byService.get(requireNonNull(service, "service"));
    if (upstream != null) {
      return upstream;
    }
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("mesh channel pool is closed: no channel for " + service);
      }
      return byService.computeIfAbsent(service, this::create);
    }
  }

  private MeshUpstream create(String service) {
    MeshServiceConfig config = configOf(service);
    PickerTap tap = new PickerTap();
    ManagedChannel channel =
        channels
            .newChannelBuilder(service, config)
            .defaultServiceConfig(PickerTapLoadBalancerProvider.tapped(config.toServiceConfig()))
            .setNameResolverArg(PickerTap.KEY, tap)
            .idleTimeout(NEVER_IDLE.toDays(), TimeUnit.DAYS)
            .build();
    tap.connectWith(() -> channel.getState(true));
    logger.info("mesh channel to {} created: policy {}, outlier detection {}, retries {}",
        service, config.balancer().policy().jsonName(), config.outlierDetection() ? "on" : "off",
        config.retryPolicy().map(p -> p.maxAttempts() + " attempts").orElse("off"));
    return new MeshUpstream(channel, tap);
  }

  /** The service config a channel to {@code service} has. */
  public MeshServiceConfig configOf(String service) {
    return serviceConfigs.getOrDefault(service, defaultConfig);
  }

  /** The services that have a channel. */
  public Set<String> services() {
    return Set.copyOf(byService.keySet());
  }

  /**
   * Shuts every channel down: calls in progress get {@link #CLOSE_GRACE} to finish, then are
   * cancelled. Later {@link #channelFor} calls fail. Idempotent.
   */
  @Override
  public void close() {
    List<ManagedChannel> all;
    synchronized (lock) {
      closed = true;
      all = byService.values().stream().map(MeshUpstream::channel).toList();
    }
    all.forEach(ManagedChannel::shutdown);
    long deadline = System.nanoTime() + CLOSE_GRACE.toNanos();
    try {
      for (ManagedChannel channel : all) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !channel.awaitTermination(left, TimeUnit.NANOSECONDS)) {
          channel.shutdownNow();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      all.forEach(ManagedChannel::shutdownNow);
    }
  }

  /** A service's channel and the tap of its balancer. */
  private record MeshUpstream(ManagedChannel channel, PickerTap tap) {}
}
