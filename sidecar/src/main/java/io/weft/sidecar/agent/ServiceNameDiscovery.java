package io.weft.sidecar.agent;

import static java.util.Objects.requireNonNull;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import io.grpc.SynchronizationContext.ScheduledHandle;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns which gRPC services the local app serves: asks its server reflection ({@code
 * grpc.reflection.v1}, then {@code v1alpha}) to list them, leaving out the reflection, health and
 * channelz services; without reflection, falls back to the configured names. Bounded by a timeout
 * on the injected scheduler; never blocks.
 */
final class ServiceNameDiscovery {

  private static final Logger log = LoggerFactory.getLogger(ServiceNameDiscovery.class);

  /** Where a list of names came from. */
  enum Source {
    REFLECTION,
    CONFIGURED,
    NONE
  }

  /**
   * What discovery found.
   *
   * @param names sorted, distinct gRPC service names
   * @param source where they came from
   * @param appReachable false when the app could not be asked at all (down, or too slow), so a
   *     later attempt may find more
   */
  record Result(List<String> names, Source source, boolean appReachable) {
    Result {
      names = List.copyOf(names);
    }
  }

  private final Channel app;
  private final List<String> configured;
  private final Duration timeout;
  private final String label;
  private final SynchronizationContext syncContext;
  private final ScheduledExecutorService scheduler;
  private Result lastLogged;

  ServiceNameDiscovery(
      Channel app,
      List<String> configured,
      Duration timeout,
      String label,
      SynchronizationContext syncContext,
      ScheduledExecutorService scheduler) {
    this.app = requireNonNull(app, "app");
    this.configured = sorted(requireNonNull(configured, "configured"));
    this.timeout = requireNonNull(timeout, "timeout");
    this.label = requireNonNull(label, "label");
    this.syncContext = requireNonNull(syncContext, "syncContext");
    this.scheduler = requireNonNull(scheduler, "scheduler");
  }

  /**
   * Starts one lookup; {@code done} is called once, in the synchronization context, unless the
   * lookup is cancelled first. Call in the synchronization context.
   */
  BoundedUnaryCalls.Pending discover(Consumer<Result> done) {
    Lookup lookup = new Lookup(requireNonNull(done, "done"));
    lookup.start();
    return lookup;
  }

  /** Whether reflection lists this service for registration. */
  static boolean isMeshVisible(String grpcService) {
    return !grpcService.startsWith("grpc.reflection.")
        && !grpcService.equals("grpc.health.v1.Health")
        && !grpcService.startsWith("grpc.channelz.");
  }

  private static List<String> sorted(Collection<String> names) {
    return names.stream().distinct().sorted().toList();
  }

  private void report(Result result, String reason) {
    if (result.equals(lastLogged)) {
      return;
    }
    lastLogged = result;
    switch (result.source()) {
      case REFLECTION -> log.info("gRPC services of {} from server reflection: {}",
          label, result.names());
      case CONFIGURED -> log.info("gRPC services of {}: {}; using the configured names {}",
          label, reason, result.names());
      case NONE -> log.warn("gRPC services of {}: {} and none configured; registering none",
          label, reason);
    }
  }

  private final class Lookup implements BoundedUnaryCalls.Pending {
    private final Consumer<Result> done;
    private ScheduledHandle timer;
    private ClientCall<?, ?> call;
    private boolean finished;

    Lookup(Consumer<Result> done) {
      this.done = done;
    }

    void start() {
      timer = syncContext.schedule(
          () -> fallBack(false, "server reflection did not answer within "
              + timeout.toMillis() + " ms"),
          timeout.toNanos(), TimeUnit.NANOSECONDS, scheduler);
      ask(io.grpc.reflection.v1.ServerReflectionGrpc.getServerReflectionInfoMethod(),
          io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setListServices("").build(),
          response -> response.hasListServicesResponse()
              ? Optional.of(response.getListServicesResponse().getServiceList().stream()
                  .map(io.grpc.reflection.v1.ServiceResponse::getName).toList())
              : Optional.empty(),
          this::askV1Alpha);
    }

    private void askV1Alpha() {
      ask(io.grpc.reflection.v1alpha.ServerReflectionGrpc.getServerReflectionInfoMethod(),
          io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder()
              .setListServices("").build(),
          response -> response.hasListServicesResponse()
              ? Optional.of(response.getListServicesResponse().getServiceList().stream()
                  .map(io.grpc.reflection.v1alpha.ServiceResponse::getName).toList())
              : Optional.empty(),
          () -> fallBack(true, "the app has no server reflection"));
    }

    private <ReqT, RespT> void ask(
        MethodDescriptor<ReqT, RespT> method,
        ReqT request,
        Function<RespT, Optional<List<String>>> names,
        Runnable ifUnimplemented) {
      ClientCall<ReqT, RespT> started = app.newCall(method, CallOptions.DEFAULT);
      call = started;
      StreamObserver<ReqT> requests = ClientCalls.asyncBidiStreamingCall(started,
          new StreamObserver<RespT>() {
            @Override
            public void onNext(RespT response) {
              Optional<List<String>> listed = names.apply(response);
              syncContext.execute(() -> {
                if (call == started) {
                  listed.ifPresentOrElse(this::listed,
                      () -> fallBack(true, "server reflection answered with an error"));
                }
              });
            }

            private void listed(List<String> all) {
              finish(new Result(
                  sorted(all.stream().filter(ServiceNameDiscovery::isMeshVisible).toList()),
                  Source.REFLECTION, true), "");
            }

            @Override
            public void onError(Throwable t) {
              Status status = Status.fromThrowable(t);
              syncContext.execute(() -> {
                if (call != started) {
                  return;
                }
                if (status.getCode() == Status.Code.UNIMPLEMENTED) {
                  ifUnimplemented.run();
                } else {
                  fallBack(false, "server reflection failed: " + Statuses.describe(status));
                }
              });
            }

            @Override
            public void onCompleted() {
              syncContext.execute(() -> {
                if (call == started) {
                  fallBack(true, "server reflection closed without listing services");
                }
              });
            }
          });
      requests.onNext(request);
      requests.onCompleted();
    }

    private void fallBack(boolean appReachable, String reason) {
      Source source = configured.isEmpty() ? Source.NONE : Source.CONFIGURED;
      finish(new Result(configured, source, appReachable), reason);
    }

    private void finish(Result result, String reason) {
      if (finished) {
        return;
      }
      finished = true;
      timer.cancel();
      ClientCall<?, ?> open = call;
      call = null;
      if (open != null && result.source() != Source.REFLECTION) {
        open.cancel(reason, null);
      }
      report(result, reason);
      done.accept(result);
    }

    @Override
    public void cancel() {
      if (finished) {
        return;
      }
      finished = true;
      timer.cancel();
      ClientCall<?, ?> open = call;
      call = null;
      if (open != null) {
        open.cancel("cancelled by the agent", null);
      }
    }
  }
}
