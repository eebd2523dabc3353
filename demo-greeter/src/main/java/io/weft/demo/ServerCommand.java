package io.weft.demo;

import com.google.common.net.HostAndPort;
import io.weft.common.DurationConverter;
import io.weft.common.TerminationSignals;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code server}: runs a {@link GreeterServer} until SIGTERM or SIGINT, then shuts it down
 * gracefully and exits 0. Prints {@code greeter <instance-id> listening on <host>:<port>} once
 * listening.
 */
@Command(
    name = "server",
    usageHelpWidth = 100,
    sortOptions = false,
    description = {
      "Runs the greeter: unary and streaming greetings, server reflection and health.",
      "Serves helloworld.Greeter/SayHello, helloworld.StreamingGreeter/SayHelloStream, "
          + "grpc.reflection.v1 and grpc.health.v1.",
      "Prints 'greeter <instance-id> listening on <host>:<port>' once listening. On SIGTERM or "
          + "SIGINT reports NOT_SERVING, stops accepting calls, lets calls in flight finish "
          + "within the shutdown grace and exits 0.",
      "Every flag can also be set through the environment variable named in its description."
    })
final class ServerCommand implements Callable<Integer> {

  private static final Logger logger = LoggerFactory.getLogger(ServerCommand.class);

  @Spec private CommandSpec spec;

  @Option(
      names = "--port",
      defaultValue = "${env:GREETER_PORT:-50051}",
      description = "Port to listen on; 0 picks a free one (printed). Env GREETER_PORT. "
          + "Default: ${DEFAULT-VALUE}.")
  private int port;

  @Option(
      names = "--instance-id",
      defaultValue = "${env:GREETER_INSTANCE_ID:-}",
      description = "Instance id named in every reply: 1..253 printable ASCII characters, no "
          + "whitespace. Env GREETER_INSTANCE_ID. Default: the host name (the pod name in "
          + "Kubernetes).")
  private String instanceId;

  @Option(
      names = "--address",
      defaultValue = "${env:GREETER_ADDRESS:-127.0.0.1}",
      description = "Address to bind; 0.0.0.0 for every interface. Env GREETER_ADDRESS. "
          + "Default: ${DEFAULT-VALUE}.")
  private String address;

  @Option(
      names = "--shutdown-grace",
      defaultValue = "${env:GREETER_SHUTDOWN_GRACE:-10s}",
      converter = DurationConverter.class,
      description = "How long calls in flight may run on after SIGTERM before they are "
          + "cancelled (e.g. 500ms, 10s, 1m). Env GREETER_SHUTDOWN_GRACE. "
          + "Default: ${DEFAULT-VALUE}.")
  private Duration shutdownGrace;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  private boolean help;

  @Override
  public Integer call() throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    TerminationSignals.onTermination(stop::countDown);
    return serve(stop);
  }

  /**
   * Serves until {@code stop} is counted down, then shuts down gracefully.
   *
   * @return 0, or 1 if the port could not be bound
   */
  int serve(CountDownLatch stop) throws InterruptedException {
    String id = instanceId.isEmpty() ? hostName() : instanceId;
    if (shutdownGrace.isNegative()) {
      throw new ParameterException(
          spec.commandLine(), "--shutdown-grace: " + shutdownGrace + " (expected: >= 0)");
    }
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "greeter-streams");
              thread.setDaemon(true);
              return thread;
            });
    try {
      GreeterServer server;
      try {
        server = new GreeterServer(address, port, id, scheduler);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage(), e);
      }
      try {
        server.start();
      } catch (IOException e) {
        logger.error("greeter {} cannot listen on {}:{}: {}", id, address, port, e.toString());
        return 1;
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          "greeter " + id + " listening on " + HostAndPort.fromParts(address, server.port()));
      out.flush();
      stop.await();
      server.shutdown(shutdownGrace);
      return 0;
    } finally {
      scheduler.shutdownNow();
    }
  }

  private String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      throw new ParameterException(
          spec.commandLine(), "--instance-id: not given, and the host name is unknown", e);
    }
  }
}
