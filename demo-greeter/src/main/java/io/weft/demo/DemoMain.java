package io.weft.demo;

import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Entry point of {@code demo-greeter.jar}: {@code server} runs a greeter, {@code client} puts load
 * on one. Another program adds a subcommand by listing its class in {@code subcommands} below (or
 * with {@link CommandLine#addSubcommand} on {@link #commandLine()}).
 */
@Command(
    name = "demo-greeter",
    usageHelpWidth = 100,
    description = {
      "The weft demo greeter: a plain gRPC service and a load client; weft runs beside them.",
      "Run '<command> --help' for each command's flags and environment variables."
    },
    subcommands = {ServerCommand.class, ClientCommand.class, CommandLine.HelpCommand.class})
public final class DemoMain implements Runnable {

  @Spec private CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  private boolean help;

  /**
   * Runs the command named by {@code args} and exits with its code. gRPC's java.util.logging
   * records go to logback too, so every log line has one format.
   */
  public static void main(String[] args) {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    System.exit(commandLine().execute(args));
  }

  /** The command line with every subcommand, ready to {@code execute}. */
  public static CommandLine commandLine() {
    return new CommandLine(new DemoMain());
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing command (expected: server or client)");
  }
}
