package io.weft.e2e;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A greeter mesh on loopback: the control plane and every sidecar as real processes, {@code n}
 * greeter instances ({@code greeter-1}..) each with its sidecar, and a client sidecar with no app;
 * the test is the client's app, calling through {@link #channel()}.
 */
final class GreeterMesh implements AutoCloseable {

  static final String SERVICE = "greeter";
  static final Duration BOUND = Duration.ofSeconds(30);

  private final ScheduledExecutorService greeterScheduler =
      Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "greeter-streams");
        thread.setDaemon(true);
        return thread;
      });
  private final Map<String, GreeterInstance> instances = new LinkedHashMap<>();
  private ControlPlaneProcess controlPlane;
  private SidecarProcess client;
  private ManagedChannel channel;

  private GreeterMesh() {}

  /**
   * Starts the control plane, then {@code n} greeters with their sidecars and the client's sidecar
   * side by side, and waits until the client's sidecar holds every instance as SERVING.
   */
  static GreeterMesh start(int n) {
    GreeterMesh mesh = new GreeterMesh();
    try {
      mesh.controlPlane = ControlPlaneProcess.start("cp-1", 0);
      List<GreeterInstance> launched = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        launched.add(mesh.launch(SERVICE + "-" + i));
      }
      mesh.client = SidecarProcess.launchForClient(mesh.controlPlane);
      launched.forEach(GreeterInstance::awaitReady);
      mesh.client.awaitReady();
      mesh.channel = GreeterCalls.channel(mesh.client.outboundPort(), SERVICE);
      mesh.awaitRegistered(mesh.instanceIds());
      // The client's sidecar subscribes on demand: its first call to greeter makes it watch it.
      GreeterCalls.sayHelloNow(mesh.channel, "subscribe");
      mesh.awaitClientView(servingView(mesh.instanceIds()));
      return mesh;
    } catch (RuntimeException | Error e) {
      mesh.close();
      throw e;
    }
  }

  /** Starts greeter {@code id} and launches its sidecar, without waiting for it. */
  GreeterInstance launch(String id) {
    GreeterInstance instance = GreeterInstance.launch(id, controlPlane, greeterScheduler);
    instances.put(id, instance);
    return instance;
  }

  /** Forgets instance {@code id} after the test stopped it (or closes it if it still runs). */
  void remove(String id) {
    GreeterInstance instance = instances.remove(id);
    if (instance != null) {
      instance.close();
    }
  }

  GreeterInstance instance(String id) {
    GreeterInstance instance = instances.get(id);
    if (instance == null) {
      throw new IllegalArgumentException("no instance " + id + " in " + instances.keySet());
    }
    return instance;
  }

  List<String> instanceIds() {
    return List.copyOf(instances.keySet());
  }

  ControlPlaneProcess controlPlane() {
    return controlPlane;
  }

  /** Kills the control plane (SIGKILL), as a crash would. */
  void killControlPlane() {
    controlPlane.close();
  }

  /**
   * Starts a control plane with id {@code id} on the gRPC port of the killed one; the sidecars
   * find it by themselves.
   */
  void restartControlPlane(String id) {
    controlPlane = ControlPlaneProcess.start(id, controlPlane.grpcPort());
  }

  /** The client's sidecar. */
  SidecarProcess client() {
    return client;
  }

  /** A channel to the client's outbound proxy, {@code :authority} {@value #SERVICE}, no retry. */
  ManagedChannel channel() {
    return channel;
  }

  /** Instance id to health of every {@value #SERVICE} endpoint in the client's {@code /clusters}. */
  Map<String, String> clientView() {
    Map<String, String> view = new TreeMap<>();
    for (JsonNode service : client.admin().json("/clusters").get("services")) {
      if (service.get("service").asText().equals(SERVICE)) {
        for (JsonNode endpoint : service.get("endpoints")) {
          view.put(endpoint.get("instanceId").asText(), endpoint.get("health").asText());
        }
      }
    }
    return view;
  }

  /** The view in which each of {@code ids} is SERVING. */
  static Map<String, String> servingView(List<String> ids) {
    Map<String, String> view = new TreeMap<>();
    ids.forEach(id -> view.put(id, "SERVING"));
    return view;
  }

  /** Waits until the control plane's {@code /v1/services/greeter} lists {@code ids}, SERVING. */
  void awaitRegistered(List<String> ids) {
    await().atMost(BOUND).until(() -> registered(controlPlane.admin()), servingView(ids)::equals);
  }

  /** Instance id to health of every {@value #SERVICE} instance the control plane lists. */
  static Map<String, String> registered(AdminHttp controlPlaneAdmin) {
    Map<String, String> view = new TreeMap<>();
    AdminHttp.Reply reply = controlPlaneAdmin.get("/v1/services/" + SERVICE);
    if (reply.status() == 200) {
      for (JsonNode instance : reply.json().get("instances")) {
        view.put(instance.get("instanceId").asText(), instance.get("health").asText());
      }
    }
    return view;
  }

  /** Waits until the client's sidecar holds exactly {@code view}. */
  void awaitClientView(Map<String, String> view) {
    await().atMost(BOUND).until(this::clientView, view::equals);
  }

  /** Kills every process and stops every app; safe to call on a half-started mesh. */
  @Override
  public void close() {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (client != null) {
      client.close();
    }
    instances.values().forEach(GreeterInstance::close);
    instances.clear();
    if (controlPlane != null) {
      controlPlane.close();
    }
    greeterScheduler.shutdownNow();
    try {
      if (channel != null) {
        channel.awaitTermination(10, TimeUnit.SECONDS);
      }
      greeterScheduler.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
