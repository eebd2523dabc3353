package io.weft.bench;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.Marshaller;
import io.grpc.protobuf.ProtoUtils;
import io.weft.mesh.v1.DiscoveryRequest;
import io.weft.mesh.v1.DiscoveryResponse;
import io.weft.mesh.v1.DiscoveryServiceGrpc;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * A discovery response as a simulated sidecar receives it: its bytes, with only the version and
 * nonce read (what its ACK needs). The endpoint lists are decoded after the run, so that a thousand
 * simulated sidecars decoding on the two cores the control plane also runs on do not slow the
 * pushes being measured; a real sidecar decodes on its own CPU.
 */
record UndecodedResponse(byte[] bytes, String version, String nonce) {

  /** StreamEndpoints with responses left undecoded. */
  static final MethodDescriptor<DiscoveryRequest, UndecodedResponse> METHOD =
      DiscoveryServiceGrpc.getStreamEndpointsMethod().toBuilder(
              ProtoUtils.marshaller(DiscoveryRequest.getDefaultInstance()), new UndecodedMarshaller())
          .build();

  /** The whole response, decoded. */
  DiscoveryResponse decode() {
    try {
      return DiscoveryResponse.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("undecodable discovery response", e);
    }
  }

  /** Reads the bytes and the two fields an ACK echoes, skipping the rest. */
  private static final class UndecodedMarshaller implements Marshaller<UndecodedResponse> {
    @Override
    public InputStream stream(UndecodedResponse value) {
      throw new UnsupportedOperationException("the benchmark only receives responses");
    }

    @Override
    public UndecodedResponse parse(InputStream stream) {
      try {
        byte[] bytes = stream.readAllBytes();
        CodedInputStream input = CodedInputStream.newInstance(bytes);
        String version = "";
        String nonce = "";
        for (int tag = input.readTag(); tag != 0; tag = input.readTag()) {
          switch (WireFormat.getTagFieldNumber(tag)) {
            case DiscoveryResponse.VERSION_INFO_FIELD_NUMBER -> version = input.readString();
            case DiscoveryResponse.NONCE_FIELD_NUMBER -> nonce = input.readString();
            default -> input.skipField(tag);
          }
        }
        return new UndecodedResponse(bytes, version, nonce);
      } catch (IOException e) {
        throw new UncheckedIOException("reading a discovery response", e);
      }
    }
  }
}
