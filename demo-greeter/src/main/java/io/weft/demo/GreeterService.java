package io.weft.demo;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.StreamObserver;
import io.weft.demo.helloworld.GreeterGrpc;
import io.weft.demo.helloworld.HelloReply;
import io.weft.demo.helloworld.HelloRequest;

/** {@code helloworld.Greeter}: answers {@code Hello, <name> from <instance-id>}. */
final class GreeterService extends GreeterGrpc.GreeterImplBase {

  private final String instanceId;

  GreeterService(String instanceId) {
    this.instanceId = requireNonNull(instanceId, "instanceId");
  }

  @Override
  public void sayHello(HelloRequest request, StreamObserver<HelloReply> responseObserver) {
    responseObserver.onNext(
        HelloReply.newBuilder().setMessage(Greetings.reply(request.getName(), instanceId)).build());
    responseObserver.onCompleted();
  }
}
