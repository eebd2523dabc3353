package io.weft.sidecar.discovery;

import io.grpc.Status;
import io.weft.mesh.v1.GrpcRoute;
import io.weft.mesh.v1.ServiceEndpoints;

/**
 * Where the sidecar's resolver and router learn endpoint sets and routes: the discovery client,
 * fed by control-plane pushes. Watching a name subscribes to it on demand; the last watch closed
 * may unsubscribe it.
 *
 * <p>Watchers are called on the source's own executor, one call at a time per watcher, never
 * with a lock held; they must not block. A new watcher of a name the source already holds is
 * called promptly with what it holds.
 */
public interface EndpointSource {

  /** Watches the endpoint set of one mesh service. */
  Watch watchService(String service, Watcher<ServiceEndpoints> watcher);

  /** Watches which mesh services serve one gRPC service (such as {@code helloworld.Greeter}). */
  Watch watchRoute(String grpcService, Watcher<GrpcRoute> watcher);

  /** Receives accepted updates of one resource and errors about it. */
  interface Watcher<T> {

    /** An accepted, complete, validated update; it replaces everything sent before. */
    void onUpdate(T resource);

    /**
     * The source cannot reach the control plane, or refused an update. Ambient: the watcher keeps
     * the last update it had. Sent only while the source has no data for the resource at all, or
     * when it loses the control plane.
     */
    void onError(Status status);
  }

  /** An open watch; closing it stops the calls. */
  interface Watch extends AutoCloseable {
    @Override
    void close();
  }
}
