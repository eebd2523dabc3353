package io.weft.demo.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.controlplane.ControlPlaneMain;
import io.weft.demo.DemoMain;
import io.weft.demo.k8s.ComponentCli;
import io.weft.sidecar.SidecarMain;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

/**
 * The README documents the real programs: every flag of every component, with the environment
 * variable it reads, and the two commands it starts with exist and do what it says.
 */
class ReadmeTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  static Stream<Arguments> commands() {
    CommandLine greeter = DemoMain.commandLine();
    return Stream.of(
        Arguments.of("control plane", new CommandLine(new ControlPlaneMain())),
        Arguments.of("sidecar", SidecarMain.commandLine(Map.<String, String>of()::get)),
        Arguments.of("greeter server", greeter.getSubcommands().get("server")),
        Arguments.of("greeter client", greeter.getSubcommands().get("client")),
        Arguments.of("demo launcher", new CommandLine(new DemoMesh(new PrintStream(PrintStream.nullOutputStream())))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("commands")
  void everyFlagAndItsEnvironmentVariable_areInTheReadme(String component, CommandLine command)
      throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    for (OptionSpec option : command.getCommandSpec().options()) {
      if (option.usageHelp() || option.versionHelp()) {
        continue;
      }
      assertThat(readme).as("%s flag %s", component, option.longestName())
          .contains("`" + option.longestName());
      String env = ComponentCli.envVariable(option);
      if (env != null) {
        assertThat(readme).as("%s flag %s env", component, option.longestName())
            .contains("`" + env + "`");
      }
    }
  }

  @Test
  void envVariable_isReadFromTheDefaultAsWritten_notAsPicocliResolvedIt() {
    CommandLine sidecar = SidecarMain.commandLine(Map.<String, String>of()::get);

    assertThat(ComponentCli.envVariable(sidecar.getCommandSpec().findOption("--service")))
        .isEqualTo("WEFT_SERVICE");
    assertThat(ComponentCli.envVariable(sidecar.getCommandSpec().findOption("--weight")))
        .isEqualTo("WEFT_WEIGHT");
  }

  @Test
  void theTwoCommands_comeFirstAndExist() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    int commands = readme.indexOf("## The two commands");
    assertThat(commands).as("the first section is the two commands")
        .isPositive()
        .isEqualTo(readme.indexOf("\n## ") + 1);
    assertThat(readme).contains("./demo.sh ", "./test.sh ");
    assertThat(ROOT.resolve("demo.sh")).isExecutable();
    assertThat(Files.readString(ROOT.resolve("demo.sh"))).contains("java -jar \"$jar\"")
        .contains("jar=demo/target/weft-demo.jar");
    assertThat(Files.readString(ROOT.resolve("test.sh"))).contains("exec mvn -B verify");
    assertThat(Files.readString(ROOT.resolve(".ci/run"))).contains("set -euo pipefail")
        .contains("\n./test.sh\n");
  }
}
