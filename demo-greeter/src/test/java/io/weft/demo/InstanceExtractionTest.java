package io.weft.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import org.junit.jupiter.api.Test;

class InstanceExtractionTest {

  @Test
  void instanceFromReply_unaryReply_returnsInstance() {
    assertThat(Greetings.instanceFromReply(Greetings.reply("world", "greeter-1")))
        .isEqualTo("greeter-1");
  }

  @Test
  void instanceFromReply_streamReply_returnsInstanceWithoutCounter() {
    assertThat(Greetings.instanceFromReply(Greetings.streamReply("world", "greeter-2", 3, 5)))
        .isEqualTo("greeter-2");
  }

  @Test
  void instanceFromReply_nameContainingFrom_returnsLastInstance() {
    assertThat(Greetings.instanceFromReply(Greetings.reply("Bob from Leeds", "pod-7")))
        .isEqualTo("pod-7");
  }

  @Test
  void instanceFromReply_otherText_returnsNull() {
    assertThat(Greetings.instanceFromReply("Hi there")).isNull();
    assertThat(Greetings.instanceFromReply("Hello, world from ")).isNull();
  }

  @Test
  void upstreamHeader_serviceSlashInstance_returnsInstance() {
    assertThat(UpstreamHeader.instanceId("greeter/greeter-1")).isEqualTo("greeter-1");
  }

  @Test
  void upstreamHeader_instanceContainingSlash_keepsItWhole() {
    assertThat(UpstreamHeader.instanceId("greeter/zone-a/pod-1")).isEqualTo("zone-a/pod-1");
  }

  @Test
  void upstreamHeader_malformedOrMissing_returnsNull() {
    assertThat(UpstreamHeader.instanceId((String) null)).isNull();
    assertThat(UpstreamHeader.instanceId("greeter")).isNull();
    assertThat(UpstreamHeader.instanceId("/pod-1")).isNull();
    assertThat(UpstreamHeader.instanceId("greeter/")).isNull();
  }

  @Test
  void upstreamHeader_fromMetadata_readsHeader() {
    Metadata headers = new Metadata();
    assertThat(UpstreamHeader.instanceId(headers)).isNull();

    headers.put(UpstreamHeader.KEY, "greeter/greeter-3");

    assertThat(UpstreamHeader.instanceId(headers)).isEqualTo("greeter-3");
  }
}
