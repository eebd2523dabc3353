package io.weft.sidecar.agent;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.weft.mesh.v1.DeregisterRequest;
import io.weft.mesh.v1.DeregisterResponse;
import io.weft.mesh.v1.DrainConfirmation;
import io.weft.mesh.v1.KeepAliveRequest;
import io.weft.mesh.v1.KeepAliveResponse;
import io.weft.mesh.v1.LeaseEvent;
import io.weft.mesh.v1.RegisterRequest;
import io.weft.mesh.v1.RegisterResponse;
import io.weft.mesh.v1.RegistrationServiceGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A RegistrationService the test scripts, on a real Netty server on 127.0.0.1 (port 0). It records
 * every request, grants lease {@link #LEASE_ID} (TTL {@link #ttlSeconds}), answers renewals
 * RENEWED unless told otherwise, and lets the test push events on, or break, the latest
 * KeepAlive stream.
 */
final class FakeControlPlane implements AutoCloseable {

  static final String LEASE_ID = "lease-1";

  final List<RegisterRequest> registers = new CopyOnWriteArrayList<>();
  final List<KeepAliveRequest> keepAlives = new CopyOnWriteArrayList<>();
  final List<DeregisterRequest> deregisters = new CopyOnWriteArrayList<>();
  final AtomicInteger keepAliveStreams = new AtomicInteger();
  final AtomicInteger keepAliveStreamsCancelled = new AtomicInteger();

  /** Lease TTL granted on Register. */
  volatile long ttlSeconds = 9;
  /** Whether Register is answered (otherwise it hangs). */
  volatile boolean answerRegister = true;
  /** When set, Register fails with this status. */
  volatile Status registerFailure;
  /** Whether Deregister is answered (otherwise it hangs). */
  volatile boolean answerDeregister = true;
  /** Whether renewals are answered at all. */
  volatile boolean answerRenewals = true;

  private final Queue<LeaseEvent> nextAnswers = new ConcurrentLinkedQueue<>();
  private final Server server;
  private volatile Stream latest;

  FakeControlPlane() {
    try {
      server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
          .addService(new Service())
          .build()
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  ManagedChannel newChannel() {
    return NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  /** Answers the next renewal with {@code event} instead of RENEWED. */
  void answerNextRenewal(LeaseEvent event) {
    nextAnswers.add(event);
  }

  /** Sends an unprompted event on the latest KeepAlive stream. */
  void push(LeaseEvent event) {
    latest.send(KeepAliveResponse.newBuilder().setLeaseId(LEASE_ID).setEvent(event)
        .setMessage("pushed by the test").build());
  }

  /** Sends DRAIN_CONFIRMED on the latest KeepAlive stream. */
  void confirmDrain(DrainConfirmation confirmation) {
    latest.send(KeepAliveResponse.newBuilder().setLeaseId(LEASE_ID)
        .setEvent(LeaseEvent.DRAIN_CONFIRMED).setDrain(confirmation).build());
  }

  /** Ends the latest KeepAlive stream with {@code status}. */
  void breakStream(Status status) {
    latest.fail(status);
  }

  /** Health values of every KeepAlive request so far. */
  List<io.weft.mesh.v1.HealthStatus> reportedHealth() {
    return keepAlives.stream().map(KeepAliveRequest::getHealth).toList();
  }

  void shutdownNow() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    shutdownNow();
  }

  private final class Service extends RegistrationServiceGrpc.RegistrationServiceImplBase {
    @Override
    public void register(RegisterRequest request, StreamObserver<RegisterResponse> response) {
      registers.add(request);
      if (!answerRegister) {
        return;
      }
      Status failure = registerFailure;
      if (failure != null) {
        response.onError(failure.asRuntimeException());
        return;
      }
      response.onNext(RegisterResponse.newBuilder()
          .setLeaseId(LEASE_ID)
          .setLeaseTtl(com.google.protobuf.Duration.newBuilder().setSeconds(ttlSeconds))
          .setRevision(registers.size())
          .setInstance(request.getInstance())
          .build());
      response.onCompleted();
    }

    @Override
    public StreamObserver<KeepAliveRequest> keepAlive(StreamObserver<KeepAliveResponse> response) {
      keepAliveStreams.incrementAndGet();
      Stream stream = new Stream(response);
      latest = stream;
      return stream;
    }

    @Override
    public void deregister(DeregisterRequest request, StreamObserver<DeregisterResponse> response) {
      deregisters.add(request);
      if (answerDeregister) {
        response.onNext(DeregisterResponse.newBuilder().setRevision(100).build());
        response.onCompleted();
      }
    }
  }

  private final class Stream implements StreamObserver<KeepAliveRequest> {
    private final StreamObserver<KeepAliveResponse> responses;
    private boolean closed;

    Stream(StreamObserver<KeepAliveResponse> responses) {
      this.responses = responses;
    }

    @Override
    public void onNext(KeepAliveRequest request) {
      keepAlives.add(request);
      if (!answerRenewals) {
        return;
      }
      LeaseEvent event = nextAnswers.poll();
      KeepAliveResponse.Builder answer = KeepAliveResponse.newBuilder()
          .setLeaseId(request.getLeaseId())
          .setEvent(event == null ? LeaseEvent.RENEWED : event);
      if (event == null) {
        answer.setLeaseTtl(com.google.protobuf.Duration.newBuilder().setSeconds(ttlSeconds));
      }
      send(answer.build());
    }

    @Override
    public void onError(Throwable t) {
      if (Status.fromThrowable(t).getCode() == Status.Code.CANCELLED) {
        keepAliveStreamsCancelled.incrementAndGet();
      }
      synchronized (this) {
        closed = true;
      }
    }

    @Override
    public void onCompleted() {
      synchronized (this) {
        if (!closed) {
          closed = true;
          responses.onCompleted();
        }
      }
    }

    synchronized void send(KeepAliveResponse response) {
      if (!closed) {
        responses.onNext(response);
      }
    }

    synchronized void fail(Status status) {
      if (!closed) {
        closed = true;
        responses.onError(status.asRuntimeException());
      }
    }
  }
}
