package io.weft.demo.k8s;

import static java.util.Objects.requireNonNull;

/**
 * A container image reference split as kustomize splits it: the name (registry and repository),
 * then an optional {@code :tag} and an optional {@code @digest}.
 *
 * @param name the registry and repository, such as {@code weft/sidecar}
 * @param tag the tag, empty when there is none
 * @param digest the digest, empty when there is none
 */
record ImageReference(String name, String tag, String digest) {

  ImageReference {
    requireNonNull(name, "name");
    requireNonNull(tag, "tag");
    requireNonNull(digest, "digest");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("image name: empty (expected: a repository)");
    }
  }

  /** Splits {@code image}; a colon in the registry host ({@code host:5000/x}) is no tag. */
  static ImageReference parse(String image) {
    requireNonNull(image, "image");
    String rest = image;
    String digest = "";
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
    }
    String tag = "";
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
    }
    return new ImageReference(rest, tag, digest);
  }

  /** {@code :tag}, {@code @digest}, both, or nothing, as they follow the name. */
  String tagOrDigest() {
    return (tag.isEmpty() ? "" : ":" + tag) + (digest.isEmpty() ? "" : "@" + digest);
  }
}
