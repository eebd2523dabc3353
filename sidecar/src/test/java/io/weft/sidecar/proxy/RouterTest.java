package io.weft.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusException;
import io.weft.testing.FakeClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RouterTest {

  private static final String METHOD = "helloworld.Greeter/SayHello";

  private final FakeClock clock = new FakeClock();
  private final FakeEndpointSource source = new FakeEndpointSource();
  private final Router router =
      new Router(source, clock.scheduler(), clock.ticker(), Duration.ofSeconds(5), 2);

  @AfterEach
  void tearDown() {
    router.close();
  }

  @Test
  void candidateService_isTheAuthorityHostWhenItIsADnsLabel() {
    assertThat(Router.candidateService("greeter")).isEqualTo("greeter");
    assertThat(Router.candidateService("greeter:8080")).isEqualTo("greeter");
    assertThat(Router.candidateService("Greeter-2:80")).isEqualTo("greeter-2");
    assertThat(Router.candidateService("localhost:15001")).isNull();
    assertThat(Router.candidateService("127.0.0.1:15001")).isNull();
    assertThat(Router.candidateService("greeter.default.svc")).isNull();
    assertThat(Router.candidateService("[::1]:15001")).isNull();
    assertThat(Router.candidateService("-bad")).isNull();
    assertThat(Router.candidateService("")).isNull();
    assertThat(Router.candidateService(null)).isNull();
  }

  @Test
  void route_byAuthority_whenTheServiceHasInstances() {
    source.setService("greeter", 1);
    source.setRoute("helloworld.Greeter", "a", "b");

    assertThat(router.route("greeter:15001", METHOD, null)).isCompletedWithValue("greeter");
  }

  @Test
  void route_byGrpcService_whenTheAuthorityServiceHasNoInstances() {
    source.setService("greeter", 0);
    source.setRoute("helloworld.Greeter", "hello");

    assertThat(router.route("greeter", METHOD, null)).isCompletedWithValue("hello");
  }

  @Test
  void route_failsNamingWhatWasAsked_whenNothingServesIt() {
    source.setService("greeter", 0);
    source.setRoute("helloworld.Greeter");

    Status status = failure(router.route("greeter", METHOD, null));

    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.getDescription())
        .contains(METHOD)
        .contains(":authority \"greeter\"")
        .contains("mesh service \"greeter\" has no instances")
        .contains("no mesh service registers gRPC service helloworld.Greeter");
  }

  @Test
  void route_failsNamingTheServices_whenSeveralServeTheGrpcService() {
    source.setRoute("helloworld.Greeter", "greeter-a", "greeter-b");

    Status status = failure(router.route("localhost:15001", METHOD, null));

    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.getDescription())
        .contains("[greeter-a, greeter-b]")
        .contains("set :authority");
  }

  @Test
  void route_waitsForTheFirstUpdate_thenUsesTheOpenWatch() {
    CompletableFuture<String> first = router.route("localhost", METHOD, null);
    assertThat(first).isNotDone();

    source.setRoute("helloworld.Greeter", "greeter");

    assertThat(first).isCompletedWithValue("greeter");
    assertThat(router.route("localhost", METHOD, null)).isCompletedWithValue("greeter");
    source.setRoute("helloworld.Greeter", "greeter-2");
    assertThat(router.route("localhost", METHOD, null)).isCompletedWithValue("greeter-2");
    assertThat(source.opened()).containsExactly("route:helloworld.Greeter");
    assertThat(clock.pendingTaskCount()).isZero();
  }

  @Test
  void route_timesOut_whenTheSourceNeverAnswers() {
    CompletableFuture<String> result = router.route("localhost", METHOD, null);

    clock.forward(4999, TimeUnit.MILLISECONDS);
    assertThat(result).isNotDone();
    clock.forward(1, TimeUnit.MILLISECONDS);

    Status status = failure(result);
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.getDescription())
        .contains("helloworld.Greeter")
        .contains("no answer from the control plane")
        .contains("5000 ms");
  }

  @Test
  void route_failsAtOnce_afterTheFirstLookupTimedOut_untilTheSourceAnswers() {
    router.route("localhost", METHOD, null);
    clock.forward(5, TimeUnit.SECONDS);

    assertThat(failure(router.route("localhost", METHOD, null)).getDescription())
        .contains("no answer from the control plane");
    assertThat(clock.pendingTaskCount()).isZero();

    source.setRoute("helloworld.Greeter", "greeter");
    assertThat(router.route("localhost", METHOD, null)).isCompletedWithValue("greeter");
  }

  @Test
  void route_isBoundedByTheCallDeadline() {
    Deadline deadline = Deadline.after(300, TimeUnit.MILLISECONDS, deadlineTicker());
    CompletableFuture<String> result = router.route("greeter", METHOD, deadline);

    clock.forward(300, TimeUnit.MILLISECONDS);

    Status status = failure(result);
    assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(status.getDescription()).contains("mesh service \"greeter\"");
  }

  @Test
  void route_failsWithTheSourceError_whenTheSourceHasNoData() {
    CompletableFuture<String> result = router.route("localhost", METHOD, null);

    source.failRoute(
        "helloworld.Greeter", Status.UNAVAILABLE.withDescription("control plane unreachable"));

    Status status = failure(result);
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.getDescription())
        .contains("route of gRPC service helloworld.Greeter is unknown")
        .contains("control plane unreachable");
    assertThat(clock.pendingTaskCount()).isZero();
  }

  @Test
  void route_keepsTheLastUpdate_whenTheSourceReportsAnError() {
    source.setRoute("helloworld.Greeter", "greeter");
    router.route("localhost", METHOD, null);

    source.failRoute("helloworld.Greeter", Status.UNAVAILABLE.withDescription("lost"));

    assertThat(router.route("localhost", METHOD, null)).isCompletedWithValue("greeter");
  }

  @Test
  void route_failsWithoutWatching_whenThePathNamesNoValidGrpcService() {
    Status status = failure(router.route("localhost", "no-slash", null));

    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.getDescription()).contains("names no valid gRPC service");
    assertThat(source.opened()).isEmpty();
  }

  @Test
  void route_closesTheLeastRecentlyUsedWatch_whenMoreNamesThanTheCacheSize() {
    source.setRoute("a.A", "a");
    source.setRoute("b.B", "b");
    source.setRoute("c.C", "c");
    router.route(null, "a.A/M", null);
    router.route(null, "b.B/M", null);
    router.route(null, "a.A/M", null);

    assertThat(router.route(null, "c.C/M", null)).isCompletedWithValue("c");

    assertThat(source.closed()).containsExactly("route:b.B");
    assertThat(router.route(null, "a.A/M", null)).isCompletedWithValue("a");
    assertThat(source.opened()).containsExactly("route:a.A", "route:b.B", "route:c.C");
  }

  @Test
  void knownRoute_isNull_untilARouteHasWatchedTheNames() {
    source.setService("greeter", 1);

    assertThat(router.knownRoute("greeter", "helloworld.Greeter")).isNull();
    assertThat(source.opened()).isEmpty();
    router.route("greeter", METHOD, null);
    assertThat(router.knownRoute("greeter", "helloworld.Greeter")).isEqualTo("greeter");
  }

  @Test
  void knownRoute_usesTheGrpcService_whenTheAuthorityServiceHasNoInstances() {
    source.setService("greeter", 0);
    source.setRoute("helloworld.Greeter", "hello");
    router.route("greeter", METHOD, null);

    assertThat(router.knownRoute("greeter", "helloworld.Greeter")).isEqualTo("hello");
    assertThat(router.knownRoute(null, "helloworld.Greeter")).isEqualTo("hello");
    assertThat(router.knownRoute("greeter", null)).isNull();
  }

  @Test
  void knownRoute_isNull_whenTheRouteWouldFail() {
    source.setRoute("helloworld.Greeter", "a", "b");
    source.setRoute("empty.Empty");
    router.route(null, METHOD, null);
    router.route(null, "empty.Empty/M", null);

    assertThat(router.knownRoute(null, "helloworld.Greeter")).isNull();
    assertThat(router.knownRoute(null, "empty.Empty")).isNull();
  }

  @Test
  void knownRoute_countsAsALookup_forTheLeastRecentlyUsedWatch() {
    source.setRoute("a.A", "a");
    source.setRoute("b.B", "b");
    source.setRoute("c.C", "c");
    router.route(null, "a.A/M", null);
    router.route(null, "b.B/M", null);

    assertThat(router.knownRoute(null, "a.A")).isEqualTo("a");
    router.route(null, "c.C/M", null);

    assertThat(source.closed()).containsExactly("route:b.B");
  }

  @Test
  void close_closesEveryWatch() {
    source.setRoute("a.A", "a");
    source.setService("greeter", 1);
    router.route(null, "a.A/M", null);
    router.route("greeter", "a.A/M", null);

    router.close();

    assertThat(source.closed()).containsExactlyInAnyOrder("route:a.A", "service:greeter");
  }

  private Deadline.Ticker deadlineTicker() {
    return new Deadline.Ticker() {
      @Override
      public long nanoTime() {
        return clock.ticker().read();
      }
    };
  }

  private static Status failure(CompletableFuture<String> result) {
    Throwable thrown = catchThrowable(result::join);
    assertThat(thrown)
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(StatusException.class);
    return ((StatusException) thrown.getCause()).getStatus();
  }
}
