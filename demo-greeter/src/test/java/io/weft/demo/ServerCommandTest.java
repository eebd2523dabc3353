package io.weft.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.weft.demo.helloworld.GreeterGrpc;
import io.weft.demo.helloworld.HelloRequest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

class ServerCommandTest {

  private static final Pattern LISTENING =
      Pattern.compile("greeter (\\S+) listening on 127\\.0\\.0\\.1:(\\d+)\n");

  private final StringWriter output = new StringWriter();
  private final CountDownLatch stop = new CountDownLatch(1);
  private ManagedChannel channel;

  @AfterEach
  void tearDown() throws Exception {
    stop.countDown();
    if (channel != null) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void serve_printsListeningLine_servesUntilStopped_thenExitsZero() throws Exception {
    ServerCommand command = parse("--port", "0", "--instance-id", "g-7", "--shutdown-grace", "5s");

    CompletableFuture<Integer> exitCode = serveInBackground(command);
    await().atMost(Duration.ofSeconds(20)).until(() -> LISTENING.matcher(output.toString()).find());
    Matcher matcher = LISTENING.matcher(output.toString());
    assertThat(matcher.find()).isTrue();
    assertThat(matcher.group(1)).isEqualTo("g-7");
    channel =
        Grpc.newChannelBuilder("127.0.0.1:" + matcher.group(2), InsecureChannelCredentials.create())
            .build();
    String reply =
        GreeterGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .sayHello(HelloRequest.newBuilder().setName("cli").build())
            .getMessage();
    assertThat(reply).isEqualTo("Hello, cli from g-7");

    stop.countDown();

    assertThat(exitCode.get(20, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void serve_portTaken_exitsOne() throws Exception {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    GreeterServer taken = new GreeterServer("127.0.0.1", 0, "first", scheduler).start();
    try {
      ServerCommand command =
          parse("--port", String.valueOf(taken.port()), "--instance-id", "second");

      assertThat(command.serve(stop)).isEqualTo(1);
    } finally {
      taken.shutdown(Duration.ZERO);
      scheduler.shutdownNow();
    }
  }

  @Test
  void serve_instanceIdWithSpace_rejectedNamingIt() {
    ServerCommand command = parse("--port", "0", "--instance-id", "a b");

    assertThatThrownBy(() -> command.serve(stop))
        .isInstanceOf(ParameterException.class)
        .hasMessageStartingWith("instance id: 'a b' (expected: ");
  }

  private ServerCommand parse(String... args) {
    CommandLine main = DemoMain.commandLine();
    main.parseArgs(Stream.concat(Stream.of("server"), Arrays.stream(args)).toArray(String[]::new));
    CommandLine server = main.getSubcommands().get("server");
    server.setOut(new PrintWriter(output, true));
    return server.getCommand();
  }

  private CompletableFuture<Integer> serveInBackground(ServerCommand command) {
    CompletableFuture<Integer> exitCode = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                exitCode.complete(command.serve(stop));
              } catch (Throwable t) {
                exitCode.completeExceptionally(t);
              }
            },
            "test-server-command");
    thread.start();
    return exitCode;
  }
}
