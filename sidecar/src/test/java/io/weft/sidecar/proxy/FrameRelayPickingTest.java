package io.weft.sidecar.proxy;

import static io.weft.sidecar.proxy.ForwardingContractTest.WAIT;
import static io.weft.sidecar.proxy.ForwardingContractTest.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.google.common.base.Ticker;
import com.google.protobuf.ByteString;
import io.grpc.Attributes;
import io.grpc.ClientStreamTracer;
import io.grpc.LoadBalancer.FixedResultPicker;
import io.grpc.LoadBalancer.PickResult;
import io.grpc.LoadBalancer.PickSubchannelArgs;
import io.grpc.LoadBalancer.Subchannel;
import io.grpc.LoadBalancer.SubchannelPicker;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.weft.sidecar.balancer.MeshCallOptions;
import io.weft.sidecar.balancer.PickedEndpoint;
import io.weft.sidecar.balancer.PickerTap;
import io.weft.sidecar.proxy.ForwardingContractTest.StreamRecorder;
import io.weft.sidecar.proxy.echo.EchoGrpc;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the frame relay picks with a balancer's picker (driven here by the test through the {@link
 * PickerTap}): waiting for a picker, failing on a pick error, replaying a stream the upstream never
 * processed on the next pick, the stream tracers of the pick, and the service's request timeout.
 */
class FrameRelayPickingTest {

  private static final Subchannel SUBCHANNEL = new Subchannel() {
    @Override
    public void shutdown() {}

    @Override
    public void requestConnection() {}

    @Override
    public Attributes getAttributes() {
      return Attributes.EMPTY;
    }
  };

  private final FakeEndpointSource source = new FakeEndpointSource();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final PickerTap tap = new PickerTap();
  private final AtomicInteger connectionRequests = new AtomicInteger();
  private final AtomicReference<Duration> requestTimeout = new AtomicReference<>();
  private final List<String> tracerEvents = new CopyOnWriteArrayList<>();
  private ScheduledExecutorService scheduler;
  private EchoUpstream echo;
  private MisbehavingUpstream refusing;
  private OutboundProxy proxy;
  private ManagedChannel client;
  private EchoGrpc.EchoBlockingStub blocking;

  @BeforeEach
  void setUp() throws Exception {
    scheduler = Executors.newSingleThreadScheduledExecutor();
    echo = new EchoUpstream("echo", "echo-7");
    refusing = new MisbehavingUpstream();
    source.setRoute("weft.test.proxy.Echo", "echo");
    tap.connectWith(connectionRequests::incrementAndGet);
    UpstreamPickers pickers = new UpstreamPickers() {
      @Override
      public PickerTap pickerFor(String service) {
        return tap;
      }

      @Override
      public Optional<Duration> requestTimeout(String service) {
        return Optional.ofNullable(requestTimeout.get());
      }
    };
    proxy = OutboundProxy.frameRelayBuilder(
            source, pickers, new ProxyMetrics(registry, Ticker.systemTicker()), scheduler)
        .start();
    client = EchoUpstream.plaintextChannel(proxy.port());
    blocking = EchoGrpc.newBlockingStub(client);
  }

  @AfterEach
  void tearDown() throws Exception {
    client.shutdownNow();
    client.awaitTermination(10, TimeUnit.SECONDS);
    proxy.stop(Duration.ofSeconds(5));
    scheduler.shutdownNow();
    echo.close();
    refusing.close();
  }

  /** Picks {@code targets} in turn, the last one from then on. */
  private SubchannelPicker picking(Target... targets) {
    AtomicInteger picks = new AtomicInteger();
    return new SubchannelPicker() {
      @Override
      public PickResult pickSubchannel(PickSubchannelArgs args) {
        Target target = targets[Math.min(picks.getAndIncrement(), targets.length - 1)];
        args.getCallOptions().getOption(MeshCallOptions.PICKED_UPSTREAM)
            .record(new PickedEndpoint("echo", target.instance, target.address));
        return PickResult.withSubchannel(SUBCHANNEL, new RecordingTracers(target.instance));
      }
    };
  }

  private Target echoTarget() {
    return new Target("echo-7", new InetSocketAddress("127.0.0.1", echo.port()));
  }

  private Target refusingTarget() {
    return new Target("refusing-1", refusing.address());
  }

