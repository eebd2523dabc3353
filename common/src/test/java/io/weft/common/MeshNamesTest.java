package io.weft.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MeshNamesTest {

  /** The rules as the proto comments state them, to check the hand-written checks against. */
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern GRPC_SERVICE =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

  @ParameterizedTest
  @ValueSource(strings = {"greeter", "a", "0", "a-b", "a--b", "9lives"})
  void acceptsServiceNames(String name) {
    assertThat(MeshNames.isServiceName(name)).isTrue();
  }

  @Test
  void serviceNamesAreAtMost63Characters() {
    assertThat(MeshNames.isServiceName("x".repeat(63))).isTrue();
    assertThat(MeshNames.isServiceName("x".repeat(64))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-a", "a-", "-", "Greeter", "a.b", "a_b", "a b", "é"})
  void rejectsWhatIsNotAServiceName(String name) {
    assertThat(MeshNames.isServiceName(name)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"helloworld.Greeter", "Greeter", "_", "a.b.c", "grpc.health.v1.Health",
      "_x9._Y"})
  void acceptsGrpcServiceNames(String name) {
    assertThat(MeshNames.isGrpcServiceName(name)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".", "a.", ".a", "a..b", "9a", "a.9b", "a-b", "a/b", "a b", "é"})
  void rejectsWhatIsNotAGrpcServiceName(String name) {
    assertThat(MeshNames.isGrpcServiceName(name)).isFalse();
  }

  @Test
  void grpcServiceNamesAreAtMost255Characters() {
    assertThat(MeshNames.isGrpcServiceName("a".repeat(255))).isTrue();
    assertThat(MeshNames.isGrpcServiceName("a".repeat(256))).isFalse();
  }

  @Test
  void checksAgreeWithTheRegexesOnGeneratedNames() {
    Random random = new Random(20261125);
    String alphabet = "az09AZ_-.é ";
    for (int i = 0; i < 100_000; i++) {
      StringBuilder name = new StringBuilder();
      int length = random.nextInt(8);
      for (int j = 0; j < length; j++) {
        name.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String candidate = name.toString();
      assertThat(MeshNames.isServiceName(candidate)).as(candidate)
          .isEqualTo(DNS_LABEL.matcher(candidate).matches());
      assertThat(MeshNames.isGrpcServiceName(candidate)).as(candidate)
          .isEqualTo(GRPC_SERVICE.matcher(candidate).matches());
    }
  }
}
