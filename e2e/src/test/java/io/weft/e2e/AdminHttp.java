package io.weft.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** GETs from an admin HTTP server (a sidecar's or the control plane's) on loopback. */
final class AdminHttp {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final URI base;

  AdminHttp(int port) {
    this.base = URI.create("http://127.0.0.1:" + port);
  }

  /** A GET of {@code path}, answered within 30 s. */
  Reply get(String path) {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(),
          response.headers().firstValue("content-type").orElse(""), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + base.resolve(path), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: GET " + base.resolve(path), e);
    }
  }

  /** The status of a GET of {@code path}, or -1 if the server cannot be reached. */
  int status(String path) {
    try {
      return get(path).status();
    } catch (UncheckedIOException e) {
      return -1;
    }
  }

  /** The JSON body of a GET of {@code path} that must answer 200. */
  JsonNode json(String path) {
    Reply reply = get(path);
    if (reply.status() != 200) {
      throw new AssertionError("GET " + base.resolve(path) + ": " + reply.status() + " "
          + reply.body());
    }
    return reply.json();
  }

  /** A status, content type and body. */
  record Reply(int status, String contentType, String body) {
    JsonNode json() {
      try {
        return MAPPER.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + body, e);
      }
    }
  }
}
