package io.weft.sidecar.proxy;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Ticker;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The proxies' metrics.
 *
 * <ul>
 *   <li>{@code weft_proxy_requests_total} (counter; tags {@code direction}, {@code service}, {@code
 *       instance}, {@code code}): finished calls.
 *   <li>{@code weft_proxy_request_duration_seconds} (timer with a percentile histogram; tags {@code
 *       direction}, {@code service}, {@code instance}): from the call's arrival to its end.
 *   <li>{@code weft_proxy_in_flight} (gauge; tags {@code direction}, {@code service}): calls in
 *       progress.
 * </ul>
 *
 * <p>{@code service} is the mesh service a call went to (outbound) or the local service (inbound);
 * {@code none} for a call that was never routed. {@code instance} is the picked instance ({@code
 * none} when nothing was picked). To keep cardinality bounded, after {@value #MAX_INSTANCES}
 * distinct service/instance pairs further instances are counted as {@code other}.
 */
public final class ProxyMetrics {

  /** Which proxy a call went through. */
  public enum Direction {
    OUTBOUND,
    INBOUND;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Tag value for a call that has no service or no picked instance. */
  static final String NONE = "none";

  static final String OTHER = "other";
  static final int MAX_INSTANCES = 1_000;

  private final MeterRegistry registry;
  private final Ticker ticker;
  private final Map<Direction, ConcurrentMap<String, AtomicInteger>> inFlight =
      new EnumMap<>(Direction.class);
  private final ConcurrentMap<MeterKey, Meters> meters = new ConcurrentHashMap<>();
  private final Set<String> knownInstances = ConcurrentHashMap.newKeySet();

  /** The tags of one call's counter and timer, but the status code. */
  private record MeterKey(Direction direction, String service, String instance) {}

  /**
   * The meters of one {@link MeterKey}, looked up in the registry once rather than on every call.
   * Counters are registered lazily per status code; a race registers the same meter twice, which
   * the registry answers with the one it has.
   */
  private final class Meters {
    private final Tags tags;
    private final Timer duration;
    private final AtomicReferenceArray<Counter> byCode =
        new AtomicReferenceArray<>(Status.Code.values().length);

    Meters(MeterKey key) {
      tags = Tags.of("direction", key.direction().tag(), "service", key.service(), "instance",
          key.instance());
      duration = Timer.builder("weft_proxy_request_duration_seconds")
          .description("Duration of calls through the proxy, from arrival to end")
          .tags(tags)
          .publishPercentileHistogram()
          .register(registry);
    }

    Counter requests(Status.Code code) {
      Counter counter = byCode.get(code.ordinal());
      if (counter == null) {
        counter = Counter.builder("weft_proxy_requests_total")
            .description("Calls through the proxy, by the status code the caller got")
            .tags(tags.and("code", code.name()))
            .register(registry);
        byCode.set(code.ordinal(), counter);
      }
      return counter;
    }
  }

  /** Records into {@code registry}; measures durations with {@code ticker}. */
  public ProxyMetrics(MeterRegistry registry, Ticker ticker) {
    this.registry = requireNonNull(registry, "registry");
    this.ticker = requireNonNull(ticker, "ticker");
    for (Direction direction : Direction.values()) {
      inFlight.put(direction, new ConcurrentHashMap<>());
    }
  }

  /** The ticker's current reading, the start time of a call. */
  long now() {
    return ticker.read();
  }

  /**
   * Counts a call in flight from now until {@link Call#end}; its duration runs from {@code
   * startNanos} (a {@link #now()} reading). {@code defaultInstance} tags the call when the
   * forwarder learns of no picked instance.
   */
  Call start(Direction direction, String service, String defaultInstance, long startNanos) {
    AtomicInteger gauge = inFlightGauge(direction, service);
    gauge.incrementAndGet();
    return new Call(direction, service, defaultInstance, startNanos, gauge);
  }

  private AtomicInteger inFlightGauge(Direction direction, String service) {
    ConcurrentMap<String, AtomicInteger> byService = inFlight.get(direction);
    AtomicInteger known = byService.get(service);
    if (known != null) {
      return known;
    }
    return byService.computeIfAbsent(
        service,
        key -> {
          AtomicInteger count = new AtomicInteger();
          Gauge.builder("weft_proxy_in_flight", count, AtomicInteger::get)
              .description("Calls in progress through the proxy")
              .tags("direction", direction.tag(), "service", key)
              .register(registry);
          return count;
        });
  }

  private String boundedInstance(String service, String instance) {
    String key = service + "/" + instance;
    if (knownInstances.contains(key)) {
      return instance;
    }
    if (knownInstances.size() >= MAX_INSTANCES) {
      return OTHER;
    }
    knownInstances.add(key);
    return instance;
  }

  /** One call counted in flight; {@link #end} records it once. */
  final class Call {
    private final Direction direction;
    private final String service;
    private final String defaultInstance;
    private final long startNanos;
    private final AtomicInteger gauge;
    private final AtomicBoolean ended = new AtomicBoolean();

    private Call(
        Direction direction,
        String service,
        String defaultInstance,
        long startNanos,
        AtomicInteger gauge) {
      this.direction = direction;
      this.service = service;
      this.defaultInstance = defaultInstance;
      this.startNanos = startNanos;
      this.gauge = gauge;
    }

    /** Records the end of the call with the status code the caller got. */
    void end(Status.Code code, String pickedInstance) {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      gauge.decrementAndGet();
      String tagged = pickedInstance != null ? pickedInstance : defaultInstance;
      // A key already in the map has a known instance: no bound to check on the common path.
      Meters callMeters = meters.get(new MeterKey(direction, service, tagged));
      if (callMeters == null) {
        String instance = boundedInstance(service, tagged);
        callMeters =
            meters.computeIfAbsent(new MeterKey(direction, service, instance), Meters::new);
      }
      callMeters.requests(code).increment();
      callMeters.duration.record(ticker.read() - startNanos, TimeUnit.NANOSECONDS);
    }
  }
}
