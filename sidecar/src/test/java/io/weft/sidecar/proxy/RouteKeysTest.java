package io.weft.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.netty.shaded.io.netty.util.AsciiString;
import org.junit.jupiter.api.Test;

class RouteKeysTest {

  private final RouteKeys keys = new RouteKeys();

  @Test
  void candidate_isTheMeshServiceTheAuthorityNames_asTheRouterReadsIt() {
    for (String authority : new String[] {
        "greeter", "greeter:8080", "Greeter-2:80", "localhost:15001", "127.0.0.1:15001",
        "greeter.default.svc", "[::1]:15001", "-bad", ""}) {
      assertThat(keys.candidate(new AsciiString(authority)))
          .as(authority).isEqualTo(Router.candidateService(authority));
      assertThat(keys.candidate(authority)).as(authority + ", again, as a String")
          .isEqualTo(Router.candidateService(authority));
    }
    assertThat(keys.candidate(null)).isNull();
  }

  @Test
  void grpcService_isTheValidServiceOfThePath() {
    assertThat(keys.grpcService(new AsciiString("/helloworld.Greeter/SayHello")))
        .isEqualTo("helloworld.Greeter");
    assertThat(keys.grpcService(new AsciiString("/Greeter/SayHello"))).isEqualTo("Greeter");
    assertThat(keys.grpcService(new AsciiString("/nomethod"))).isNull();
    assertThat(keys.grpcService(new AsciiString("/bad service/Call"))).isNull();
    assertThat(keys.grpcService(new AsciiString("helloworld.Greeter/SayHello"))).isNull();
    assertThat(keys.grpcService(null)).isNull();
  }

  @Test
  void manyDistinctValues_areStillParsedRight() {
    for (int i = 0; i < 3 * RouteKeys.MAX_VALUES; i++) {
      assertThat(keys.candidate(new AsciiString("svc-" + i + ":80"))).isEqualTo("svc-" + i);
      assertThat(keys.grpcService(new AsciiString("/pkg.S" + i + "/M"))).isEqualTo("pkg.S" + i);
    }
    assertThat(keys.candidate(new AsciiString("localhost"))).isNull();
  }
}
