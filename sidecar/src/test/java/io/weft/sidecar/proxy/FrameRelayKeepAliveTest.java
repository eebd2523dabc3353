package io.weft.sidecar.proxy;

import static io.weft.sidecar.proxy.ForwardingContractTest.WAIT;
import static io.weft.sidecar.proxy.ForwardingContractTest.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.common.base.Ticker;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufUtil;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import io.micrometer.core.instrument.Counter;
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
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Keep-alive of the frame relay's app connections, seen from a raw HTTP/2 client on a socket:
 * a silent app is pinged and then closed, an app pinging too often is sent away, an app that
 * answers keeps its connection, and so does an app that pings after each frame it gets.
 */
class FrameRelayKeepAliveTest {

  private static final int DATA = 0;
  private static final int HEADERS = 1;
  private static final int SETTINGS = 4;
  private static final int PING = 6;
  private static final int GOAWAY = 7;
  private static final int WINDOW_UPDATE = 8;
  private static final int END_STREAM = 1;
  private static final int ACK = 1;
  private static final int END_HEADERS = 4;
  private static final int SETTINGS_INITIAL_WINDOW_SIZE = 4;
  private static final long ENHANCE_YOUR_CALM = 11;

  private final FakeEndpointSource source = new FakeEndpointSource();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private MeshChannelPool pool;
  private OutboundProxy proxy;

