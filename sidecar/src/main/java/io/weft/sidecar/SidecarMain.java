package io.weft.sidecar;

import static java.util.Objects.requireNonNull;

import io.weft.common.TerminationSignals;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The sidecar's command line, and the main class of {@code sidecar.jar}: reads the flags (each also
 * from an environment variable {@code WEFT_<FLAG>}), starts a {@link Sidecar}, prints {@code weft
 * sidecar <service>/<instance-id> ready to serve: outbound=<host>:<port>
 * inbound=<host>:<port>|none admin=<host>:<port>} on standard output, and on SIGTERM or SIGINT
 * drains, stops and exits 0. Exit code 2 for a bad flag (the message names it), 1 when a port
 * cannot be bound. Netty's buffer leak detection is off in the process unless its level is set
 * ({@link NettyLeakDetection}).
 */
@Command(
    name = "weft-sidecar",
    mixinStandardHelpOptions = true,
    abbreviateSynopsis = true,
    versionProvider = SidecarMain.Version.class,
    usageHelpWidth = 100,
    sortOptions = false,
    description = {
      "Runs beside an app: proxies its outbound gRPC calls to mesh services (15001), registers it"
          + " with the control plane and proxies the calls it receives (15006), and serves admin"
          + " HTTP (15000: /ready, /healthz, /metrics, /clusters, /config_dump, /drain).",
      "Without --app-port it is a pure client: no registration, no inbound proxy.",
      "Once serving it prints one line on standard output (wrapped here):",
      "  weft sidecar <service>/<instance-id> ready to serve: outbound=<host>:<port>",
      "      inbound=<host>:<port>|none admin=<host>:<port>",
      "On SIGTERM or SIGINT it drains (DRAINING, confirmation, in-flight calls, deregistration),"
          + " stops and exits 0.",
      "Every flag can also be set through the environment variable named in its description.",
      ""
    })
public final class SidecarMain implements Callable<Integer> {

  private static final Logger logger = LoggerFactory.getLogger(SidecarMain.class);

  /** The environment variable, set from the pod's zone label, that wins over {@code --zone}. */
  public static final String POD_ZONE_ENV = "WEFT_POD_ZONE";

  private final Function<String, String> environment;
  private final SidecarFlags flags = new SidecarFlags();

  @Spec private CommandSpec spec;

  /** A command line that reads {@value #POD_ZONE_ENV} from {@code environment}. */
  SidecarMain(Function<String, String> environment) {
    this.environment = requireNonNull(environment, "environment");
  }

  /** Runs the sidecar until SIGTERM or SIGINT and exits with its code. */
  public static void main(String[] args) {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    NettyLeakDetection.disableUnlessConfigured(System::getProperty);
    System.exit(commandLine(System::getenv).execute(args));
  }

  /** The command line, ready to {@code execute}; bad flags print one line and exit 2. */
  public static CommandLine commandLine(Function<String, String> environment) {
    SidecarMain main = new SidecarMain(environment);
    CommandLine commandLine = new CommandLine(main);
    commandLine.addMixin("flags", main.flags);
    commandLine.setParameterExceptionHandler((e, args) -> {
      PrintWriter err = e.getCommandLine().getErr();
      err.println(e.getMessage());
      err.println("Run 'weft-sidecar --help' for the flags and their environment variables.");
      err.flush();
      return e.getCommandLine().getCommandSpec().exitCodeOnInvalidInput();
    });
    return commandLine;
  }

  @Override
  public Integer call() throws InterruptedException {
    SidecarConfig config = config();
    CountDownLatch stop = new CountDownLatch(1);
    TerminationSignals.onTermination(stop::countDown);
    return serve(config, stop);
  }

  /**
   * The config the parsed flags describe ({@value #POD_ZONE_ENV}, when not empty, wins over
   * {@code --zone}).
   *
   * @throws ParameterException naming the flag whose value is bad
   */
  public SidecarConfig config() {
    return flags.toConfig(new FlagChecks(spec), environment.apply(POD_ZONE_ENV));
  }

  /**
   * Starts the sidecar, prints the ready line, waits for {@code stop}, then drains and closes.
   *
   * @return 0, or 1 if the sidecar could not start
   */
  int serve(SidecarConfig config, CountDownLatch stop) throws InterruptedException {
    Sidecar sidecar;
    try {
      sidecar = Sidecar.start(config);
    } catch (IOException | RuntimeException e) {
      logger.error("sidecar {} cannot start: {}", config.label(), e.toString());
      return 1;
    }
    try (sidecar) {
      PrintWriter out = spec.commandLine().getOut();
      out.println(readyLine(sidecar));
      out.flush();
      stop.await();
      awaitDrain(sidecar);
    }
    return 0;
  }

  /** The line printed once the sidecar serves. */
  static String readyLine(Sidecar sidecar) {
    return "weft sidecar " + sidecar.config().label() + " ready to serve: outbound="
        + sidecar.outboundAddress() + " inbound=" + sidecar.inboundAddress().orElse("none")
        + " admin=" + sidecar.adminAddress();
  }

  private static void awaitDrain(Sidecar sidecar) throws InterruptedException {
    Duration bound = sidecar.drainBound();
    try {
      sidecar.drain().get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      logger.warn("sidecar {}: drain not done after {} ms; stopping anyway",
          sidecar.config().label(), bound.toMillis());
    } catch (ExecutionException e) {
      logger.warn("sidecar {}: drain failed: {}; stopping anyway", sidecar.config().label(),
          e.getCause().toString());
    }
  }

  /** Reports the build's version, or that it is a development build. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = SidecarMain.class.getPackage().getImplementationVersion();
      return new String[] {"weft sidecar " + (version != null ? version : "(development build)")};
    }
  }
}
