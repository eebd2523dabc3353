package io.weft.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminHttpServerTest {

  private final HttpClient client = HttpClient.newHttpClient();
  private AdminHttpServer server;

  @BeforeEach
  void start() throws Exception {
    server =
        new AdminHttpServer("127.0.0.1", 0)
            .get("/healthz", (rest, query) -> AdminResponse.text("text/plain", "ok"))
            .get("/v1/services", (rest, query) -> AdminResponse.json(List.of("a", "b")))
            .get("/v1/services/", (rest, query) -> AdminResponse.json(Map.of("name", rest, "query", query)))
            .route("/drain", Set.of("GET", "POST"), (rest, query) -> AdminResponse.json(Map.of("drained", true)))
            .get("/boom", (rest, query) -> {
              throw new IllegalStateException("kaput");
            })
            .start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void exactRoute_servesItsHandler() throws Exception {
    HttpResponse<String> response = send("GET", "/healthz");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ok");
    assertThat(response.headers().firstValue("Content-Type")).contains("text/plain");
  }

  @Test
  void prefixRoute_passesTheRestOfThePathAndTheQuery() throws Exception {
    HttpResponse<String> response = send("GET", "/v1/services/greeter?verbose=1");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"name\" : \"greeter\"").contains("\"query\" : \"verbose=1\"");
  }

  @Test
  void exactRoute_withoutTrailingSegment_doesNotFallIntoThePrefix() throws Exception {
    assertThat(send("GET", "/v1/services").body()).contains("\"a\"", "\"b\"");
  }

  @Test
  void unknownPath_is404NamingThePath() throws Exception {
    HttpResponse<String> response = send("GET", "/nope");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body()).contains("no such path: /nope");
  }

  @Test
  void wrongMethod_is405WithAllowHeader() throws Exception {
    HttpResponse<String> response = send("DELETE", "/healthz");

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).contains("GET, HEAD");
    assertThat(response.body()).contains("method DELETE not allowed on /healthz");
  }

  @Test
  void routeWithSeveralMethods_servesEach() throws Exception {
    assertThat(send("POST", "/drain").statusCode()).isEqualTo(200);
    assertThat(send("GET", "/drain").statusCode()).isEqualTo(200);
    assertThat(send("PUT", "/drain").statusCode()).isEqualTo(405);
  }

  @Test
  void failingHandler_is500NamingTheFailure() throws Exception {
    HttpResponse<String> response = send("GET", "/boom");

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).contains("kaput");
  }

  @Test
  void waitingHandlers_doNotHoldUpOtherRequests_whenThereAreThreadsForThem() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (AdminHttpServer waiting =
        new AdminHttpServer("127.0.0.1", 0, 3)
            .get("/wait", (rest, query) -> {
              release.await(20, TimeUnit.SECONDS);
              return AdminResponse.json(Map.of("waited", true));
            })
            .get("/healthz", (rest, query) -> AdminResponse.text("text/plain", "ok"))
            .start()) {
      URI base = URI.create("http://127.0.0.1:" + waiting.port());
      CompletableFuture<HttpResponse<String>> first = sendAsync(base.resolve("/wait"));
      CompletableFuture<HttpResponse<String>> second = sendAsync(base.resolve("/wait"));

      HttpResponse<String> health =
          sendAsync(base.resolve("/healthz")).get(20, TimeUnit.SECONDS);

      assertThat(health.body()).isEqualTo("ok");
      assertThat(first).isNotDone();
      release.countDown();
      assertThat(first.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(second.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void threads_outOfRange_areRejectedNamingTheValue() {
    assertThatThrownBy(() -> new AdminHttpServer("127.0.0.1", 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("threads: 0 (expected: 1..64)");
  }

  private CompletableFuture<HttpResponse<String>> sendAsync(URI uri) {
    return client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
