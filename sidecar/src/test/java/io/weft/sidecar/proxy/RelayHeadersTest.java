package io.weft.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RelayHeadersTest {

  private static Http2Headers grpcRequest() {
    return new DefaultHttp2Headers()
        .method("POST").scheme("http").path("/helloworld.Greeter/SayHello")
        .authority("localhost:15001")
        .set("content-type", "application/grpc+proto")
        .set("te", "trailers")
        .set("grpc-timeout", "5S")
        .set("connection", "keep-alive")
        .add("x-app", "one")
        .add("x-app", "two");
  }

  @Test
  void requestError_acceptsAGrpcRequest() {
    assertThat(RelayHeaders.requestError(grpcRequest())).isNull();
    assertThat(RelayHeaders.fullMethodName(grpcRequest().path()))
        .isEqualTo("helloworld.Greeter/SayHello");
  }

  @Test
  void requestError_namesWhatIsWrong() {
    assertThat(RelayHeaders.requestError(grpcRequest().method("GET")))
        .isEqualTo("method GET is not supported (expected: POST)");
    assertThat(RelayHeaders.requestError(grpcRequest().path("/nomethod")))
        .startsWith("path /nomethod is not a gRPC method");
    assertThat(RelayHeaders.requestError(grpcRequest().path("/svc/")))
        .startsWith("path /svc/ is not a gRPC method");
    assertThat(RelayHeaders.requestError(grpcRequest().path("//method")))
        .startsWith("path //method is not a gRPC method");
    assertThat(RelayHeaders.requestError(grpcRequest().set("content-type", "text/html")))
        .isEqualTo("content-type text/html is not supported (expected: application/grpc)");
  }

  @Test
  void upstreamRequest_namesTheService_dropsHopByHop_andSetsWhatIsLeftOfTheDeadline() {
    Http2Headers upstream = RelayHeaders.upstreamRequest(
        grpcRequest(), "greeter", TimeUnit.MILLISECONDS.toNanos(1500));

    assertThat(upstream.authority().toString()).isEqualTo("greeter");
    assertThat(upstream.path().toString()).isEqualTo("/helloworld.Greeter/SayHello");
    assertThat(upstream.get("connection")).isNull();
    assertThat(upstream.get("te").toString()).isEqualTo("trailers");
    assertThat(upstream.getAll("x-app")).extracting(CharSequence::toString)
        .containsExactly("one", "two");
    assertThat(upstream.get("grpc-timeout").toString()).isEqualTo("1500000u");
  }

  @Test
  void upstreamRequest_withoutDeadline_hasNoTimeout() {
    assertThat(RelayHeaders.upstreamRequest(grpcRequest(), "greeter", null).get("grpc-timeout"))
        .isNull();
  }

  @Test
  void upstreamRequest_withoutAnAuthority_keepsTheCallersAsTheInboundProxyDoes() {
    Http2Headers caller = grpcRequest();
    CharSequence callerAuthority = caller.authority();

    Http2Headers upstream = RelayHeaders.upstreamRequest(caller, null, null);

    assertThat(callerAuthority).isNotNull();
    assertThat(upstream.getAll(":authority")).extracting(CharSequence::toString)
        .containsExactly(callerAuthority.toString());
  }

  @Test
  void upstreamRequest_rewrittenAgainForAReplay_carriesOneTimeout_theNewOne() {
    Http2Headers request = grpcRequest().add("host", "localhost:15001");
    RelayHeaders.upstreamRequest(request, "greeter", TimeUnit.SECONDS.toNanos(2));

    Http2Headers replayed =
        RelayHeaders.upstreamRequest(request, "greeter", TimeUnit.MILLISECONDS.toNanos(1500));

    assertThat(replayed.getAll("grpc-timeout")).extracting(CharSequence::toString)
        .containsExactly("1500000u");
    assertThat(replayed.getAll(":authority")).extracting(CharSequence::toString)
        .containsExactly("greeter");
    assertThat(replayed.get("host")).isNull();
    assertThat(replayed.get("connection")).isNull();
    assertThat(replayed.size()).isEqualTo(grpcRequest().size() - 1);
  }

  @Test
  void response_dropsHopByHop_keepsTheRest_andNamesTheUpstream() {
    Http2Headers response = RelayHeaders.response(new DefaultHttp2Headers().status("200")
        .add("content-type", "application/grpc").add("keep-alive", "timeout=5")
        .add("host", "greeter").add("x-app", "one"), "greeter/g-1");

    assertThat(response.names()).extracting(CharSequence::toString)
        .containsExactlyInAnyOrder(":status", "content-type", "x-app", "x-weft-upstream");
    assertThat(response.get("x-weft-upstream").toString()).isEqualTo("greeter/g-1");
    assertThat(RelayHeaders.response(new DefaultHttp2Headers().add("grpc-status", "0"), null)
        .names()).extracting(CharSequence::toString).containsExactly("grpc-status");
  }

  @Test
  void onlyGrpcTimeout_isNeverIndexed() {
    assertThat(RelayHeaders.neverIndexed(RelayHeaders.GRPC_TIMEOUT, "1S")).isTrue();
    assertThat(RelayHeaders.neverIndexed("grpc-timeout", "1S")).isTrue();
    assertThat(RelayHeaders.neverIndexed("content-type", "application/grpc")).isFalse();
    assertThat(RelayHeaders.neverIndexed("x-weft-upstream", "greeter/g-1")).isFalse();
  }

  @Test
  void timeouts_parseEveryUnit_andFormatInTheFinestUnitThatFits() {
    assertThat(RelayHeaders.parseTimeout("2H")).isEqualTo(TimeUnit.HOURS.toNanos(2));
    assertThat(RelayHeaders.parseTimeout("3M")).isEqualTo(TimeUnit.MINUTES.toNanos(3));
    assertThat(RelayHeaders.parseTimeout("4S")).isEqualTo(TimeUnit.SECONDS.toNanos(4));
    assertThat(RelayHeaders.parseTimeout("5m")).isEqualTo(TimeUnit.MILLISECONDS.toNanos(5));
    assertThat(RelayHeaders.parseTimeout("6u")).isEqualTo(TimeUnit.MICROSECONDS.toNanos(6));
    assertThat(RelayHeaders.parseTimeout("99999999n")).isEqualTo(99_999_999L);
    assertThat(RelayHeaders.parseTimeout(null)).isNull();
    assertThat(RelayHeaders.formatTimeout(99_999_999L)).isEqualTo("99999999n");
    assertThat(RelayHeaders.formatTimeout(100_000_000L)).isEqualTo("100000u");
    assertThat(RelayHeaders.formatTimeout(TimeUnit.DAYS.toNanos(2))).isEqualTo("172800S");
  }

  @Test
  void malformedTimeouts_areRejectedSayingWhy() {
    assertThatThrownBy(() -> RelayHeaders.parseTimeout("5"))
        .hasMessageContaining("grpc-timeout \"5\" is malformed");
    assertThatThrownBy(() -> RelayHeaders.parseTimeout("123456789S"))
        .hasMessageContaining("is malformed");
    assertThatThrownBy(() -> RelayHeaders.parseTimeout("1x"))
        .hasMessageContaining("unknown unit");
    assertThatThrownBy(() -> RelayHeaders.parseTimeout("-1S"))
        .hasMessageContaining("is malformed");
  }

  @Test
  void trailersOnly_carryTheStatus_percentEncoded_andTheUpstream() {
    Http2Headers trailers = RelayHeaders.trailersOnly(
        Status.UNAVAILABLE.withDescription("no route: 100% gone, naïve"), "echo/echo-1");

    assertThat(trailers.status().toString()).isEqualTo("200");
    assertThat(trailers.get("content-type").toString()).isEqualTo("application/grpc");
    assertThat(trailers.get("grpc-status").toString()).isEqualTo("14");
    assertThat(trailers.get("grpc-message").toString())
        .isEqualTo("no route: 100%25 gone, na%C3%AFve");
    assertThat(trailers.get("x-weft-upstream").toString()).isEqualTo("echo/echo-1");
    assertThat(RelayHeaders.statusCode(trailers)).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void statusCode_isUnknown_whenMissingOrMalformed() {
    assertThat(RelayHeaders.statusCode(new DefaultHttp2Headers())).isEqualTo(Status.Code.UNKNOWN);
    assertThat(RelayHeaders.statusCode(new DefaultHttp2Headers().set("grpc-status", "x")))
        .isEqualTo(Status.Code.UNKNOWN);
  }
}
