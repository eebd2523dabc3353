package io.weft.sidecar.resolver;

import io.grpc.Status;
import io.weft.mesh.v1.GrpcRoute;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.ServiceEndpoints;
import io.weft.sidecar.discovery.EndpointSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An endpoint source the test feeds: {@link #push} delivers an endpoint set to every open watch
 * of its service (on the caller's thread), {@link #fail} an error. Like the real one, a new watch
 * of a service it holds gets the held set at once. Thread-safe.
 */
final class FakeEndpointSource implements EndpointSource {

  private final Map<String, List<ServiceWatch>> watches = new HashMap<>();
  private final Map<String, ServiceEndpoints> held = new HashMap<>();
  private final Map<String, Watcher<ServiceEndpoints>> lastWatchers = new HashMap<>();
  private int closedWatches;

  static ServiceEndpoints endpoints(String service, long revision, Instance... instances) {
    return ServiceEndpoints.newBuilder()
        .setService(service)
        .setRevision(revision)
        .addAllInstances(List.of(instances))
        .build();
  }

  @Override
  public Watch watchService(String service, Watcher<ServiceEndpoints> watcher) {
    ServiceWatch watch = new ServiceWatch(service, watcher);
    ServiceEndpoints current;
    synchronized (this) {
      watches.computeIfAbsent(service, unused -> new ArrayList<>()).add(watch);
      lastWatchers.put(service, watcher);
      current = held.get(service);
    }
    if (current != null) {
      watcher.onUpdate(current);
    }
    return watch;
  }

  @Override
  public Watch watchRoute(String grpcService, Watcher<GrpcRoute> watcher) {
    throw new UnsupportedOperationException("the mesh resolver never watches routes");
  }

  void push(ServiceEndpoints endpoints) {
    List<ServiceWatch> targets;
    synchronized (this) {
      held.put(endpoints.getService(), endpoints);
      targets = List.copyOf(watches.getOrDefault(endpoints.getService(), List.of()));
    }
    targets.forEach(watch -> watch.watcher.onUpdate(endpoints));
  }

  void fail(String service, Status status) {
    List<ServiceWatch> targets;
    synchronized (this) {
      targets = List.copyOf(watches.getOrDefault(service, List.of()));
    }
    targets.forEach(watch -> watch.watcher.onError(status));
  }

  /** The watcher of the last watch of the service, open or closed. */
  synchronized Watcher<ServiceEndpoints> lastWatcher(String service) {
    return lastWatchers.get(service);
  }

  synchronized int openWatches(String service) {
    return watches.getOrDefault(service, List.of()).size();
  }

  synchronized int closedWatches() {
    return closedWatches;
  }

  private final class ServiceWatch implements Watch {
    private final String service;
    private final Watcher<ServiceEndpoints> watcher;

    ServiceWatch(String service, Watcher<ServiceEndpoints> watcher) {
      this.service = service;
      this.watcher = watcher;
    }

    @Override
    public void close() {
      synchronized (FakeEndpointSource.this) {
        if (watches.getOrDefault(service, new ArrayList<>()).remove(this)) {
          closedWatches++;
        }
      }
    }
  }
}
