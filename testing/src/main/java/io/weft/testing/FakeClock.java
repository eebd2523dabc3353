package io.weft.testing;

import com.google.common.base.Ticker;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when a test moves it, with a {@link ScheduledExecutorService} whose
 * tasks run when the clock passes their due time.
 *
 * <p>Time and scheduling are injected into production classes as a {@link Ticker} and a
 * {@link ScheduledExecutorService}; a test passes {@link #ticker()} and {@link #scheduler()} and
 * then calls {@link #forward(long, TimeUnit)}. Due tasks run on the calling thread, in due-time
 * order, so a test sees exact delays and no real thread is involved. Only delayed scheduling is
 * supported; {@code execute}/{@code submit} run the task the next time the clock is forwarded or
 * {@link #runDueTasks()} is called.
 */
public final class FakeClock {

  private final Object lock = new Object();
  private final PriorityQueue<ScheduledTask> tasks = new PriorityQueue<>();
  private final AtomicLong sequence = new AtomicLong();
  private long nowNanos;

  private final Ticker ticker =
      new Ticker() {
        @Override
        public long read() {
          return currentTimeNanos();
        }
      };

  private final ScheduledExecutorService scheduler = new FakeScheduler();

  /** The clock's time, as a Guava ticker. */
  public Ticker ticker() {
    return ticker;
  }

  /** A scheduler whose delayed tasks run when this clock passes their due time. */
  public ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /** Current fake time in nanoseconds; starts at zero. */
  public long currentTimeNanos() {
    synchronized (lock) {
      return nowNanos;
    }
  }

  /**
   * Moves the clock forward and runs, in due order, every task due up to the new time, including
   * tasks those tasks schedule within the window.
   *
   * @return how many tasks ran
   */
  public int forward(long amount, TimeUnit unit) {
    if (amount < 0) {
      throw new IllegalArgumentException("amount: " + amount + " (expected: >= 0)");
    }
    long target;
    synchronized (lock) {
      target = nowNanos + unit.toNanos(amount);
    }
    int ran = 0;
    while (true) {
      ScheduledTask next;
      synchronized (lock) {
        next = tasks.peek();
        if (next == null || next.dueNanos > target) {
          nowNanos = target;
          return ran;
        }
        tasks.poll();
        nowNanos = Math.max(nowNanos, next.dueNanos);
      }
      next.run();
      ran++;
    }
  }

  /** Runs every task due now without moving the clock. */
  public int runDueTasks() {
    return forward(0, TimeUnit.NANOSECONDS);
  }

  /** Tasks scheduled and neither run nor cancelled. */
  public int pendingTaskCount() {
    synchronized (lock) {
      return (int) tasks.stream().filter(t -> !t.isCancelled()).count();
    }
  }

  /** Delay until the earliest pending task is due, in nanoseconds, or -1 if none. */
  public long nanosUntilNextTask() {
    synchronized (lock) {
      return tasks.stream()
          .filter(t -> !t.isCancelled())
          .mapToLong(t -> t.dueNanos - nowNanos)
          .min()
          .orElse(-1);
    }
  }

  private ScheduledTask enqueue(Runnable command, long delayNanos) {
    synchronized (lock) {
      ScheduledTask task =
          new ScheduledTask(command, nowNanos + Math.max(0, delayNanos), sequence.getAndIncrement());
      tasks.add(task);
      return task;
    }
  }

  private void remove(ScheduledTask task) {
    synchronized (lock) {
      tasks.remove(task);
    }
  }

  private final class ScheduledTask implements ScheduledFuture<Void>, Runnable {
    private final Runnable command;
    private final long dueNanos;
    private final long order;
    private volatile boolean cancelled;
    private volatile boolean done;

    ScheduledTask(Runnable command, long dueNanos, long order) {
      this.command = command;
      this.dueNanos = dueNanos;
      this.order = order;
    }

    @Override
    public void run() {
      if (cancelled) {
        return;
      }
      done = true;
      command.run();
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(dueNanos - currentTimeNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      ScheduledTask that = (ScheduledTask) other;
      int byDue = Long.compare(dueNanos, that.dueNanos);
      return byDue != 0 ? byDue : Long.compare(order, that.order);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      if (done || cancelled) {
        return false;
      }
      cancelled = true;
      remove(this);
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return done || cancelled;
    }

    @Override
    public Void get() {
      throw new UnsupportedOperationException("FakeClock tasks cannot be awaited");
    }

    @Override
    public Void get(long timeout, TimeUnit unit) {
      throw new UnsupportedOperationException("FakeClock tasks cannot be awaited");
    }
  }

  private final class FakeScheduler implements ScheduledExecutorService {
    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      return enqueue(command, unit.toNanos(delay));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
      Runnable command =
          () -> {
            try {
              callable.call();
            } catch (Exception e) {
              throw new IllegalStateException("scheduled task failed", e);
            }
          };
      return (ScheduledFuture<V>) enqueue(command, unit.toNanos(delay));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(
        Runnable command, long initialDelay, long period, TimeUnit unit) {
      return scheduleRepeating(command, unit.toNanos(initialDelay), unit.toNanos(period));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(
        Runnable command, long initialDelay, long delay, TimeUnit unit) {
      return scheduleRepeating(command, unit.toNanos(initialDelay), unit.toNanos(delay));
    }

    private ScheduledFuture<?> scheduleRepeating(Runnable command, long first, long period) {
      if (period <= 0) {
        throw new IllegalArgumentException("period: " + period + " (expected: > 0)");
      }
      RepeatingTask repeating = new RepeatingTask(command, period);
      repeating.next = enqueue(repeating, first);
      return repeating;
    }

    @Override
    public void execute(Runnable command) {
      enqueue(command, 0);
    }

    @Override
    public void shutdown() {}

    @Override
    public List<Runnable> shutdownNow() {
      return new ArrayList<>();
    }

    @Override
    public boolean isShutdown() {
      return false;
    }

    @Override
    public boolean isTerminated() {
      return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return false;
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
      throw new UnsupportedOperationException("schedule a Runnable");
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
      throw new UnsupportedOperationException("schedule a Runnable");
    }

    @Override
    public Future<?> submit(Runnable task) {
      return enqueue(task, 0);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) {
      throw new UnsupportedOperationException("invokeAll");
    }

    @Override
    public <T> List<Future<T>> invokeAll(
        Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit) {
      throw new UnsupportedOperationException("invokeAll");
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks)
        throws ExecutionException {
      throw new UnsupportedOperationException("invokeAny");
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
        throws ExecutionException, TimeoutException {
      throw new UnsupportedOperationException("invokeAny");
    }
  }

  private final class RepeatingTask implements ScheduledFuture<Void>, Runnable {
    private final Runnable command;
    private final long periodNanos;
    private volatile ScheduledTask next;
    private volatile boolean cancelled;

    RepeatingTask(Runnable command, long periodNanos) {
      this.command = command;
      this.periodNanos = periodNanos;
    }

    @Override
    public void run() {
      if (cancelled) {
        return;
      }
      next = enqueue(this, periodNanos);
      command.run();
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return next.getDelay(unit);
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      if (cancelled) {
        return false;
      }
      cancelled = true;
      next.cancel(false);
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return cancelled;
    }

    @Override
    public Void get() {
      throw new UnsupportedOperationException("FakeClock tasks cannot be awaited");
    }

    @Override
    public Void get(long timeout, TimeUnit unit) {
      throw new UnsupportedOperationException("FakeClock tasks cannot be awaited");
    }
  }
}
