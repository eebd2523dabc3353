package io.weft.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class DemoMainTest {

  private static final Pattern ENV_DEFAULT = Pattern.compile("^\\$\\{env:([A-Z_]+):-.*}$");

  @ParameterizedTest
  @ValueSource(strings = {"server", "client"})
  void help_documentsEveryFlagAndItsEnvironmentVariable(String command) {
    CommandLine subcommand = DemoMain.commandLine().getSubcommands().get(command);
    String help = subcommand.getUsageMessage(CommandLine.Help.Ansi.OFF);

    for (OptionSpec option : subcommand.getCommandSpec().options()) {
      assertThat(help).contains(option.longestName());
      if (option.usageHelp()) {
        continue;
      }
      String declaredDefault =
          ((Field) option.userObject()).getAnnotation(CommandLine.Option.class).defaultValue();
      Matcher env = ENV_DEFAULT.matcher(declaredDefault);
      assertThat(env.matches()).as("%s reads an environment variable", option.longestName())
          .isTrue();
      assertThat(String.join(" ", option.description()))
          .as("%s names its environment variable", option.longestName())
          .contains("Env " + env.group(1));
    }
  }

  @Test
  void execute_withoutCommand_exitsTwoSayingWhatIsExpected() {
    StringWriter err = new StringWriter();

    int exitCode = DemoMain.commandLine().setErr(new PrintWriter(err)).execute();

    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString()).contains("missing command (expected: server or client)");
  }

  @Test
  void execute_clientWithBadFlag_exitsTwoNamingIt() {
    StringWriter err = new StringWriter();

    int exitCode =
        DemoMain.commandLine().setErr(new PrintWriter(err)).execute("client", "--concurrency", "0");

    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString()).contains("--concurrency: 0 (expected: 1..100000)");
  }

  @Test
  void execute_help_listsBothCommands() {
    StringWriter out = new StringWriter();

    int exitCode = DemoMain.commandLine().setOut(new PrintWriter(out)).execute("--help");

    assertThat(exitCode).isZero();
    assertThat(out.toString()).contains("server").contains("client");
  }
}
