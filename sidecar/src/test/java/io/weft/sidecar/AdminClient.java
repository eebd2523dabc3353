package io.weft.sidecar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** GETs from a sidecar's admin server, with the JSON bodies parsed. */
final class AdminClient {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final URI base;

  AdminClient(int port) {
    this.base = URI.create("http://127.0.0.1:" + port);
  }

  /** A GET of {@code path}, answered within 60 s. */
  Reply get(String path) {
    try {
      return send(path).get();
    } catch (Exception e) {
      throw new AssertionError("GET " + base.resolve(path) + " failed", e);
    }
  }

  /** A GET of {@code path}, without waiting for the answer. */
  CompletableFuture<Reply> send(String path) {
    HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofSeconds(60))
        .build();
    return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(response -> new Reply(response.statusCode(), response.body()));
  }

  /** A status and a body. */
  record Reply(int status, String body) {
    JsonNode json() {
      try {
        return MAPPER.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + body, e);
      }
    }
  }
}
