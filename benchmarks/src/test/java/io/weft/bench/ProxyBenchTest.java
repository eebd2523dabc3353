package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ProxyBenchTest {

  @Test
  void otherAsAListedPath_isRefusedBeforeAnythingStarts() {
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new ProxyBench()).setErr(new PrintWriter(err));

    int exitCode = command.execute("--paths", "weft,other");

    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString())
        .contains("--paths: 'other' is not a path to list")
        .contains("--other-sidecar-jar");
  }

  @Test
  void otherSidecarJvmOption_withoutAnOtherSidecarJar_isRefusedBeforeAnythingStarts() {
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new ProxyBench()).setErr(new PrintWriter(err));

    int exitCode = command.execute("--paths", "weft",
        "--other-sidecar-jvm-option", "-XX:+UseTransparentHugePages");

    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString())
        .contains("--other-sidecar-jvm-option needs --other-sidecar-jar");
  }
}
