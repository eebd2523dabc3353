package io.weft.sidecar.resolver;

import static java.util.Objects.requireNonNull;

import io.grpc.NameResolver;
import io.grpc.Status;

/**
 * Stands for a {@code mesh:} target that cannot be resolved (a malformed target, or a channel
 * without an {@link io.weft.sidecar.discovery.EndpointSource}): reports one clear error to the
 * channel, so that its calls fail with it instead of the channel failing to build.
 */
final class FailingNameResolver extends NameResolver {

  private final String authority;
  private final Status error;

  FailingNameResolver(String authority, Status error) {
    this.authority = requireNonNull(authority, "authority");
    this.error = requireNonNull(error, "error");
  }

  @Override
  public String getServiceAuthority() {
    return authority;
  }

  @Override
  public void start(Listener2 listener) {
    listener.onError(error);
  }

  @Override
  public void shutdown() {}
}
