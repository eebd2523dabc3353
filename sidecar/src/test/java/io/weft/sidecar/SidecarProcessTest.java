package io.weft.sidecar;

import static io.weft.sidecar.TestMesh.BOUND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.net.HostAndPort;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.weft.common.JavaProcess;
import io.weft.sidecar.SidecarConfig.LocalApp;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SidecarMain} in a real JVM, configured through its environment, as a pure client of a
 * small mesh: one app behind an in-process sidecar, and the control-plane fixture.
 */
class SidecarProcessTest {

  private static final String READY_LINE =
      "^weft sidecar (\\S+) ready to serve: outbound=(\\S+) inbound=(\\S+) admin=(\\S+)$";

  private ControlPlaneFixture controlPlane;
  private WhoAmIApp app;
  private Sidecar appSidecar;
  private JavaProcess process;
  private ManagedChannel toOutbound;

  @BeforeEach
  void setUp() throws Exception {
    controlPlane = ControlPlaneFixture.start("cp-1");
    app = new WhoAmIApp("echo-1");
    appSidecar = Sidecar.start(SidecarConfig.builder()
        .identity(TestMesh.SERVICE, app.id())
        .controlPlane(HostAndPort.fromString(controlPlane.target()))
        .outbound("127.0.0.1", 0)
        .admin("127.0.0.1", 0)
        .app(LocalApp.builder("127.0.0.1", app.port())
            .inbound("127.0.0.1", 0)
            .advertise("127.0.0.1", 0)
            .build())
        .build());
    await().atMost(BOUND).until(appSidecar::isReady);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (toOutbound != null) {
      toOutbound.shutdownNow();
    }
    if (process != null) {
      process.close();
    }
    appSidecar.close();
    app.close();
    controlPlane.close();
  }

  @Test
  void pureClient_fromTheEnvironment_servesAndExitsZeroOnSigterm() {
    process = JavaProcess.start("sidecar-web-1", SidecarMain.class.getName(),
        List.of("--instance-id", "web-1"),
        Map.of(
            "WEFT_SERVICE", "web",
            "WEFT_CONTROL_PLANE", controlPlane.target(),
            "WEFT_OUTBOUND_PORT", "0",
            "WEFT_ADMIN_PORT", "0",
            "WEFT_LB_POLICY", "least_request",
            "WEFT_ZONE", "zone-a",
            "WEFT_POD_ZONE", "pod-zone",
            "WEFT_INSTANCE_ID", "overridden-by-the-flag"));

    Matcher ready = process.awaitLine(READY_LINE, BOUND);

    assertThat(ready.group(1)).isEqualTo("web/web-1");
    assertThat(ready.group(3)).isEqualTo("none");
    HostAndPort outbound = HostAndPort.fromString(ready.group(2));
    HostAndPort admin = HostAndPort.fromString(ready.group(4));
    assertThat(outbound.getHost()).isEqualTo("127.0.0.1");
    assertThat(outbound.getPort()).isPositive();
    assertThat(admin.getHost()).isEqualTo("0.0.0.0");
    AdminClient adminClient = new AdminClient(admin.getPort());
    assertThat(adminClient.get("/healthz").status()).isEqualTo(200);
    assertThat(adminClient.get("/ready").status()).isEqualTo(200);

    toOutbound = NettyChannelBuilder.forAddress("127.0.0.1", outbound.getPort())
        .overrideAuthority(TestMesh.SERVICE)
        .usePlaintext()
        .build();
    assertThat(TestMesh.call(toOutbound)).isEqualTo("echo-1|echo/echo-1");
    JsonNode clusters = adminClient.get("/clusters").json().get("services").get(0);
    assertThat(clusters.get("service").asText()).isEqualTo(TestMesh.SERVICE);
    assertThat(clusters.get("endpoints").get(0).get("picks").asLong()).isEqualTo(1);
    JsonNode config = adminClient.get("/config_dump").json().get("config");
    assertThat(config.get("zone").asText()).isEqualTo("pod-zone");
    assertThat(config.get("instanceId").asText()).isEqualTo("web-1");
    assertThat(config.get("serviceConfig").toString()).contains("least_request", "pod-zone");
    assertThat(config.get("listening").get("admin").asText()).isEqualTo(ready.group(4));

    process.terminate();

    assertThat(process.awaitExit(BOUND)).isZero();
    assertThat(process.lines()).filteredOn(line -> line.startsWith("weft sidecar ")).hasSize(1);
    assertThat(process.lines()).anyMatch(line -> line.endsWith("sidecar web/web-1 stopped"));
  }

  @Test
  void badFlag_exitsWith2_namingIt() {
    process = JavaProcess.start("sidecar-bad", SidecarMain.class.getName(),
        List.of("--weight", "2000", "--app-port", "8080", "--service", "web",
            "--instance-id", "web-1"),
        Map.of());

    process.awaitLine("^--weight: 2000 \\(expected: 1\\.\\.1000\\)$", BOUND);
    assertThat(process.awaitExit(BOUND)).isEqualTo(2);
  }
}
