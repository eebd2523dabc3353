package io.weft.sidecar.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/**
 * Records what the discovery client logs at ERROR, which it does only for its own bugs (an
 * exception that escaped into its synchronization context), so that a test fails on one.
 */
final class ErrorLogGuard implements AutoCloseable {

  private final Logger logger = (Logger) LoggerFactory.getLogger(DiscoveryClient.class);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  ErrorLogGuard() {
    appender.start();
    logger.addAppender(appender);
  }

  /** Stops recording and fails if anything was logged at ERROR. */
  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
    assertThat(appender.list)
        .filteredOn(event -> event.getLevel() == Level.ERROR)
        .extracting(ILoggingEvent::getFormattedMessage)
        .isEmpty();
  }
}
