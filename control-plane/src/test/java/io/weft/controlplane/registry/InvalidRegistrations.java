package io.weft.controlplane.registry;

import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.google.protobuf.Duration;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.RegisterRequest;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * One invalid registration per validation rule, each with the text its error must contain (the
 * field name and, where short, the value). Shared by the validator, registry and gRPC tests.
 */
public final class InvalidRegistrations {

  private InvalidRegistrations() {}

  /** Arguments: a case name, the invalid request, the expected error fragment. */
  public static Stream<Arguments> cases() {
    return Stream.of(
        instanceCase("service empty", b -> b.setService(""), "instance.service: \"\""),
        instanceCase(
            "service upper case", b -> b.setService("Greeter"), "instance.service: \"Greeter\""),
        instanceCase("service underscore", b -> b.setService("hello_world"), "instance.service"),
        instanceCase("service leading dash", b -> b.setService("-greeter"), "instance.service"),
        instanceCase("service trailing dash", b -> b.setService("greeter-"), "instance.service"),
        instanceCase("service dotted", b -> b.setService("greeter.default"), "instance.service"),
        instanceCase("service 64 chars", b -> b.setService("a".repeat(64)), "instance.service"),
        instanceCase("instance id empty", b -> b.setInstanceId(""), "instance.instance_id: \"\""),
        instanceCase(
            "instance id 254 chars", b -> b.setInstanceId("i".repeat(254)), "instance.instance_id"),
        instanceCase(
            "instance id space", b -> b.setInstanceId("pod 1"), "instance.instance_id: \"pod 1\""),
        instanceCase(
            "instance id tab",
            b -> b.setInstanceId("pod\t1"),
            "instance.instance_id: \"pod\\u00091\""),
        instanceCase(
            "instance id non-ASCII", b -> b.setInstanceId("pöd-1"), "instance.instance_id"),
        instanceCase("address empty", b -> b.setAddress(""), "instance.address: \"\""),
        instanceCase(
            "address bad IPv4",
            b -> b.setAddress("10.0.0.256"),
            "instance.address: \"10.0.0.256\""),
        instanceCase("address short IPv4", b -> b.setAddress("10.0.0"), "instance.address"),
        instanceCase("address bad IPv6", b -> b.setAddress("fe80::1::2"), "instance.address"),
        instanceCase("address bracketed IPv6", b -> b.setAddress("[::1]"), "instance.address"),
        instanceCase("address with port", b -> b.setAddress("10.0.0.7:8080"), "instance.address"),
        instanceCase("address unspecified", b -> b.setAddress("0.0.0.0"), "instance.address"),
        instanceCase(
            "address underscore", b -> b.setAddress("my_host.example"), "instance.address"),
        instanceCase("address empty label", b -> b.setAddress("host..example"), "instance.address"),
        instanceCase(
            "address trailing dot", b -> b.setAddress("host.example."), "instance.address"),
        instanceCase(
            "address label 64", b -> b.setAddress("a".repeat(64) + ".example"), "instance.address"),
        instanceCase("address 254 chars", b -> b.setAddress(longDnsName(254)), "instance.address"),
        instanceCase("port zero", b -> b.setPort(0), "instance.port: 0 (expected: 1..65535)"),
        instanceCase("port 65536", b -> b.setPort(65536), "instance.port: 65536"),
        instanceCase("port above int", b -> b.setPort(-1), "instance.port: 4294967295"),
        instanceCase("zone 64 chars", b -> b.setZone("z".repeat(64)), "instance.zone"),
        instanceCase("zone space", b -> b.setZone("zone a"), "instance.zone: \"zone a\""),
        instanceCase("weight 1001", b -> b.setWeight(1001), "instance.weight: 1001"),
        instanceCase("weight above int", b -> b.setWeight(-5), "instance.weight: 4294967291"),
        instanceCase(
            "metadata 65 entries",
            b -> {
              IntStream.range(0, 65).forEach(i -> b.putMetadata("k" + i, "v"));
              return b;
            },
            "instance.metadata: 66 entries"),
        instanceCase(
            "metadata empty key", b -> b.putMetadata("", "v"), "instance.metadata: key \"\""),
        instanceCase(
            "metadata key 64 chars",
            b -> b.putMetadata("k".repeat(64), "v"),
            "instance.metadata: key"),
        instanceCase(
            "metadata key colon", b -> b.putMetadata("a:b", "v"), "instance.metadata: key \"a:b\""),
        instanceCase(
            "metadata over 16 KiB",
            b -> b.putMetadata("big", "x".repeat(16 * 1024)),
            "instance.metadata: 16396 bytes"),
        instanceCase(
            "metadata over 16 KiB in UTF-8",
            b -> b.putMetadata("big", "é".repeat(8 * 1024)),
            "instance.metadata: 16396 bytes"),
        instanceCase(
            "grpc service empty", b -> b.addGrpcServices(""), "instance.grpc_services[1]: \"\""),
        instanceCase(
            "grpc service slash",
            b -> b.addGrpcServices("hello/World"),
            "instance.grpc_services[1]"),
        instanceCase(
            "grpc service digit start",
            b -> b.addGrpcServices("1hello.World"),
            "instance.grpc_services[1]"),
        instanceCase(
            "grpc service empty part",
            b -> b.addGrpcServices("hello..World"),
            "instance.grpc_services[1]"),
        instanceCase(
            "grpc service trailing dot",
            b -> b.addGrpcServices("hello.World."),
            "instance.grpc_services[1]"),
        instanceCase(
            "grpc service 256 chars",
            b -> b.addGrpcServices("a".repeat(256)),
            "instance.grpc_services[1]"),
        instanceCase(
            "grpc service duplicate",
            b -> b.addGrpcServices("helloworld.Greeter"),
            "instance.grpc_services[1]: \"helloworld.Greeter\" (expected: no duplicates)"),
        instanceCase(
            "grpc services 257 names",
            b -> {
              IntStream.range(0, 256).forEach(i -> b.addGrpcServices("svc.S" + i));
              return b;
            },
            "instance.grpc_services: 257 names"),
        instanceCase(
            "health draining",
            b -> b.setHealth(HealthStatus.DRAINING),
            "instance.health: DRAINING"),
        instanceCase("health unknown", b -> b.setHealthValue(9), "instance.health: 9"),
        requestCase("instance unset", r -> r.clearInstance(), "instance: unset"),
        requestCase("node id empty", r -> r.setNodeId(""), "node_id: \"\""),
        requestCase("node id 254 chars", r -> r.setNodeId("n".repeat(254)), "node_id"),
        requestCase(
            "node id control char", r -> r.setNodeId("node\n1"), "node_id: \"node\\u000a1\""),
        requestCase("lease ttl zero", r -> r.setLeaseTtl(seconds(0, 0)), "lease_ttl: 0s"),
        requestCase(
            "lease ttl 999ms", r -> r.setLeaseTtl(seconds(0, 999_000_000)), "lease_ttl: 999ms"),
        requestCase("lease ttl 301s", r -> r.setLeaseTtl(seconds(301, 0)), "lease_ttl: 301s"),
        requestCase("lease ttl negative", r -> r.setLeaseTtl(seconds(-5, 0)), "lease_ttl: -5s"),
        requestCase(
            "lease ttl malformed", r -> r.setLeaseTtl(seconds(5, -1)), "lease_ttl: 5s-1ns"));
  }

  private static Arguments instanceCase(
      String name, UnaryOperator<Instance.Builder> change, String expected) {
    Instance instance =
        change.apply(TestRequests.instance("greeter", "greeter-1").toBuilder()).build();
    return arguments(name, TestRequests.request(instance, "node-1"), expected);
  }

  private static Arguments requestCase(
      String name, UnaryOperator<RegisterRequest.Builder> change, String expected) {
    RegisterRequest request =
        change.apply(TestRequests.request("greeter", "greeter-1").toBuilder()).build();
    return arguments(name, request, expected);
  }

  private static Duration seconds(long seconds, int nanos) {
    return Duration.newBuilder().setSeconds(seconds).setNanos(nanos).build();
  }

  /** A DNS name of {@code length} (193..255) characters: three 63-character labels and a rest. */
  static String longDnsName(int length) {
    String label = "a".repeat(63);
    return String.join(".", label, label, label, "b".repeat(length - 3 * 64));
  }
}
