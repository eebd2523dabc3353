package io.weft.sidecar.proxy;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Ticker;
import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import io.grpc.Deadline;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.weft.common.MeshNames;
import io.weft.mesh.v1.GrpcRoute;
import io.weft.mesh.v1.ServiceEndpoints;
import io.weft.sidecar.discovery.EndpointSource;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which mesh service an outbound call goes to.
 *
 * <ol>
 *   <li>If the {@code :authority} host (port stripped, lower-cased) is a DNS-1123 label other than
 *       {@code localhost}, it names a candidate mesh service; if that service has at least one
 *       instance, the call goes there.
 *   <li>Otherwise the gRPC service of the method path ({@code helloworld.Greeter} of {@code
 *       helloworld.Greeter/SayHello}) is looked up in the routes: exactly one mesh service serving
 *       it takes the call; none, or several, fail the call with UNAVAILABLE saying why.
 * </ol>
 *
 * <p>Lookups never block: the first lookup of a name waits for the source's first answer, bounded
 * by the route timeout and the call's deadline; later lookups use the state kept current by the
 * open watch (a name the source has not answered within the route timeout fails at once until it
 * answers). Each distinct failure is logged once a minute at most, not once per call.
 */
final class Router {

  private static final Logger logger = LoggerFactory.getLogger(Router.class);

  private static final Duration FAILURE_LOG_INTERVAL = Duration.ofMinutes(1);

  private final WatchedNames<ServiceEndpoints> services;
  private final WatchedNames<GrpcRoute> routes;
  private final ScheduledExecutorService scheduler;
  private final Duration routeTimeout;
  private final Cache<String, Boolean> loggedFailures;

  Router(
      EndpointSource source,
      ScheduledExecutorService scheduler,
      Ticker ticker,
      Duration routeTimeout,
      int cacheSize) {
    requireNonNull(source, "source");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.routeTimeout = requireNonNull(routeTimeout, "routeTimeout");
    this.services = new WatchedNames<>(source::watchService, cacheSize, scheduler, routeTimeout);
    this.routes = new WatchedNames<>(source::watchRoute, cacheSize, scheduler, routeTimeout);
    this.loggedFailures =
        CacheBuilder.newBuilder()
            .ticker(requireNonNull(ticker, "ticker"))
            .maximumSize(1_000)
            .expireAfterWrite(FAILURE_LOG_INTERVAL)
            .build();
  }

  /**
   * The mesh service for a call to {@code fullMethodName} with {@code authority} (may be null) and
   * {@code deadline} (may be null). Fails with a {@link io.grpc.StatusException}: UNAVAILABLE when
   * nothing serves the call, DEADLINE_EXCEEDED when the deadline passes while waiting.
   */
  CompletableFuture<String> route(String authority, String fullMethodName, Deadline deadline) {
    requireNonNull(fullMethodName, "fullMethodName");
    Attempt attempt = new Attempt(authority, fullMethodName, deadline);
    attempt.begin();
    return attempt.result;
  }

  /**
   * The mesh service of a call whose route is already known to succeed, found without waiting or
   * allocating: {@code candidate} (the mesh service the {@code :authority} names, or null) when it
   * has instances, else the one mesh service that serves {@code grpcService} (a valid gRPC service
   * name, or null). Null when {@link #route} must decide: a name not watched or not answered yet,
   * or a call that fails.
   */
  String knownRoute(String candidate, String grpcService) {
    if (candidate != null) {
      WatchedNames.Lookup<ServiceEndpoints> service = services.latest(candidate);
      if (service == null || service.resource() == null) {
        return null;
      }
      if (service.resource().getInstancesCount() > 0) {
        return candidate;
      }
    }
    if (grpcService == null) {
      return null;
    }
    WatchedNames.Lookup<GrpcRoute> route = routes.latest(grpcService);
    if (route == null || route.resource() == null || route.resource().getServicesCount() != 1) {
      return null;
    }
    return route.resource().getServices(0);
  }

  /** Closes every watch. */
  void close() {
    services.close();
    routes.close();
  }

  /** The mesh service {@code authority} names, or null when its host is not a candidate. */
  static String candidateService(String authority) {
    if (authority == null || authority.isEmpty() || authority.startsWith("[")) {
      return null;
    }
    int colon = authority.lastIndexOf(':');
    String host = (colon >= 0 ? authority.substring(0, colon) : authority).toLowerCase(Locale.ROOT);
    if (host.equals("localhost") || !MeshNames.isServiceName(host)) {
      return null;
    }
    return host;
  }

  /**
   * The gRPC service of {@code fullMethodName} ({@code helloworld.Greeter} of {@code
   * helloworld.Greeter/SayHello}) when it is a valid gRPC service name, else null.
   */
  static String grpcServiceOf(String fullMethodName) {
    String service = MethodDescriptor.extractFullServiceName(fullMethodName);
    return service != null && MeshNames.isGrpcServiceName(service) ? service : null;
  }

