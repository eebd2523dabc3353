package io.weft.sidecar.discovery;

/** The two kinds of resource the discovery stream carries. */
enum ResourceKind {
  /** A mesh service's endpoint set ({@code ServiceEndpoints}), named by the mesh service. */
  SERVICE("service"),
  /** A gRPC service's route ({@code GrpcRoute}), named by the gRPC service. */
  ROUTE("route");

  private final String label;

  ResourceKind(String label) {
    this.label = label;
  }

  /** The word logs and messages use for this kind. */
  String label() {
    return label;
  }
}
