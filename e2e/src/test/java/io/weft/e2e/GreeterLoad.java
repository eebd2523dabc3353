package io.weft.e2e;

import static org.awaitility.Awaitility.await;

import io.grpc.Channel;
import io.weft.e2e.GreeterCalls.Answer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Steady open-loop load: {@code SayHello} calls started at a fixed rate whatever the answers take
 * (so a stall shows as late answers, not as fewer calls), each answer kept with its timing.
 */
final class GreeterLoad implements AutoCloseable {

  private static final Duration BOUND = Duration.ofSeconds(30);

  private final Channel channel;
  private final ScheduledExecutorService ticker;
  private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger started = new AtomicInteger();

  private GreeterLoad(Channel channel) {
    this.channel = channel;
    this.ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "greeter-load");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Starts {@code callsPerSecond} calls a second through {@code channel}. */
  static GreeterLoad start(Channel channel, int callsPerSecond) {
    GreeterLoad load = new GreeterLoad(channel);
    long period = TimeUnit.SECONDS.toNanos(1) / callsPerSecond;
    load.ticker.scheduleAtFixedRate(load::callOnce, 0, period, TimeUnit.NANOSECONDS);
    return load;
  }

  private void callOnce() {
    inFlight.incrementAndGet();
    GreeterCalls.sayHello(channel, "load-" + started.incrementAndGet()).thenAccept(answer -> {
      answers.add(answer);
      inFlight.decrementAndGet();
    });
  }

  /** Every answer so far, in the order they came. */
  List<Answer> answers() {
    return List.copyOf(answers);
  }

  /** Every failed call so far. */
  List<Answer> failures() {
    return answers.stream().filter(answer -> !answer.ok()).toList();
  }

  /** Answers that satisfy {@code filter}. */
  long count(Predicate<Answer> filter) {
    return answers.stream().filter(filter).count();
  }

  /** Successful calls per answering instance id. */
  Map<String, Long> okByInstance(Predicate<Answer> filter) {
    return answers.stream().filter(Answer::ok).filter(filter)
        .collect(Collectors.groupingBy(
            answer -> String.valueOf(answer.instanceId()), Collectors.counting()));
  }

  /** Waits until {@code count} calls have been answered. */
  void awaitAnswered(int count) {
    await().atMost(BOUND).until(() -> answers.size() >= count);
  }

  /** Waits until {@code count} calls that started at or after {@code nanos} have been answered. */
  void awaitAnsweredSince(long nanos, int count) {
    await().atMost(BOUND).until(() -> count(answer -> answer.startNanos() >= nanos) >= count);
  }

  /** Stops starting calls and waits for those in flight. */
  @Override
  public void close() {
    ticker.shutdownNow();
    try {
      ticker.awaitTermination(BOUND.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    await().atMost(GreeterCalls.DEADLINE.plus(BOUND)).until(() -> inFlight.get() == 0);
  }
}
