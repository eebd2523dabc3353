package io.weft.sidecar.discovery;

import static io.weft.sidecar.discovery.TestResources.NODE;
import static io.weft.sidecar.discovery.TestResources.instance;
import static io.weft.sidecar.discovery.TestResources.response;
import static io.weft.sidecar.discovery.TestResources.route;
import static io.weft.sidecar.discovery.TestResources.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.weft.common.BackoffOptions;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.ServiceEndpoints;
import io.weft.sidecar.discovery.FakeDiscoveryService.FakeStream;
import io.weft.testing.FakeClock;
import io.weft.testing.FixedRandom;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The one INFO line per accepted response that operators and end-to-end tests read. */
class DiscoveryClientLogTest {

  private final FakeClock clock = new FakeClock();
  private final Logger logger = (Logger) LoggerFactory.getLogger(StreamEventLog.class);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private FakeControlPlane controlPlane;
  private DiscoveryClient client;

  @BeforeEach
  void setUp() throws Exception {
    appender.start();
    logger.addAppender(appender);
    controlPlane = new FakeControlPlane();
    client =
        new DiscoveryClient(
            controlPlane.channel,
            NODE,
            clock.ticker(),
            clock.scheduler(),
            FixedRandom.of(0.5),
            BackoffOptions.DEFAULT);
  }

  @AfterEach
  void tearDown() throws Exception {
    client.close();
    controlPlane.close();
    logger.detachAppender(appender);
    appender.stop();
  }

  @Test
  void acceptedResponse_logsOneLine_withEachChangedResourceAndItsHealthCounts() throws Exception {
    client.watchService("greeter", new RecordingWatcher<>());
    client.watchService("billing", new RecordingWatcher<>());
    client.watchRoute("helloworld.Greeter", new RecordingWatcher<>());
    FakeStream stream = controlPlane.service.awaitStream();
    stream.awaitRequest();
    ServiceEndpoints greeter =
        service(
            "greeter",
            12,
            instance("greeter", "g-1", 1),
            instance("greeter", "g-2", 2).toBuilder().setHealth(HealthStatus.DRAINING).build(),
            instance("greeter", "g-3", 3));

    stream.send(
        response(
            "12",
            "n1",
            List.of(greeter, service("billing", 12)),
            List.of(route("helloworld.Greeter", 12, "greeter"))));
    stream.send(response("13", "n2", greeter));

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> acceptedLines().size() == 2);
    assertThat(acceptedLines())
        .containsExactly(
            "node sidecar-1: accepted version 12 from cp-1: greeter 3 instances"
                + " (2 SERVING, 1 DRAINING); billing 0 instances;"
                + " route helloworld.Greeter -> greeter",
            "node sidecar-1: accepted version 13 from cp-1: no change");
  }

  private List<String> acceptedLines() {
    return appender.list.stream()
        .filter(event -> event.getLevel() == Level.INFO)
        .map(ILoggingEvent::getFormattedMessage)
        .filter(line -> line.contains(": accepted version "))
        .toList();
  }
}
