package io.weft.controlplane.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.weft.mesh.v1.RegisterRequest;
import io.weft.testing.FakeClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RegistryValidationTest {

  private final FakeClock clock = new FakeClock();
  private final Registry registry =
      new Registry(
          RegistryOptions.defaults(), clock.ticker(), clock.scheduler(), new SimpleMeterRegistry());

  @AfterEach
  void tearDown() {
    registry.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.weft.controlplane.registry.InvalidRegistrations#cases")
  void register_rejectsInvalidRequest_andChangesNothing(
      String name, RegisterRequest request, String expected) throws Exception {
    Registration existing = registry.register(TestRequests.request("greeter", "greeter-1"));
    RegistrySnapshot before = registry.snapshot();
    List<LeaseView> leasesBefore = registry.leases();
    List<RegistryChange> changes = new ArrayList<>();
    registry.addListener(changes::add);

    assertThatThrownBy(() -> registry.register(request))
        .isInstanceOfSatisfying(
            StatusException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains(expected);
            });

    assertThat(registry.snapshot()).isSameAs(before);
    assertThat(registry.snapshot().revision()).isEqualTo(existing.revision());
    assertThat(registry.leases()).isEqualTo(leasesBefore);
    assertThat(changes).isEmpty();
    assertThat(clock.pendingTaskCount()).isEqualTo(1);
  }
}
