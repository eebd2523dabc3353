package io.weft.bench;

import com.google.protobuf.Duration;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.weft.mesh.v1.DeregisterRequest;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.KeepAliveRequest;
import io.weft.mesh.v1.KeepAliveResponse;
import io.weft.mesh.v1.RegisterRequest;
import io.weft.mesh.v1.RegisterResponse;
import io.weft.mesh.v1.RegistrationServiceGrpc;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Registers the benchmark's instances through the real registration API, keeps their leases
 * alive over one KeepAlive stream, and adds or removes single instances for the change loop.
 */
final class InstanceLoader {

  static final Duration LEASE_TTL = Duration.newBuilder().setSeconds(300).build();
  private static final int MAX_IN_FLIGHT = 256;

  private final ManagedChannel channel;
  private final Map<String, String> leases = new ConcurrentHashMap<>();
  private StreamObserver<KeepAliveRequest> keepAlive;

  InstanceLoader(ManagedChannel channel) {
    this.channel = channel;
  }

  static Instance instance(String service, String instanceId, int index) {
    return Instance.newBuilder()
        .setService(service)
        .setInstanceId(instanceId)
        .setAddress("10." + ((index >> 16) & 255) + "." + ((index >> 8) & 255) + "." + (index & 255))
        .setPort(8080)
        .setZone(index % 2 == 0 ? "zone-a" : "zone-b")
        .setWeight(100)
        .setHealth(HealthStatus.SERVING)
        .build();
  }

  /** Registers every instance, at most 256 in flight; fails on the first error. */
  void registerAll(List<Instance> instances) throws InterruptedException {
    Semaphore slots = new Semaphore(MAX_IN_FLIGHT);
    CountDownLatch done = new CountDownLatch(instances.size());
    AtomicReference<Throwable> failure = new AtomicReference<>();
    RegistrationServiceGrpc.RegistrationServiceStub stub = RegistrationServiceGrpc.newStub(channel);
    for (Instance instance : instances) {
      slots.acquire();
      stub.register(
          request(instance),
          new StreamObserver<>() {
            @Override
            public void onNext(RegisterResponse response) {
              leases.put(key(instance.getService(), instance.getInstanceId()), response.getLeaseId());
            }

            @Override
            public void onError(Throwable t) {
              failure.compareAndSet(null, t);
              slots.release();
              done.countDown();
            }

            @Override
            public void onCompleted() {
              slots.release();
              done.countDown();
            }
          });
    }
    if (!done.await(5, TimeUnit.MINUTES) || failure.get() != null) {
      throw new IllegalStateException("registration failed", failure.get());
    }
  }

  /** Removes instances at once (grace 0), all in flight together; waits for every answer. */
  void remove(String service, List<String> instanceIds) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(instanceIds.size());
    AtomicReference<Throwable> failure = new AtomicReference<>();
    RegistrationServiceGrpc.RegistrationServiceStub stub = RegistrationServiceGrpc.newStub(channel);
    for (String instanceId : instanceIds) {
      String lease = leases.remove(key(service, instanceId));
      stub.deregister(
          DeregisterRequest.newBuilder().setLeaseId(lease).setGrace(Duration.getDefaultInstance()).build(),
          new StreamObserver<>() {
            @Override
            public void onNext(io.weft.mesh.v1.DeregisterResponse response) {}

            @Override
            public void onError(Throwable t) {
              failure.compareAndSet(null, t);
              done.countDown();
            }

            @Override
            public void onCompleted() {
              done.countDown();
            }
          });
    }
    if (!done.await(1, TimeUnit.MINUTES) || failure.get() != null) {
      throw new IllegalStateException("deregistration failed", failure.get());
    }
  }

  /** Renews every lease once over the keep-alive stream (opened on first use). */
  synchronized void renewAll() {
    if (keepAlive == null) {
      keepAlive =
          RegistrationServiceGrpc.newStub(channel)
              .keepAlive(
                  new StreamObserver<KeepAliveResponse>() {
                    @Override
                    public void onNext(KeepAliveResponse response) {}

                    @Override
                    public void onError(Throwable t) {
                      System.err.println("keep-alive stream failed: " + t);
                    }

                    @Override
                    public void onCompleted() {}
                  });
    }
    for (String lease : leases.values()) {
      keepAlive.onNext(KeepAliveRequest.newBuilder().setLeaseId(lease).build());
    }
  }

  synchronized void close() {
    if (keepAlive != null) {
      keepAlive.onCompleted();
    }
  }

  private static RegisterRequest request(Instance instance) {
    return RegisterRequest.newBuilder()
        .setInstance(instance)
        .setNodeId("bench-" + instance.getService() + "-" + instance.getInstanceId())
        .setLeaseTtl(LEASE_TTL)
        .build();
  }

  private static String key(String service, String instanceId) {
    return service + "/" + instanceId;
  }
}
