package io.weft.sidecar.proxy;

import static io.weft.sidecar.proxy.ForwardingContractTest.WAIT;
import static io.weft.sidecar.proxy.ForwardingContractTest.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.common.base.Ticker;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.weft.sidecar.balancer.ClusterStats;
import io.weft.sidecar.balancer.MeshServiceConfig;
import io.weft.sidecar.proxy.echo.EchoGrpc;
import io.weft.sidecar.resolver.MeshChannels;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Keep-alive of the frame relay's app connections, seen from a raw HTTP/2 client on a socket:
 * a silent app is pinged and then closed, an app pinging too often is sent away, an app that
 * answers keeps its connection.
 */
class FrameRelayKeepAliveTest {

  private static final int PING = 6;
  private static final int GOAWAY = 7;
  private static final long ENHANCE_YOUR_CALM = 11;

  private final FakeEndpointSource source = new FakeEndpointSource();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private MeshChannelPool pool;
  private OutboundProxy proxy;

  private int start(ProxyServerConfig config) throws IOException {
    pool = new MeshChannelPool(
        new MeshChannels(source, new ClusterStats(), MeshServiceConfig.defaults(),
            ProxyServerConfig.DEFAULT_MAX_MESSAGE_SIZE),
        MeshServiceConfig.defaults(), Map.of());
    proxy = OutboundProxy.frameRelayBuilder(source, pool,
            new ProxyMetrics(new SimpleMeterRegistry(), Ticker.systemTicker()), scheduler)
        .config(config)
        .start();
    return proxy.port();
  }

  @AfterEach
  void tearDown() throws Exception {
    proxy.stop(Duration.ofSeconds(5));
    pool.close();
    scheduler.shutdownNow();
  }

  @Test
  void silentApp_isPinged_thenClosed() throws IOException {
    int port = start(ProxyServerConfig.builder()
        .keepAliveTime(Duration.ofMillis(100))
        .keepAliveTimeout(Duration.ofMillis(100))
        .build());

    try (Socket socket = rawHttp2Client(port)) {
      List<Frame> frames = readUntilClosed(socket);

      assertThat(frames).anyMatch(frame -> frame.type == PING && (frame.flags & 1) == 0);
    }
  }

  @Test
  void appPingingTooOften_isSentAwayWithTooManyPings() throws IOException {
    int port = start(ProxyServerConfig.builder().build());

    try (Socket socket = rawHttp2Client(port)) {
      for (int i = 0; i <= KeepAlivePolicy.MAX_PING_STRIKES + 1; i++) {
        writeFrame(socket.getOutputStream(), PING, 0, new byte[8]);
      }
      List<Frame> frames = readUntilClosed(socket);

      Frame goAway =
          frames.stream().filter(frame -> frame.type == GOAWAY).findFirst().orElseThrow();
      ByteBuffer payload = ByteBuffer.wrap(goAway.payload);
      payload.getInt();
      assertThat(payload.getInt() & 0xffffffffL).isEqualTo(ENHANCE_YOUR_CALM);
      assertThat(new String(goAway.payload, 8, goAway.payload.length - 8,
          StandardCharsets.US_ASCII)).isEqualTo("too_many_pings");
    }
  }

  @Test
  void appAnsweringPings_keepsItsConnection() throws Exception {
    EchoUpstream echo = new EchoUpstream("echo", "echo-1");
    source.setService("echo", List.of(echo.instance()));
    source.setRoute("weft.test.proxy.Echo", "echo");
    int port = start(ProxyServerConfig.builder()
        .keepAliveTime(Duration.ofMillis(100))
        .keepAliveTimeout(Duration.ofMillis(100))
        .build());
    ManagedChannel client = EchoUpstream.plaintextChannel(port);
    try {
      EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(client);
      stub.unary(request("one").build());

      await().during(Duration.ofMillis(600)).atMost(WAIT)
          .until(() -> client.getState(false) == ConnectivityState.READY);
      assertThat(stub.unary(request("two").build()).getMessage()).isEqualTo("two");
    } finally {
      client.shutdownNow();
      client.awaitTermination(10, TimeUnit.SECONDS);
      echo.close();
    }
  }

  /** A socket that has sent the HTTP/2 preface and empty SETTINGS, and nothing else. */
  private static Socket rawHttp2Client(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout((int) WAIT.toMillis());
    OutputStream out = socket.getOutputStream();
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    writeFrame(out, 4, 0, new byte[0]);
    return socket;
  }

  private static void writeFrame(OutputStream out, int type, int flags, byte[] payload)
      throws IOException {
    ByteBuffer frame = ByteBuffer.allocate(9 + payload.length);
    frame.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8))
        .put((byte) payload.length).put((byte) type).put((byte) flags).putInt(0).put(payload);
    out.write(frame.array());
    out.flush();
  }

  /** Every frame the relay sends until it closes the connection (bounded by the socket timeout). */
  private static List<Frame> readUntilClosed(Socket socket) throws IOException {
    DataInputStream in = new DataInputStream(socket.getInputStream());
    List<Frame> frames = new ArrayList<>();
    byte[] header = new byte[9];
    while (true) {
      try {
        in.readFully(header);
      } catch (EOFException | SocketException e) {
        return frames;
      }
      int length = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | header[2] & 0xff;
      byte[] payload = new byte[length];
      in.readFully(payload);
      frames.add(new Frame(header[3], header[4], payload));
    }
  }

  private record Frame(int type, int flags, byte[] payload) {}
}
