package io.weft.controlplane.registry;

import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.RegisterRequest;

/** Valid registrations for tests, to be varied with {@code toBuilder()}. */
public final class TestRequests {

  private TestRequests() {}

  /** A valid instance of {@code service} serving {@code helloworld.Greeter}. */
  public static Instance instance(String service, String instanceId) {
    return Instance.newBuilder()
        .setService(service)
        .setInstanceId(instanceId)
        .setAddress("10.0.0.7")
        .setPort(15006)
        .setZone("zone-a")
        .setWeight(100)
        .putMetadata("version", "v1")
        .addGrpcServices("helloworld.Greeter")
        .setHealth(HealthStatus.SERVING)
        .build();
  }

  /** A valid registration of {@code instance} from {@code nodeId}, asking for no TTL. */
  public static RegisterRequest request(Instance instance, String nodeId) {
    return RegisterRequest.newBuilder().setInstance(instance).setNodeId(nodeId).build();
  }

  /** A valid registration of {@code service/instanceId} from node {@code node-<instanceId>}. */
  public static RegisterRequest request(String service, String instanceId) {
    return request(instance(service, instanceId), "node-" + instanceId);
  }
}
