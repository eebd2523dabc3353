package io.weft.sidecar;

import io.grpc.netty.shaded.io.netty.util.ResourceLeakDetector;
import java.util.function.Function;

/**
 * Netty's buffer leak detection in a sidecar process: off unless the operator set its level.
 *
 * <p>Netty samples buffers for leak tracking by default ({@code simple}); on the frame relay's
 * path, where every frame is a buffer passed from one connection to the other, that sampling
 * (a stack trace per tracked buffer) and the leak-aware wrappers cost several microseconds of
 * event-loop CPU per call. Tests run with it on. An operator who wants it back starts the JVM with
 * {@code -D}{@value #LEVEL_PROPERTY}{@code =simple} (or {@code advanced}, {@code paranoid}).
 */
final class NettyLeakDetection {

  /** The system property that sets the level of the Netty shaded into grpc-netty-shaded. */
  static final String LEVEL_PROPERTY = "io.grpc.netty.shaded.io.netty.leakDetection.level";

  private NettyLeakDetection() {}

  /**
   * Turns leak detection off unless {@code properties} (system properties) name a level.
   *
   * @return the level in force afterwards
   */
  static ResourceLeakDetector.Level disableUnlessConfigured(Function<String, String> properties) {
    if (properties.apply(LEVEL_PROPERTY) == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
    return ResourceLeakDetector.getLevel();
  }
}
