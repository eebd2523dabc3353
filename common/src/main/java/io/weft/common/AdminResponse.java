package io.weft.common;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One admin HTTP response: status, content type, body and extra headers. Immutable.
 *
 * @param status the HTTP status code
 * @param contentType the Content-Type header
 * @param body the body, written as UTF-8
 * @param headers extra headers
 */
public record AdminResponse(int status, String contentType, String body, Map<String, String> headers) {

  private static final String JSON = "application/json; charset=utf-8";

  public AdminResponse {
    requireNonNull(contentType, "contentType");
    requireNonNull(body, "body");
    headers = Map.copyOf(headers);
  }

  /** 200 with a JSON rendering of {@code value}. */
  public static AdminResponse json(Object value) {
    return json(200, value);
  }

  /** {@code status} with a JSON rendering of {@code value}. */
  public static AdminResponse json(int status, Object value) {
    return new AdminResponse(status, JSON, Json.write(value), Map.of());
  }

  /** {@code status} with {@code {"error": message}}. */
  public static AdminResponse error(int status, String message) {
    return json(status, Map.of("error", message));
  }

  /** 200 with a plain-text body of the given content type. */
  public static AdminResponse text(String contentType, String body) {
    return new AdminResponse(200, contentType, body, Map.of());
  }

  /** This response with one more header. */
  public AdminResponse withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name, value);
    return new AdminResponse(status, contentType, body, more);
  }
}