  private static Target deadTarget() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return new Target("dead-1", new InetSocketAddress("127.0.0.1", socket.getLocalPort()));
    }
  }

  @Test
  void call_waitsForTheBalancer_thenGoesToThePickedInstance() {
    StreamRecorder responses = new StreamRecorder();
    EchoGrpc.newStub(client).unary(request("patient").build(), responses);
    await().atMost(WAIT).until(() -> connectionRequests.get() == 1);
    assertThat(responses.status.get()).isNull();

    tap.publish(picking(echoTarget()));

    assertThat(responses.awaitDone()).isEqualTo(Status.Code.OK);
    assertThat(echo.service.callsStarted.get()).isEqualTo(1);
  }

  @Test
  void call_isHeldWhileThePickerHasNoResult_andGoesOnWithTheNextPicker() {
    tap.publish(new FixedResultPicker(PickResult.withNoResult()));
    StreamRecorder responses = new StreamRecorder();
    EchoGrpc.newStub(client).unary(request("held").build(), responses);
    await().during(Duration.ofMillis(300)).atMost(WAIT)
        .until(() -> responses.status.get() == null);

    tap.publish(picking(echoTarget()));

    assertThat(responses.awaitDone()).isEqualTo(Status.Code.OK);
  }

  @Test
  void pickError_failsTheCallWithTheBalancersStatus() {
    tap.publish(new FixedResultPicker(PickResult.withError(
        Status.UNAVAILABLE.withDescription("echo: no pickable endpoint"))));

    StatusRuntimeException error = catchThrowableOfType(
        StatusRuntimeException.class, () -> blocking.unary(request("x").build()));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(error.getStatus().getDescription()).isEqualTo("echo: no pickable endpoint");
  }

  @Test
  void refusedStream_isReplayedOnTheNextPick_andTheTracersSeeBothAttempts() {
    tap.publish(picking(refusingTarget(), echoTarget()));
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();

    String message = blocking
        .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
        .unary(request("again").setPayload(ByteString.copyFrom(new byte[10_000])).build())
        .getMessage();

    assertThat(message).isEqualTo("again");
    assertThat(refusing.streamsSeen.get()).isEqualTo(1);
    assertThat(headers.get().get(ForwardedMetadata.UPSTREAM)).isEqualTo("echo/echo-7");
    await().atMost(WAIT).until(() -> tracerEvents.size() == 4);
    assertThat(tracerEvents).containsExactly(
        "refusing-1 created", "refusing-1 closed UNAVAILABLE",
        "echo-7 created", "echo-7 closed OK");
  }

  @Test
  void connectionFailure_isRetriedOnTheNextPick() throws IOException {
    tap.publish(picking(deadTarget(), echoTarget()));

    assertThat(blocking.unary(request("elsewhere").build()).getMessage()).isEqualTo("elsewhere");
    assertThat(echo.service.callsStarted.get()).isEqualTo(1);
  }

  @Test
  void streamRefusedEverywhere_failsUnavailable_afterTheTransparentRetries() {
    tap.publish(picking(refusingTarget()));

    StatusRuntimeException error = catchThrowableOfType(
        StatusRuntimeException.class, () -> blocking.unary(request("x").build()));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(error.getStatus().getDescription())
        .contains("echo/refusing-1 refused the stream")
        .contains("after " + (RelayedCall.MAX_TRANSPARENT_RETRIES + 1) + " attempts");
    assertThat(refusing.streamsSeen.get()).isEqualTo(RelayedCall.MAX_TRANSPARENT_RETRIES + 1);
  }

  @Test
  void requestTooLargeToReplay_failsUnavailable_whenTheStreamIsRefused() {
    tap.publish(picking(refusingTarget(), echoTarget()));
    ByteString payload = ByteString.copyFrom(new byte[RelayedCall.REPLAY_LIMIT + 1]);

    StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class,
        () -> blocking.unary(request("big").setPayload(payload).build()));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(error.getStatus().getDescription()).contains("too large to replay");
    assertThat(echo.service.callsStarted.get()).isZero();
  }

  @Test
  void serviceRequestTimeout_endsACallWithoutADeadline() {
    requestTimeout.set(Duration.ofMillis(200));

    StatusRuntimeException error = catchThrowableOfType(
        StatusRuntimeException.class, () -> blocking.unary(request("never picked").build()));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(error.getStatus().getDescription()).contains("outbound proxy");
  }

  @Test
  void serviceRequestTimeout_reachesTheUpstreamAsItsDeadline() {
    requestTimeout.set(Duration.ofSeconds(30));
    tap.publish(picking(echoTarget()));

    long remaining = blocking.unary(request("d").build()).getDeadlineRemainingMillis();

    assertThat(remaining).isBetween(20_000L, 30_000L);
  }

  @Test
  void upstreamSendingDataBeforeHeaders_failsTheCallInternal_andIsReset() throws Exception {
    try (MisbehavingUpstream broken =
        new MisbehavingUpstream(MisbehavingUpstream.Misbehaviour.DATA_BEFORE_HEADERS)) {
      tap.publish(picking(new Target("broken-1", broken.address())));

      StatusRuntimeException error = catchThrowableOfType(
          StatusRuntimeException.class, () -> blocking.unary(request("x").build()));

      assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
      assertThat(error.getStatus().getDescription())
          .isEqualTo("the upstream echo/broken-1 sent DATA before response headers");
      await().atMost(WAIT).until(() -> broken.resetsReceived.get() == 1);
    }
  }

  private record Target(String instance, InetSocketAddress address) {}

  /** Stream tracers that note when their stream is created and closed. */
  private final class RecordingTracers extends ClientStreamTracer.Factory {
    private final String instance;

    RecordingTracers(String instance) {
      this.instance = instance;
    }

    @Override
    public ClientStreamTracer newClientStreamTracer(
        ClientStreamTracer.StreamInfo info, Metadata headers) {
      return new ClientStreamTracer() {
        @Override
        public void streamCreated(Attributes transportAttrs, Metadata headers) {
          tracerEvents.add(instance + " created");
        }

        @Override
        public void streamClosed(Status status) {
          tracerEvents.add(instance + " closed " + status.getCode());
        }
      };
    }
  }
}
