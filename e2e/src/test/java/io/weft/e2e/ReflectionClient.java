package io.weft.e2e;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What {@code grpcurl list} and {@code grpcurl describe} ask a server: {@code grpc.reflection.v1}
 * requests, one call each.
 */
final class ReflectionClient {

  private final Channel channel;

  ReflectionClient(Channel channel) {
    this.channel = channel;
  }

  /** {@code list}: the names of every service the server has. */
  List<String> listServices() {
    ServerReflectionResponse response =
        ask(ServerReflectionRequest.newBuilder().setListServices("").build());
    return response.getListServicesResponse().getServiceList().stream()
        .map(ServiceResponse::getName)
        .toList();
  }

  /** {@code describe <symbol>}: the file that defines {@code symbol} and its dependencies. */
  List<FileDescriptorProto> fileContainingSymbol(String symbol) {
    ServerReflectionResponse response =
        ask(ServerReflectionRequest.newBuilder().setFileContainingSymbol(symbol).build());
    List<FileDescriptorProto> files = new ArrayList<>();
    for (ByteString bytes : response.getFileDescriptorResponse().getFileDescriptorProtoList()) {
      try {
        files.add(FileDescriptorProto.parseFrom(bytes));
      } catch (InvalidProtocolBufferException e) {
        throw new AssertionError("not a FileDescriptorProto in the answer for " + symbol, e);
      }
    }
    return files;
  }

  private ServerReflectionResponse ask(ServerReflectionRequest request) {
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(channel)
            .withDeadlineAfter(GreeterCalls.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
            .serverReflectionInfo(new StreamObserver<>() {
              @Override
              public void onNext(ServerReflectionResponse response) {
                answer.complete(response);
              }

              @Override
              public void onError(Throwable t) {
                answer.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                answer.completeExceptionally(
                    Status.INTERNAL.withDescription("no reflection answer").asException());
              }
            });
    requests.onNext(request);
    requests.onCompleted();
    return answer.join();
  }
}
