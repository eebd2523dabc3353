package io.weft.controlplane.discovery;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.Marshaller;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.weft.mesh.v1.DiscoveryResponse;
import io.weft.mesh.v1.DiscoveryServiceGrpc;
import io.weft.mesh.v1.ServiceEndpoints;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes discovery responses with each {@link ServiceEndpoints} encoded once, not once per stream.
 * {@link ResourceCache} hands every stream the same message object for a service at a revision;
 * this marshaller keeps that object's wire bytes (keyed by identity, held weakly, so an outdated
 * resource's bytes go with it) and appends them to each response's own small fields. When a
 * service that a thousand sidecars watch changes, it is encoded once instead of a thousand times,
 * as Istio caches marshalled xDS resources.
 *
 * <p>The bytes are those protobuf would write, except that the services come after the other
 * fields; protobuf readers accept fields in any order, and a repeated field keeps its order.
 */
final class SharedEncodingMarshaller implements Marshaller<DiscoveryResponse> {

  private static final int SERVICES = DiscoveryResponse.SERVICES_FIELD_NUMBER;

  private final Marshaller<DiscoveryResponse> protobuf =
      ProtoUtils.marshaller(DiscoveryResponse.getDefaultInstance());
  private final Cache<ServiceEndpoints, byte[]> encoded =
      CacheBuilder.newBuilder().weakKeys().build();

  /** {@code definition} with its StreamEndpoints responses written by a new marshaller. */
  static ServerServiceDefinition apply(ServerServiceDefinition definition) {
    SharedEncodingMarshaller marshaller = new SharedEncodingMarshaller();
    ServiceDescriptor service = definition.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(service.getName())
        .setSchemaDescriptor(service.getSchemaDescriptor());
    String target = DiscoveryServiceGrpc.getStreamEndpointsMethod().getFullMethodName();
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> method : definition.getMethods()) {
      if (method.getMethodDescriptor().getFullMethodName().equals(target)) {
        method = withMarshaller(cast(method), marshaller);
      }
      methods.add(method);
      descriptor.addMethod(method.getMethodDescriptor());
    }
    ServerServiceDefinition.Builder rebuilt = ServerServiceDefinition.builder(descriptor.build());
    for (ServerMethodDefinition<?, ?> method : methods) {
      rebuilt.addMethod(method);
    }
    return rebuilt.build();
  }

  @Override
  public InputStream stream(DiscoveryResponse response) {
    if (response.getServicesCount() == 0) {
      return protobuf.stream(response);
    }
    byte[] head = response.toBuilder().clearServices().build().toByteArray();
    byte[][] services = new byte[response.getServicesCount()][];
    int size = head.length;
    for (int i = 0; i < services.length; i++) {
      ServiceEndpoints service = response.getServices(i);
      byte[] bytes = encoded.asMap().computeIfAbsent(service, ServiceEndpoints::toByteArray);
      services[i] = bytes;
      size += CodedOutputStream.computeTagSize(SERVICES)
          + CodedOutputStream.computeUInt32SizeNoTag(bytes.length) + bytes.length;
    }
    byte[] out = new byte[size];
    CodedOutputStream writer = CodedOutputStream.newInstance(out);
    try {
      writer.writeRawBytes(head);
      for (byte[] bytes : services) {
        writer.writeTag(SERVICES, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        writer.writeUInt32NoTag(bytes.length);
        writer.writeRawBytes(bytes);
      }
      writer.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("encoding a discovery response", e);
    }
    return new KnownLengthStream(out);
  }

  @Override
  public DiscoveryResponse parse(InputStream stream) {
    return protobuf.parse(stream);
  }

  /** How many distinct resource messages have bytes kept now (for tests). */
  long encodedResources() {
    encoded.cleanUp();
    return encoded.size();
  }

  @SuppressWarnings("unchecked")
  private static ServerMethodDefinition<Object, DiscoveryResponse> cast(
      ServerMethodDefinition<?, ?> method) {
    return (ServerMethodDefinition<Object, DiscoveryResponse>) method;
  }

  private static <ReqT> ServerMethodDefinition<ReqT, DiscoveryResponse> withMarshaller(
      ServerMethodDefinition<ReqT, DiscoveryResponse> method, SharedEncodingMarshaller marshaller) {
    MethodDescriptor<ReqT, DiscoveryResponse> descriptor =
        method.getMethodDescriptor().toBuilder().setResponseMarshaller(marshaller).build();
    return ServerMethodDefinition.create(descriptor, method.getServerCallHandler());
  }

  /** The encoded bytes, with their length known up front so gRPC frames them without a copy. */
  private static final class KnownLengthStream extends ByteArrayInputStream
      implements KnownLength {
    KnownLengthStream(byte[] bytes) {
      super(bytes);
    }
  }
}
