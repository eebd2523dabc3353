package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.weft.demo.GreeterServer;
import io.weft.demo.helloworld.GreeterGrpc;
import io.weft.demo.helloworld.HelloRequest;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy benchmark's baselines relay real calls: the greeter's answer and its failures. */
class RelayBaselinesTest {

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private GreeterServer greeter;

  @BeforeEach
  void startGreeter() throws Exception {
    greeter = new GreeterServer("127.0.0.1", 0, "g-1", scheduler).start();
  }

  @AfterEach
  void stopGreeter() throws Exception {
    greeter.shutdown(Duration.ZERO);
    scheduler.shutdownNow();
  }

  @Test
  void bareGrpcRelay_relaysAnswersAndStatuses() throws Exception {
    try (BareGrpcRelay relay = BareGrpcRelay.start(greeter.port())) {
      assertRelays(relay.port());
    }
  }

  @Test
  void frameUpstreamRelay_relaysAnswersAndStatuses() throws Exception {
    try (FrameUpstreamRelay relay = FrameUpstreamRelay.start(greeter.port())) {
      assertRelays(relay.port());
    }
  }

  @Test
  void nettyFrameRelay_relaysAnswersAndStatuses() throws Exception {
    try (NettyFrameRelay relay = NettyFrameRelay.start(greeter.port())) {
      assertRelays(relay.port());
    }
  }

  private static void assertRelays(int port) throws InterruptedException {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      for (String name : new String[] {"one", "two"}) {
        String reply = GreeterGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
            .sayHello(HelloRequest.newBuilder().setName(name).build()).getMessage();
        assertThat(reply).contains(name).contains("g-1");
      }
      assertThatThrownBy(() -> HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .check(HealthCheckRequest.newBuilder().setService("no.such.Service").build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
