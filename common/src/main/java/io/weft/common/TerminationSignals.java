package io.weft.common;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGINT handling for the command-line programs. A JVM shutdown hook cannot choose the
 * exit code (the process always ends 143 on SIGTERM), so the first signal runs an action that
 * asks the program to stop on its own and return its exit code; a second signal exits at once.
 */
public final class TerminationSignals {

  private static final Logger logger = LoggerFactory.getLogger(TerminationSignals.class);

  private TerminationSignals() {}

  /**
   * Runs {@code stop} on the first SIGTERM or SIGINT; it must return quickly (for example count
   * down a latch). A second signal halts the process with 128 + the signal's number.
   */
  public static void onTermination(Runnable stop) {
    requireNonNull(stop, "stop");
    AtomicBoolean first = new AtomicBoolean(true);
    SignalHandler handler =
        signal -> {
          if (first.compareAndSet(true, false)) {
            logger.info("SIG{} received, stopping", signal.getName());
            stop.run();
          } else {
            logger.warn("SIG{} received again, exiting now", signal.getName());
            Runtime.getRuntime().halt(128 + signal.getNumber());
          }
        };
    Signal.handle(new Signal("TERM"), handler);
    Signal.handle(new Signal("INT"), handler);
  }
}
