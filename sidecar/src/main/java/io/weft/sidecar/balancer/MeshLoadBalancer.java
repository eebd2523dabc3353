package io.weft.sidecar.balancer;

import static io.grpc.ConnectivityState.CONNECTING;
import static io.grpc.ConnectivityState.IDLE;
import static io.grpc.ConnectivityState.READY;
import static io.grpc.ConnectivityState.TRANSIENT_FAILURE;
import static java.util.Objects.requireNonNull;

import io.grpc.Attributes;
import io.grpc.ConnectivityState;
import io.grpc.ConnectivityStateInfo;
import io.grpc.EquivalentAddressGroup;
import io.grpc.LoadBalancer;
import io.grpc.Status;
import io.weft.sidecar.balancer.MeshLoadBalancerConfig.Policy;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code weft_mesh} balancer: one subchannel per endpoint address, picks among the SERVING
 * endpoints whose subchannel is READY by smooth weighted round robin or weighted least request,
 * preferring the local zone while it has enough of them.
 *
 * <p>Follows grpc-java's contract: every method runs in the channel's synchronization context;
 * subchannels are keyed by address (a weight or health change never reconnects), connect eagerly
 * and reconnect when IDLE; DRAINING and NOT_SERVING endpoints keep their subchannels so that
 * their calls finish, but are never picked. The aggregate state is READY when a SERVING endpoint
 * is READY, else CONNECTING while one connects, else TRANSIENT_FAILURE, with a picker whose
 * UNAVAILABLE status names the service and why nothing is pickable. Only real changes are
 * published, and SHUTDOWN never is.
 */
final class MeshLoadBalancer extends LoadBalancer {

  private static final Logger log = LoggerFactory.getLogger(MeshLoadBalancer.class);

  private final Helper helper;
  private final RandomGenerator random;
  private final Map<List<SocketAddress>, Endpoint> endpoints = new LinkedHashMap<>();
  private final ZonePreference zonePreference = new ZonePreference();
  private MeshLoadBalancerConfig config = MeshLoadBalancerConfig.DEFAULT;
  private String service;
  private ClusterStats clusterStats;
  private ServiceStats serviceStats;
  private ConnectivityState currentState;
  private SubchannelPicker currentPicker;
  private boolean shutdown;

  MeshLoadBalancer(Helper helper, RandomGenerator random) {
    this.helper = requireNonNull(helper, "helper");
    this.random = requireNonNull(random, "random");
    this.service = helper.getAuthority();
  }

  @Override
  public Status acceptResolvedAddresses(ResolvedAddresses resolvedAddresses) {
    if (shutdown) {
      return Status.OK;
    }
    if (resolvedAddresses.getLoadBalancingPolicyConfig() instanceof MeshLoadBalancerConfig c) {
      config = c;
    }
    openStats(resolvedAddresses.getAttributes());
    Map<List<SocketAddress>, EquivalentAddressGroup> wanted = new LinkedHashMap<>();
    for (EquivalentAddressGroup group : resolvedAddresses.getAddresses()) {
      if (wanted.putIfAbsent(group.getAddresses(), group) != null) {
        log.warn("{}: duplicate endpoint address {}; keeping the first",
            service, Endpoint.describe(group.getAddresses()));
      }
    }
    List<Endpoint> removed = new ArrayList<>();
    endpoints.values().removeIf(endpoint -> {
      boolean gone = !wanted.containsKey(endpoint.key());
      if (gone) {
        removed.add(endpoint);
      }
      return gone;
    });
    wanted.forEach(this::addOrUpdate);
    updateBalancingState();
    for (Endpoint endpoint : removed) {
      endpoint.subchannel().shutdown();
      serviceStats.remove(endpoint.stats());
      log.info("{}: endpoint {} at {} removed", service, endpoint.info().instanceId(),
          endpoint.address());
    }
    if (wanted.isEmpty()) {
      return Status.UNAVAILABLE.withDescription(noEndpointsMessage());
    }
    return Status.OK;
  }

  @Override
  public void handleNameResolutionError(Status error) {
    if (shutdown || currentState == READY) {
      return;
    }
    publish(TRANSIENT_FAILURE, new FailingPicker(Status.UNAVAILABLE
        .withDescription(service + ": name resolution failed: " + error.getCode()
            + (error.getDescription() == null ? "" : ": " + error.getDescription()))
        .withCause(error.getCause())));
  }

  @Override
  public void requestConnection() {
    for (Endpoint endpoint : endpoints.values()) {
      if (endpoint.idle() && endpoint.wantsConnection()) {
        endpoint.subchannel().requestConnection();
      }
    }
  }

  @Override
  public void shutdown() {
    if (shutdown) {
      return;
    }
    shutdown = true;
    for (Endpoint endpoint : endpoints.values()) {
      endpoint.subchannel().shutdown();
    }
    endpoints.clear();
    if (serviceStats != null) {
      clusterStats.closeService(serviceStats);
    }
  }

  private void openStats(Attributes attributes) {
    if (serviceStats != null) {
      return;
    }
    String named = attributes.get(MeshAttributes.SERVICE);
    if (named != null) {
      service = named;
    }
    ClusterStats shared = attributes.get(MeshAttributes.CLUSTER_STATS);
    clusterStats = shared != null ? shared : new ClusterStats();
    serviceStats = clusterStats.openService(service);
  }