  /** One call's routing; the result completes once. */
  private final class Attempt {
    private final String authority;
    private final String method;
    private final Deadline deadline;
    private final String candidate;
    private final String grpcService;
    private final CompletableFuture<String> result = new CompletableFuture<>();
    // Written before the lookup it bounds is chained; read on the timer's completion.
    private ScheduledFuture<?> timer;
    private volatile String waitingFor;

    Attempt(String authority, String method, Deadline deadline) {
      this.authority = authority;
      this.method = method;
      this.deadline = deadline;
      this.candidate = candidateService(authority);
      this.grpcService = grpcServiceOf(method);
    }

    void begin() {
      if (candidate != null) {
        await(services.lookup(candidate), () -> "mesh service \"" + candidate + "\"",
            this::onService);
      } else {
        byGrpcService(":authority is not a mesh service name");
      }
    }

    private void onService(WatchedNames.Lookup<ServiceEndpoints> lookup) {
      if (lookup.resource() != null && lookup.resource().getInstancesCount() > 0) {
        result.complete(candidate);
        return;
      }
      String why =
          lookup.resource() != null
              ? "mesh service \"" + candidate + "\" has no instances"
              : "mesh service \"" + candidate + "\" is unknown (" + describe(lookup.error()) + ")";
      byGrpcService(why);
    }

    private void byGrpcService(String authorityWhy) {
      if (grpcService == null) {
        fail(
            Status.UNAVAILABLE, authorityWhy + ", and the method path names no valid gRPC service");
        return;
      }
      await(
          routes.lookup(grpcService),
          () -> "gRPC service " + grpcService,
          lookup -> onRoute(lookup, authorityWhy));
    }

    private void onRoute(WatchedNames.Lookup<GrpcRoute> lookup, String authorityWhy) {
      if (lookup.resource() == null) {
        fail(
            Status.UNAVAILABLE,
            authorityWhy
                + ", and the route of gRPC service "
                + grpcService
                + " is unknown ("
                + describe(lookup.error())
                + ")");
        return;
      }
      var serving = lookup.resource().getServicesList();
      if (serving.size() == 1) {
        result.complete(serving.get(0));
      } else if (serving.isEmpty()) {
        fail(
            Status.UNAVAILABLE,
            authorityWhy + ", and no mesh service registers gRPC service " + grpcService);
      } else {
        fail(
            Status.UNAVAILABLE,
            "gRPC service "
                + grpcService
                + " is served by several mesh services "
                + serving
                + "; set :authority to one of them (for example grpcurl -authority "
                + serving.get(0)
                + ")");
      }
    }

    /** Goes on with {@code next} once {@code lookup} is done; {@code what} names it if it waits. */
    private <T> void await(
        CompletableFuture<WatchedNames.Lookup<T>> lookup,
        Supplier<String> what,
        Consumer<WatchedNames.Lookup<T>> next) {
      if (lookup.isDone()) {
        next.accept(lookup.join());
        return;
      }
      waitingFor = what.get();
      startTimer();
      lookup.thenAccept(
          found -> {
            if (!result.isDone()) {
              next.accept(found);
            }
          });
    }

    private void startTimer() {
      if (timer != null) {
        return;
      }
      long timeoutNanos = routeTimeout.toNanos();
      boolean byDeadline = false;
      if (deadline != null) {
        long remaining = Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS));
        if (remaining < timeoutNanos) {
          timeoutNanos = remaining;
          byDeadline = true;
        }
      }
      boolean expiresByDeadline = byDeadline;
      timer =
          scheduler.schedule(
              () -> onTimeout(expiresByDeadline), timeoutNanos, TimeUnit.NANOSECONDS);
      ScheduledFuture<?> scheduled = timer;
      result.whenComplete((service, error) -> scheduled.cancel(false));
    }

    private void onTimeout(boolean byDeadline) {
      if (byDeadline) {
        fail(
            Status.DEADLINE_EXCEEDED,
            "the call's deadline passed while waiting for the state of " + waitingFor);
      } else {
        fail(
            Status.UNAVAILABLE,
            "no answer from the control plane about "
                + waitingFor
                + " within "
                + routeTimeout.toMillis()
                + " ms");
      }
    }

    private void fail(Status status, String why) {
      String asked = authority == null ? "no :authority" : ":authority \"" + authority + "\"";
      String description = "no route for " + method + " (" + asked + "): " + why;
      if (result.completeExceptionally(status.withDescription(description).asException())
          && status.getCode() == Status.Code.UNAVAILABLE
          && loggedFailures.asMap().putIfAbsent(description, Boolean.TRUE) == null) {
        logger.warn("{} (the same failure is logged at most once a minute)", description);
      }
    }
  }

  private static String describe(Status status) {
    if (status == null) {
      return "no answer";
    }
    return status.getDescription() == null
        ? status.getCode().toString()
        : status.getCode() + ": " + status.getDescription();
  }
}
