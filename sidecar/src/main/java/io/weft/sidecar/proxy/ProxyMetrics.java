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
  private final Map<Direction, ConcurrentMap<String, ServiceMeters>> services =
      new EnumMap<>(Direction.class);
  private final Set<String> knownInstances = ConcurrentHashMap.newKeySet();

  /**
   * The meters of one direction and service: its in-flight gauge, and its timer and counters per
   * instance, looked up in the registry once rather than on every call.
   */
  private final class ServiceMeters {
    private final Direction direction;
    private final String service;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ConcurrentMap<String, Meters> byInstance = new ConcurrentHashMap<>();

    ServiceMeters(Direction direction, String service) {
      this.direction = direction;
      this.service = service;
      Gauge.builder("weft_proxy_in_flight", inFlight, AtomicInteger::get)
          .description("Calls in progress through the proxy")
          .tags("direction", direction.tag(), "service", service)
          .register(registry);
    }

    /** The meters of calls to {@code instance}; those of {@code other} once too many are known. */
    Meters of(String instance) {
      // An instance already in the map is a known one: no bound to check on the common path.
      Meters known = byInstance.get(instance);
      if (known != null) {
        return known;
      }
      return byInstance.computeIfAbsent(boundedInstance(service, instance),
          bounded -> new Meters(direction, service, bounded));
    }
  }

  /**
   * The timer and counters of one direction, service and instance. Counters are registered lazily
   * per status code; a race registers the same meter twice, which the registry answers with the
   * one it has.
   */
  private final class Meters {
    private final Tags tags;
    private final Timer duration;
    private final AtomicReferenceArray<Counter> byCode =
        new AtomicReferenceArray<>(Status.Code.values().length);

    Meters(Direction direction, String service, String instance) {
      tags = Tags.of("direction", direction.tag(), "service", service, "instance", instance);
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
      services.put(direction, new ConcurrentHashMap<>());
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
    ServiceMeters meters = serviceMeters(direction, service);
    meters.inFlight.incrementAndGet();
    return new Call(meters, defaultInstance, startNanos);
  }

  private ServiceMeters serviceMeters(Direction direction, String service) {
    ConcurrentMap<String, ServiceMeters> byService = services.get(direction);
    ServiceMeters known = byService.get(service);
    if (known != null) {
      return known;
    }
    return byService.computeIfAbsent(service, key -> new ServiceMeters(direction, key));
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
    private final ServiceMeters meters;
    private final String defaultInstance;
    private final long startNanos;
    private final AtomicBoolean ended = new AtomicBoolean();

    private Call(ServiceMeters meters, String defaultInstance, long startNanos) {
      this.meters = meters;
      this.defaultInstance = defaultInstance;
      this.startNanos = startNanos;
    }

    /** Records the end of the call with the status code the caller got. */
    void end(Status.Code code, String pickedInstance) {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      meters.inFlight.decrementAndGet();
      Meters callMeters = meters.of(pickedInstance != null ? pickedInstance : defaultInstance);
      callMeters.requests(code).increment();
      callMeters.duration.record(ticker.read() - startNanos, TimeUnit.NANOSECONDS);
    }
  }
}
