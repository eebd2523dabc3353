package io.weft.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.netty.shaded.io.netty.util.ResourceLeakDetector;
import io.grpc.netty.shaded.io.netty.util.ResourceLeakDetector.Level;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NettyLeakDetectionTest {

  private Level before;

  @BeforeEach
  void rememberLevel() {
    before = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(Level.SIMPLE);
  }

  @AfterEach
  void restoreLevel() {
    ResourceLeakDetector.setLevel(before);
  }

  @Test
  void turnsLeakDetectionOffWhenNoLevelIsSet() {
    assertThat(NettyLeakDetection.disableUnlessConfigured(name -> null)).isEqualTo(Level.DISABLED);
    assertThat(ResourceLeakDetector.getLevel()).isEqualTo(Level.DISABLED);
  }

  @Test
  void leavesTheLevelTheOperatorSet() {
    Map<String, String> properties = Map.of(NettyLeakDetection.LEVEL_PROPERTY, "simple");

    assertThat(NettyLeakDetection.disableUnlessConfigured(properties::get))
        .isEqualTo(Level.SIMPLE);
  }
}
