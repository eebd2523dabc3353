package io.weft.demo;

import com.google.common.base.Ticker;
import io.weft.common.DurationConverter;
import io.weft.common.TerminationSignals;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code client}: runs a {@link LoadClient} until the duration passes or SIGTERM/SIGINT arrives,
 * printing a table every second and a summary ending in a {@code SUMMARY} line.
 */
@Command(
    name = "client",
    usageHelpWidth = 100,
    sortOptions = false,
    description = {
      "Puts a steady load on the greeter and prints, every second, calls per answering instance, "
          + "errors per status code and p50/p99/max latency of OK calls.",
      "Calls helloworld.Greeter/SayHello, or with --stream "
          + "helloworld.StreamingGreeter/SayHelloStream.",
      "The answering instance is read from the x-weft-upstream response header "
          + "(<service>/<instance-id>) when present, else from the reply.",
      "At the end (--duration, SIGTERM or SIGINT) prints a summary whose last line is machine "
          + "readable: 'SUMMARY total=N ok=N errors=N skipped=N duration_s=S "
          + "by_instance=id:N,... by_code=CODE:N,... p50_ms=X p99_ms=X max_ms=X'. Exits 0, or 1 "
          + "with --fail-on-error when a call failed.",
      "Every flag can also be set through the environment variable named in its description."
    })
final class ClientCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(
      names = "--target",
      defaultValue = "${env:GREETER_CLIENT_TARGET:-localhost:15001}",
      description = "gRPC target to call (the local sidecar by default). "
          + "Env GREETER_CLIENT_TARGET. Default: ${DEFAULT-VALUE}.")
  private String target;

  @Option(
      names = "--authority",
      defaultValue = "${env:GREETER_CLIENT_AUTHORITY:-}",
      description = "The :authority to send, e.g. greeter to name the mesh service; empty sends "
          + "the target's. Env GREETER_CLIENT_AUTHORITY. Default: empty.")
  private String authority;

  @Option(
      names = "--rate",
      defaultValue = "${env:GREETER_CLIENT_RATE:-50}",
      description = "Calls started per second, 1..1000000; a due call that finds --concurrency "
          + "calls in flight is skipped (counted). Env GREETER_CLIENT_RATE. "
          + "Default: ${DEFAULT-VALUE}.")
  private long rate;

  @Option(
      names = "--concurrency",
      defaultValue = "${env:GREETER_CLIENT_CONCURRENCY:-4}",
      description = "Calls in flight at most, 1..100000. Env GREETER_CLIENT_CONCURRENCY. "
          + "Default: ${DEFAULT-VALUE}.")
  private int concurrency;

  @Option(
      names = "--duration",
      defaultValue = "${env:GREETER_CLIENT_DURATION:-0}",
      converter = DurationConverter.class,
      description = "How long to run (e.g. 30s, 5m); 0 runs until SIGTERM or SIGINT. "
          + "Env GREETER_CLIENT_DURATION. Default: ${DEFAULT-VALUE}.")
  private Duration duration;

  @Option(
      names = "--name",
      defaultValue = "${env:GREETER_CLIENT_NAME:-world}",
      description = "Name to greet. Env GREETER_CLIENT_NAME. Default: ${DEFAULT-VALUE}.")
  private String name;

  @Option(
      names = "--deadline",
      defaultValue = "${env:GREETER_CLIENT_DEADLINE:-1s}",
      converter = DurationConverter.class,
      description = "Deadline of each call (a whole stream with --stream). "
          + "Env GREETER_CLIENT_DEADLINE. Default: ${DEFAULT-VALUE}.")
  private Duration deadline;

  @Option(
      names = "--stream",
      defaultValue = "${env:GREETER_CLIENT_STREAM:-false}",
      description = "Call SayHelloStream; each stream counts as one call. "
          + "Env GREETER_CLIENT_STREAM (true/false). Default: ${DEFAULT-VALUE}.")
  private boolean stream;

  @Option(
      names = "--stream-count",
      defaultValue = "${env:GREETER_CLIENT_STREAM_COUNT:-5}",
      description = "Replies per stream, 1..1000. Env GREETER_CLIENT_STREAM_COUNT. "
          + "Default: ${DEFAULT-VALUE}.")
  private int streamCount;

  @Option(
      names = "--stream-interval",
      defaultValue = "${env:GREETER_CLIENT_STREAM_INTERVAL:-100ms}",
      converter = DurationConverter.class,
      description = "Time between streamed replies, 1ms..10s. "
          + "Env GREETER_CLIENT_STREAM_INTERVAL. Default: ${DEFAULT-VALUE}.")
  private Duration streamInterval;

  @Option(
      names = "--fail-on-error",
      defaultValue = "${env:GREETER_CLIENT_FAIL_ON_ERROR:-false}",
      description = "Exit 1 if any call failed. Env GREETER_CLIENT_FAIL_ON_ERROR (true/false). "
          + "Default: ${DEFAULT-VALUE}.")
  private boolean failOnError;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  private boolean help;

  @Override
  public Integer call() throws InterruptedException {
    LoadClient client = newClient(spec.commandLine().getOut());
    TerminationSignals.onTermination(client::stop);
    return client.run();
  }

  /** The client these flags describe, printing to {@code out}; bad flags throw picocli's error. */
  LoadClient newClient(PrintWriter out) {
    LoadClient.Options options;
    try {
      options =
          new LoadClient.Options(
              target,
              authority,
              rate,
              concurrency,
              duration,
              name,
              deadline,
              stream,
              streamCount,
              streamInterval,
              failOnError);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    return new LoadClient(options, out, Ticker.systemTicker());
  }
}
