package io.weft.demo;

import static java.util.Objects.requireNonNull;

import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.weft.demo.helloworld.GreeterGrpc;
import io.weft.demo.helloworld.StreamingGreeterGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The greeter server: {@code helloworld.Greeter}, {@code helloworld.StreamingGreeter}, server
 * reflection (v1) and {@code grpc.health.v1}, on a Netty server bound to one address.
 *
 * <p>Health is SERVING for {@code ""} and each greeter service from {@link #start()} until
 * {@link #setServing(boolean) setServing(false)} or {@link #shutdown(Duration)}. The scheduler
 * paces streamed replies; the caller owns it and shuts it down after the server has terminated.
 */
public final class GreeterServer {

  /** The gRPC services the greeter serves (besides reflection and health). */
  public static final List<String> SERVICE_NAMES =
      List.of(GreeterGrpc.SERVICE_NAME, StreamingGreeterGrpc.SERVICE_NAME);

  private static final Logger logger = LoggerFactory.getLogger(GreeterServer.class);

  private final String host;
  private final String instanceId;
  private final HealthStatusManager health = new HealthStatusManager();
  private final Server server;
  private final AtomicBoolean shuttingDown = new AtomicBoolean();

  /**
   * A server for {@code instanceId} that will listen on {@code host:port} (port 0 picks a free
   * port; see {@link #port()}).
   */
  public GreeterServer(
      String host, int port, String instanceId, ScheduledExecutorService scheduler) {
    this.host = requireNonNull(host, "host");
    this.instanceId = checkInstanceId(instanceId);
    requireNonNull(scheduler, "scheduler");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
    }
    this.server =
        NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
            .addService(new GreeterService(instanceId))
            .addService(new StreamingGreeterService(instanceId, scheduler))
            .addService(ProtoReflectionServiceV1.newInstance())
            .addService(health.getHealthService())
            .build();
  }

  /**
   * Checks an instance id: 1..253 printable ASCII characters without whitespace (clients read it
   * back out of replies, so it must not contain spaces).
   */
  static String checkInstanceId(String instanceId) {
    requireNonNull(instanceId, "instanceId");
    boolean printable = instanceId.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    if (instanceId.isEmpty() || instanceId.length() > 253 || !printable) {
      throw new IllegalArgumentException(
          "instance id: '" + instanceId
              + "' (expected: 1..253 printable ASCII characters, no whitespace)");
    }
    return instanceId;
  }

  /** Binds the port, starts serving and reports SERVING. */
  public GreeterServer start() throws IOException {
    server.start();
    setServing(true);
    logger.info("greeter {} started on {}:{}", instanceId, host, port());
    return this;
  }

  /** The port the server listens on (the picked one when started with port 0). */
  public int port() {
    return server.getPort();
  }

  /** The address the server is bound to, as given. */
  public String host() {
    return host;
  }

  /** The instance id the server names in its replies. */
  public String instanceId() {
    return instanceId;
  }

  /**
   * Reports SERVING or NOT_SERVING through {@code grpc.health.v1} for {@code ""} and each greeter
   * service; calls keep being answered either way. Ignored once {@link #shutdown} has begun.
   */
  public void setServing(boolean serving) {
    ServingStatus status = serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
    for (String service : SERVICE_NAMES) {
      health.setStatus(service, status);
    }
    logger.info("greeter {} health {}", instanceId, status);
  }

  /**
   * Graceful shutdown: reports NOT_SERVING for good, stops accepting calls, lets in-flight calls
   * finish within {@code grace}, then cancels what is left. Calling it again waits again.
   *
   * @return true if every call finished within the grace
   */
  public boolean shutdown(Duration grace) throws InterruptedException {
    requireNonNull(grace, "grace");
    if (shuttingDown.compareAndSet(false, true)) {
      logger.info("greeter {} shutting down (grace {} ms)", instanceId, grace.toMillis());
      health.enterTerminalState();
    }
    server.shutdown();
    if (server.awaitTermination(grace.toNanos(), TimeUnit.NANOSECONDS)) {
      logger.info("greeter {} stopped", instanceId);
      return true;
    }
    logger.warn(
        "greeter {}: calls still running after {} ms, cancelling them",
        instanceId,
        grace.toMillis());
    server.shutdownNow();
    server.awaitTermination();
    return false;
  }
}
