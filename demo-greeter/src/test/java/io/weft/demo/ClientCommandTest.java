package io.weft.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

class ClientCommandTest {

  private ScheduledExecutorService scheduler;
  private GreeterServer greeter;
  private Server interceptedServer;

  @BeforeEach
  void setUp() throws Exception {
    scheduler = Executors.newSingleThreadScheduledExecutor();
    greeter = new GreeterServer("127.0.0.1", 0, "greeter-1", scheduler).start();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (interceptedServer != null) {
      interceptedServer.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    greeter.shutdown(Duration.ZERO);
    scheduler.shutdownNow();
    scheduler.awaitTermination(10, TimeUnit.SECONDS);
  }

  @Test
  void client_againstRealServer_summaryHasAllCallsOkFromServerInstance() throws Exception {
    Result result =
        runClient(
            "--target", "127.0.0.1:" + greeter.port(),
            "--rate", "50",
            "--concurrency", "4",
            "--deadline", "10s",
            "--duration", "2s");

    Map<String, String> summary = result.summary();
    assertThat(result.exitCode()).isZero();
    assertThat(Long.parseLong(summary.get("total"))).isPositive();
    assertThat(summary.get("ok")).isEqualTo(summary.get("total"));
    assertThat(summary.get("errors")).isEqualTo("0");
    assertThat(summary.get("by_instance")).isEqualTo("greeter-1:" + summary.get("total"));
    assertThat(summary.get("by_code")).isEmpty();
    assertThat(result.output()).contains("[   1s] ").contains("\n  greeter-1 ");
  }

  @Test
  void client_stream_countsEachWholeStreamAsOneOkCall() throws Exception {
    Result result =
        runClient(
            "--target", "127.0.0.1:" + greeter.port(),
            "--stream",
            "--stream-count", "3",
            "--stream-interval", "10ms",
            "--rate", "20",
            "--deadline", "10s",
            "--duration", "1s");

    Map<String, String> summary = result.summary();
    assertThat(result.exitCode()).isZero();
    assertThat(Long.parseLong(summary.get("total"))).isPositive();
    assertThat(summary.get("errors")).isEqualTo("0");
    assertThat(summary.get("by_instance")).isEqualTo("greeter-1:" + summary.get("total"));
    assertThat(Double.parseDouble(summary.get("p50_ms"))).as("a stream spans 2 intervals")
        .isGreaterThanOrEqualTo(20.0);
  }

  @Test
  void client_upstreamHeaderPresent_namesInstanceFromHeader() throws Exception {
    interceptedServer = startIntercepted(new GreeterService("from-message"), new AddUpstreamHeader());

    Result result =
        runClient(
            "--target", "127.0.0.1:" + interceptedServer.getPort(),
            "--rate", "20",
            "--deadline", "10s",
            "--duration", "1s");

    Map<String, String> summary = result.summary();
    assertThat(summary.get("errors")).isEqualTo("0");
    assertThat(summary.get("by_instance")).isEqualTo("from-header:" + summary.get("total"));
  }

  @Test
  void client_trailersOnlyErrors_countedByCodeAndInstanceFromTrailer() throws Exception {
    interceptedServer = startIntercepted(new GreeterService("unused"), new FailWithUpstreamTrailer());

    Result result =
        runClient(
            "--target", "127.0.0.1:" + interceptedServer.getPort(),
            "--rate", "20",
            "--deadline", "10s",
            "--duration", "1s",
            "--fail-on-error");

    Map<String, String> summary = result.summary();
    String total = summary.get("total");
    assertThat(Long.parseLong(total)).isPositive();
    assertThat(summary.get("ok")).isEqualTo("0");
    assertThat(summary.get("by_code")).isEqualTo("UNAVAILABLE:" + total);
    assertThat(summary.get("by_instance")).isEqualTo("broken-1:" + total);
    assertThat(result.exitCode()).as("--fail-on-error").isEqualTo(1);
  }

  @Test
  void client_stopped_endsBeforeDurationWithSummary() throws Exception {
    LoadClient client =
        parse("--target", "127.0.0.1:" + greeter.port(), "--duration", "0")
            .newClient(new PrintWriter(new StringWriter()));
    CompletableFuture<Integer> exitCode = new CompletableFuture<>();
    Thread runner =
        new Thread(
            () -> {
              try {
                exitCode.complete(client.run());
              } catch (Throwable t) {
                exitCode.completeExceptionally(t);
              }
            },
            "test-client");
    runner.start();

    client.stop();

    assertThat(exitCode.get(20, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void client_rateZero_rejectedNamingFlag() {
    ClientCommand command = parse("--rate", "0");

    assertThatThrownBy(() -> command.newClient(new PrintWriter(new StringWriter())))
        .isInstanceOf(ParameterException.class)
        .hasMessage("--rate: 0 (expected: 1..1000000)");
  }

  @Test
  void client_streamCountAboveServerLimit_rejectedNamingFlag() {
    ClientCommand command = parse("--stream-count", "1001");

    assertThatThrownBy(() -> command.newClient(new PrintWriter(new StringWriter())))
        .isInstanceOf(ParameterException.class)
        .hasMessage("--stream-count: 1001 (expected: 1..1000)");
  }

  private static ClientCommand parse(String... args) {
    CommandLine main = DemoMain.commandLine();
    main.parseArgs(Stream.concat(Stream.of("client"), Arrays.stream(args)).toArray(String[]::new));
    return main.getSubcommands().get("client").getCommand();
  }

  private static Result runClient(String... args) throws InterruptedException {
    StringWriter output = new StringWriter();
    int exitCode = parse(args).newClient(new PrintWriter(output)).run();
    return new Result(exitCode, output.toString());
  }

  private static Server startIntercepted(GreeterService service, ServerInterceptor interceptor)
      throws Exception {
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(service, interceptor))
        .build()
        .start();
  }

  private record Result(int exitCode, String output) {
    /** The SUMMARY line's key=value pairs; fails if there is no such line. */
    Map<String, String> summary() {
      String line =
          output.lines()
              .filter(l -> l.startsWith("SUMMARY "))
              .reduce((first, second) -> second)
              .orElseThrow(() -> new AssertionError("no SUMMARY line in:\n" + output));
      assertThat(output).endsWith(line + "\n");
      Map<String, String> pairs = new HashMap<>();
      Arrays.stream(line.substring("SUMMARY ".length()).split(" "))
          .forEach(
              pair -> {
                int eq = pair.indexOf('=');
                pairs.put(pair.substring(0, eq), pair.substring(eq + 1));
              });
      return pairs;
    }
  }

  /** Adds x-weft-upstream to the response headers, as a weft sidecar does. */
  private static final class AddUpstreamHeader implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      return next.startCall(
          new SimpleForwardingServerCall<>(call) {
            @Override
            public void sendHeaders(Metadata responseHeaders) {
              responseHeaders.put(UpstreamHeader.KEY, "greeter/from-header");
              super.sendHeaders(responseHeaders);
            }
          },
          headers);
    }
  }

  /** Fails every call at once (a trailers-only response) naming the upstream in the trailers. */
  private static final class FailWithUpstreamTrailer implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      Metadata trailers = new Metadata();
      trailers.put(UpstreamHeader.KEY, "greeter/broken-1");
      call.close(Status.UNAVAILABLE.withDescription("test: upstream broken"), trailers);
      return new ServerCall.Listener<>() {};
    }
  }
}