  private void addOrUpdate(List<SocketAddress> key, EquivalentAddressGroup group) {
    Endpoint endpoint = endpoints.get(key);
    EndpointInfo info = EndpointInfo.of(group, Endpoint.describe(key));
    if (endpoint == null) {
      Subchannel subchannel = helper.createSubchannel(
          CreateSubchannelArgs.newBuilder().setAddresses(group).build());
      Endpoint added = new Endpoint(key, subchannel, info);
      endpoints.put(key, added);
      serviceStats.add(added.stats());
      subchannel.start(state -> onSubchannelState(added, state));
      if (added.wantsConnection()) {
        subchannel.requestConnection();
      }
      log.info("{}: endpoint {} at {} added ({})", service, info.instanceId(), added.address(),
          info);
      return;
    }
    EndpointInfo previous = endpoint.update(info);
    if (!previous.equals(info)) {
      log.info("{}: endpoint {} at {} changed: {} -> {}", service, info.instanceId(),
          endpoint.address(), previous, info);
    }
    if (endpoint.idle() && endpoint.wantsConnection()) {
      endpoint.subchannel().requestConnection();
    }
  }

  private void onSubchannelState(Endpoint endpoint, ConnectivityStateInfo stateInfo) {
    ConnectivityState state = stateInfo.getState();
    if (shutdown || endpoints.get(endpoint.key()) != endpoint
        || state == ConnectivityState.SHUTDOWN) {
      return;
    }
    log.debug("{}: endpoint {} subchannel {}", service, endpoint, stateInfo);
    endpoint.onState(stateInfo);
    if (state == IDLE) {
      if (endpoint.wantsConnection()) {
        endpoint.subchannel().requestConnection();
      }
      helper.refreshNameResolution();
    } else if (state == TRANSIENT_FAILURE) {
      helper.refreshNameResolution();
    }
    updateBalancingState();
  }

  private void updateBalancingState() {
    List<Endpoint> serving = new ArrayList<>();
    List<Endpoint> ready = new ArrayList<>();
    boolean connecting = false;
    for (Endpoint endpoint : endpoints.values()) {
      if (endpoint.info().serving()) {
        serving.add(endpoint);
        ConnectivityState state = endpoint.state();
        if (state == READY) {
          ready.add(endpoint);
        } else if (state == CONNECTING || state == IDLE) {
          connecting = true;
        }
      }
    }
    if (!ready.isEmpty()) {
      List<PickTarget> targets = new ArrayList<>();
      for (Endpoint endpoint : zonePreference.apply(service, config, serving, ready)) {
        targets.add(endpoint.target(service));
      }
      publish(READY, readyPicker(targets));
    } else if (connecting) {
      publish(CONNECTING, new FixedResultPicker(PickResult.withNoResult()));
    } else {
      publish(TRANSIENT_FAILURE, new FailingPicker(Status.UNAVAILABLE.withDescription(
          endpoints.isEmpty() ? noEndpointsMessage() : noPickableEndpointMessage())));
    }
    for (Endpoint endpoint : endpoints.values()) {
      endpoint.syncStats();
    }
  }

  /** The current picker when it already picks among these targets, else a new one. */
  private SubchannelPicker readyPicker(List<PickTarget> targets) {
    if (config.policy() == Policy.LEAST_REQUEST) {
      return currentPicker instanceof LeastRequestPicker picker && picker.picksAmong(targets)
          ? picker
          : new LeastRequestPicker(targets, random);
    }
    return currentPicker instanceof RoundRobinPicker picker && picker.picksAmong(targets)
        ? picker
        : new RoundRobinPicker(targets, random.nextInt(Integer.MAX_VALUE));
  }

  private String noEndpointsMessage() {
    return service + ": no endpoints (the mesh has no instance of this service)";
  }

  /** Such as {@code greeter: no pickable endpoint (2 DRAINING, 1 NOT_SERVING, 0 READY)}. */
  private String noPickableEndpointMessage() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    Status lastError = null;
    for (Endpoint endpoint : endpoints.values()) {
      if (!endpoint.info().serving()) {
        counts.merge(endpoint.info().health().name(), 1, Integer::sum);
      }
    }
    for (Endpoint endpoint : endpoints.values()) {
      if (endpoint.info().serving()) {
        counts.merge(endpoint.state().name(), 1, Integer::sum);
        if (lastError == null) {
          lastError = endpoint.lastError();
        }
      }
    }
    StringBuilder message = new StringBuilder(service).append(": no pickable endpoint (");
    counts.forEach((label, count) -> message.append(count).append(' ').append(label).append(", "));
    message.append("0 READY)");
    if (lastError != null) {
      message.append("; last error: ").append(lastError.getCode());
      if (lastError.getDescription() != null) {
        message.append(": ").append(lastError.getDescription());
      }
    }
    return message.toString();
  }

  private void publish(ConnectivityState state, SubchannelPicker picker) {
    if (state == currentState && picker.equals(currentPicker)) {
      return;
    }
    if (state != currentState) {
      String why = picker instanceof FailingPicker failing
          ? " (" + failing.status().getDescription() + ")"
          : "";
      log.info("{}: balancer {} -> {}{}", service,
          currentState == null ? "started" : currentState, state, why);
    }
    currentState = state;
    currentPicker = picker;
    helper.updateBalancingState(state, picker);
    if (serviceStats != null) {
      serviceStats.state(state);
    }
  }
}
