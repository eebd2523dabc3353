package io.weft.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A response a sidecar refused.
 *
 * @param nonce the nonce of the refused response
 * @param version the version the sidecar said it still holds (empty if none)
 * @param message why it refused ({@code error_detail.message})
 * @param at when the NACK arrived
 */
public record NackRecord(String nonce, String version, String message, Instant at) {

  public NackRecord {
    requireNonNull(nonce, "nonce");
    requireNonNull(version, "version");
    requireNonNull(message, "message");
    requireNonNull(at, "at");
  }
}
