package io.weft.sidecar.agent;

import io.grpc.Status;

/** Log-friendly text for gRPC statuses and control-plane messages. */
final class Statuses {

  private Statuses() {}

  /** {@code "UNAVAILABLE: io exception"}, or just the code without a description. */
  static String describe(Status status) {
    return status.getDescription() == null
        ? status.getCode().toString()
        : status.getCode() + ": " + status.getDescription();
  }

  /** {@code " (message)"}, or nothing for an empty message. */
  static String detail(String message) {
    return message.isEmpty() ? "" : " (" + message + ")";
  }
}
