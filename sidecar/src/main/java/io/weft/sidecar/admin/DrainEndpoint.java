package io.weft.sidecar.admin;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Ticker;
import io.weft.common.AdminHttpServer;
import io.weft.common.AdminResponse;
import io.weft.common.ProtoDurations;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * {@code /drain} (GET, as a Kubernetes {@code preStop} hook calls it, or POST): starts the drain
 * if it has not started, and answers when it is done or when the bound passes, whichever comes
 * first. Every caller waits for the same drain.
 *
 * <p>200 {@code {"drained": true, "waitedMillis": 1234}} when it is done; 503 {@code {"drained":
 * false, "reason": "..."}} when the bound passed first (the drain goes on); 500 with the reason
 * when it failed or the sidecar closed before it ended.
 */
public final class DrainEndpoint implements AdminHttpServer.Handler {

  private final Supplier<CompletableFuture<Void>> drain;
  private final Duration bound;
  private final Ticker ticker;

  /**
   * @param drain starts the drain (or returns the one running) and tells when it is done
   * @param bound how long a request waits
   * @param ticker measures the wait
   */
  public DrainEndpoint(Supplier<CompletableFuture<Void>> drain, Duration bound, Ticker ticker) {
    this.drain = requireNonNull(drain, "drain");
    this.bound = requireNonNull(bound, "bound");
    this.ticker = requireNonNull(ticker, "ticker");
  }

  @Override
  public AdminResponse handle(String rest, String query) throws InterruptedException {
    long start = ticker.read();
    try {
      drain.get().get(bound.toNanos(), TimeUnit.NANOSECONDS);
      return AdminResponse.json(new Outcome(true, null, waitedMillis(start)));
    } catch (TimeoutException e) {
      return AdminResponse.json(503, new Outcome(false,
          "drain still running after " + ProtoDurations.describe(bound), waitedMillis(start)));
    } catch (ExecutionException e) {
      return AdminResponse.json(500, new Outcome(false,
          "drain failed: " + e.getCause(), waitedMillis(start)));
    } catch (CancellationException e) {
      return AdminResponse.json(500, new Outcome(false,
          "drain cancelled: " + e.getMessage(), waitedMillis(start)));
    }
  }

  private long waitedMillis(long start) {
    return TimeUnit.NANOSECONDS.toMillis(ticker.read() - start);
  }

  /**
   * The body of a {@code /drain} answer.
   *
   * @param drained whether the drain is done
   * @param reason why not; null when done
   * @param waitedMillis how long this request waited
   */
  public record Outcome(boolean drained, String reason, long waitedMillis) {}
}
