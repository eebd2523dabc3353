package io.weft.controlplane.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.weft.mesh.v1.DiscoveryResponse;
import io.weft.mesh.v1.DiscoveryServiceGrpc;
import io.weft.mesh.v1.GrpcRoute;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.ServiceEndpoints;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class SharedEncodingMarshallerTest {

  private final SharedEncodingMarshaller marshaller = new SharedEncodingMarshaller();

  @Test
  void aResponseReadsBackEqual_servicesInOrder() throws Exception {
    DiscoveryResponse response = response("7", "n-7", service("greeter", 3), service("billing", 1));

    DiscoveryResponse read = DiscoveryResponse.parseFrom(marshaller.stream(response));

    assertThat(read).isEqualTo(response);
    assertThat(read.getServicesList()).extracting(ServiceEndpoints::getService)
        .containsExactly("greeter", "billing");
  }

  @Test
  void oneServiceObject_isEncodedOnce_forEveryResponseThatCarriesIt() throws Exception {
    ServiceEndpoints shared = service("greeter", 2);

    DiscoveryResponse first = response("1", "a", shared);
    DiscoveryResponse second = response("2", "b", shared, service("billing", 1));
    byte[] firstBytes = marshaller.stream(first).readAllBytes();
    byte[] secondBytes = marshaller.stream(second).readAllBytes();

    assertThat(DiscoveryResponse.parseFrom(firstBytes)).isEqualTo(first);
    assertThat(DiscoveryResponse.parseFrom(secondBytes)).isEqualTo(second);
    assertThat(marshaller.encodedResources()).isEqualTo(2);
  }

  @Test
  void aResponseWithoutServices_isPlainProtobuf() throws Exception {
    DiscoveryResponse response = response("3", "c");

    assertThat(marshaller.stream(response).readAllBytes()).isEqualTo(response.toByteArray());
    assertThat(marshaller.encodedResources()).isZero();
  }

  @Test
  void theStreamKnowsItsLength_andParseIsProtobufs() throws Exception {
    DiscoveryResponse response = response("4", "d", service("greeter", 1));

    InputStream stream = marshaller.stream(response);

    assertThat(stream.available()).isEqualTo(response.getSerializedSize());
    assertThat(marshaller.parse(marshaller.stream(response))).isEqualTo(response);
  }

  @Test
  void apply_putsTheMarshallerOnStreamEndpoints_andKeepsTheSchemaForReflection() {
    ServerServiceDefinition plain =
        new DiscoveryServiceGrpc.DiscoveryServiceImplBase() {}.bindService();

    ServerServiceDefinition applied = SharedEncodingMarshaller.apply(plain);

    ServerMethodDefinition<?, ?> method = applied.getMethod(
        DiscoveryServiceGrpc.getStreamEndpointsMethod().getFullMethodName());
    assertThat(method.getMethodDescriptor().getResponseMarshaller())
        .isInstanceOf(SharedEncodingMarshaller.class);
    assertThat(applied.getServiceDescriptor().getSchemaDescriptor())
        .isSameAs(plain.getServiceDescriptor().getSchemaDescriptor());
    assertThat(applied.getMethods()).hasSameSizeAs(plain.getMethods());
  }

  private static DiscoveryResponse response(
      String version, String nonce, ServiceEndpoints... services) {
    return DiscoveryResponse.newBuilder()
        .setVersionInfo(version)
        .setNonce(nonce)
        .setControlPlaneId("cp-1")
        .addRoutes(GrpcRoute.newBuilder().setGrpcService("helloworld.Greeter")
            .addServices("greeter").setRevision(5))
        .addAllServices(List.of(services))
        .build();
  }

  private static ServiceEndpoints service(String name, int instances) {
    ServiceEndpoints.Builder builder = ServiceEndpoints.newBuilder().setService(name).setRevision(9);
    for (int i = 0; i < instances; i++) {
      builder.addInstances(Instance.newBuilder()
          .setService(name)
          .setInstanceId(name + "-" + i)
          .setAddress("10.0.0." + i)
          .setPort(8080)
          .putMetadata("version", "v" + i));
    }
    return builder.build();
  }
}