  private int start(ProxyServerConfig config) throws IOException {
    pool = new MeshChannelPool(
        new MeshChannels(source, new ClusterStats(), MeshServiceConfig.defaults(),
            ProxyServerConfig.DEFAULT_MAX_MESSAGE_SIZE),
        MeshServiceConfig.defaults(), Map.of());
    proxy = OutboundProxy.frameRelayBuilder(source, pool,
            new ProxyMetrics(registry, Ticker.systemTicker()), scheduler)
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

      assertThat(frames).anyMatch(frame -> frame.type == PING && (frame.flags & ACK) == 0);
    }
  }

  @Test
  void appPingingTooOften_isSentAwayWithTooManyPings() throws IOException {
    int port = start(ProxyServerConfig.builder().build());

    try (Socket socket = rawHttp2Client(port)) {
      for (int i = 0; i <= KeepAlivePolicy.MAX_PING_STRIKES + 1; i++) {
        writeFrame(socket.getOutputStream(), PING, 0, 0, new byte[8]);
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

  /**
   * An app whose stream window is closed gets the relay's DATA only as it opens the window, a byte
   * at a time, and pings after each byte it gets (as a grpc-java client measuring bandwidth does).
   * The relay wrote every DATA frame long before, into its flow-control queue; what clears the
   * strikes is each frame reaching the connection, so the app keeps it.
   */
  @Test
  void appPingingAfterEachHeldFrameItGets_keepsItsConnection() throws Exception {
    EchoUpstream echo = new EchoUpstream("echo", "echo-1");
    source.setService("echo", List.of(echo.instance()));
    source.setRoute("weft.test.proxy.Echo", "echo");
    int port = start(ProxyServerConfig.builder().build());
    // The first ping is free; without the fix the last of these would be one strike too many.
    int pings = KeepAlivePolicy.MAX_PING_STRIKES + 2;
    try (Socket socket = rawHttp2Client(port, settings(SETTINGS_INITIAL_WINDOW_SIZE, 0))) {
      OutputStream out = socket.getOutputStream();
      writeFrame(out, HEADERS, END_HEADERS, 1, serverStreamHeaders());
      writeFrame(out, DATA, END_STREAM, 1, grpcMessage(
          request("held").setResponseCount(pings).setResponseSize(100).build().toByteArray()));
      DataInputStream in = new DataInputStream(socket.getInputStream());
      List<Frame> frames = new ArrayList<>();
      // Ended for the relay: every response frame is written, held for the app's window.
      await().atMost(WAIT).until(() -> callsEnded() == 1);

      for (int i = 0; i < pings; i++) {
        writeFrame(out, WINDOW_UPDATE, 0, 1, ByteBuffer.allocate(4).putInt(1).array());
        writeFrame(out, PING, 0, 0, new byte[8]);
        frames.addAll(readUntil(in, frame -> frame.type == PING && (frame.flags & ACK) != 0));
      }
      writeFrame(out, WINDOW_UPDATE, 0, 1, ByteBuffer.allocate(4).putInt(1 << 20).array());
      frames.addAll(readUntil(in, frame -> frame.type == HEADERS && frame.stream == 1
          && (frame.flags & END_STREAM) != 0));

      assertThat(frames).noneMatch(frame -> frame.type == GOAWAY);
      assertThat(frames).filteredOn(frame -> frame.type == PING).hasSize(pings);
      assertThat(frames).filteredOn(frame -> frame.type == DATA && frame.stream == 1)
          .hasSizeGreaterThan(pings);
    } finally {
      echo.close();
    }
  }

  private double callsEnded() {
    return registry.find("weft_proxy_requests_total").counters().stream()
        .mapToDouble(Counter::count).sum();
  }

  private static byte[] serverStreamHeaders() throws Http2Exception {
    ByteBuf block = Unpooled.buffer();
    try {
      new DefaultHttp2HeadersEncoder().encodeHeaders(1, new DefaultHttp2Headers()
          .method("POST").scheme("http").path("/weft.test.proxy.Echo/ServerStream")
          .authority("echo").add("content-type", "application/grpc").add("te", "trailers"),
          block);
      return ByteBufUtil.getBytes(block);
    } finally {
      block.release();
    }
  }

  private static byte[] grpcMessage(byte[] message) {
    return ByteBuffer.allocate(5 + message.length).put((byte) 0).putInt(message.length)
        .put(message).array();
  }

  private static byte[] settings(int id, int value) {
    return ByteBuffer.allocate(6).putShort((short) id).putInt(value).array();
  }

  /** A socket that has sent the HTTP/2 preface and empty SETTINGS, and nothing else. */
  private static Socket rawHttp2Client(int port) throws IOException {
    return rawHttp2Client(port, new byte[0]);
  }

  /** A socket that has sent the HTTP/2 preface and a SETTINGS of {@code settings}. */
  private static Socket rawHttp2Client(int port, byte[] settings) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout((int) WAIT.toMillis());
    OutputStream out = socket.getOutputStream();
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    writeFrame(out, SETTINGS, 0, 0, settings);
    return socket;
  }

  private static void writeFrame(OutputStream out, int type, int flags, int stream,
      byte[] payload) throws IOException {
    ByteBuffer frame = ByteBuffer.allocate(9 + payload.length);
    frame.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8))
        .put((byte) payload.length).put((byte) type).put((byte) flags).putInt(stream)
        .put(payload);
    out.write(frame.array());
    out.flush();
  }

  /** Every frame the relay sends until it closes the connection (bounded by the socket timeout). */
  private static List<Frame> readUntilClosed(Socket socket) throws IOException {
    return readUntil(new DataInputStream(socket.getInputStream()), frame -> false);
  }

  /**
   * The frames the relay sends up to the first that matches {@code last}, which is included, or
   * until it closes the connection.
   */
  private static List<Frame> readUntil(DataInputStream in, Predicate<Frame> last)
      throws IOException {
    List<Frame> frames = new ArrayList<>();
    try {
      Frame frame;
      do {
        frame = readFrame(in);
        frames.add(frame);
      } while (!last.test(frame));
    } catch (EOFException | SocketException e) {
      return frames;
    }
    return frames;
  }

  /** The next frame (bounded by the socket timeout). */
  private static Frame readFrame(DataInputStream in) throws IOException {
    byte[] header = new byte[9];
    in.readFully(header);
    int length = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | header[2] & 0xff;
    byte[] payload = new byte[length];
    in.readFully(payload);
    int stream = ByteBuffer.wrap(header, 5, 4).getInt() & 0x7fffffff;
    return new Frame(header[3], header[4], stream, payload);
  }

  private record Frame(int type, int flags, int stream, byte[] payload) {}
}
