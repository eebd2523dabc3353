package io.weft.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/** Entry point of the benchmarks jar: one subcommand per benchmark. */
@Command(
    name = "weft-bench",
    mixinStandardHelpOptions = true,
    description = "weft benchmarks. They are not tests: run them on a quiet machine.",
    subcommands = {ControlPlaneBench.class, ProxyBench.class})
public final class BenchMain {

  private BenchMain() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchMain()).execute(args));
  }
}
