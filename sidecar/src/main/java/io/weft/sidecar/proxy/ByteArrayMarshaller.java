package io.weft.sidecar.proxy;

import com.google.common.io.ByteStreams;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Passes messages as the bytes on the wire: the proxy never parses the app's messages. Public for
 * code that handles any method as bytes too (the benchmark's relays, tests).
 */
public enum ByteArrayMarshaller implements MethodDescriptor.Marshaller<byte[]> {
  INSTANCE;

  @Override
  public InputStream stream(byte[] value) {
    return new ByteArrayInputStream(value);
  }

  @Override
  public byte[] parse(InputStream stream) {
    try {
      return ByteStreams.toByteArray(stream);
    } catch (IOException e) {
      throw Status.INTERNAL
          .withDescription("reading a message failed: " + e.getMessage())
          .withCause(e)
          .asRuntimeException();
    }
  }
}
