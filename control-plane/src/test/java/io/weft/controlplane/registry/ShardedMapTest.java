package io.weft.controlplane.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShardedMapTest {

  @Test
  void withAndWithout_behaveLikeAHashMap_andLeaveTheOriginalUnchanged() {
    Random random = new Random(42);
    Map<String, Integer> expected = new HashMap<>();
    ShardedMap<String, Integer> map = ShardedMap.empty();
    for (int i = 0; i < 5000; i++) {
      String key = "k" + random.nextInt(500);
      if (random.nextInt(3) == 0) {
        expected.remove(key);
        map = map.without(key);
      } else {
        expected.put(key, i);
        map = map.with(key, i);
      }
    }

    assertThat(map).isEqualTo(expected);
    assertThat(map).hasSize(expected.size());
    assertThat(map.hashCode()).isEqualTo(expected.hashCode());
    for (String key : expected.keySet()) {
      assertThat(map.get(key)).isEqualTo(expected.get(key));
      assertThat(map.containsKey(key)).isTrue();
    }
    assertThat(map.get("absent")).isNull();
    assertThat(map.get(null)).isNull();

    ShardedMap<String, Integer> before = map;
    String someKey = expected.keySet().iterator().next();
    ShardedMap<String, Integer> after = map.with("new", 1).without(someKey);
    assertThat(before).isEqualTo(expected);
    assertThat(after).isNotEqualTo(expected);
  }

  @Test
  void without_absentKey_returnsTheSameMap() {
    ShardedMap<String, Integer> map = ShardedMap.<String, Integer>empty().with("a", 1);

    assertThat(map.without("b")).isSameAs(map);
  }

  @Test
  void map_isUnmodifiable() {
    ShardedMap<String, Integer> map = ShardedMap.<String, Integer>empty().with("a", 1);

    assertThatThrownBy(() -> map.put("b", 2)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> map.remove("a")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> map.entrySet().iterator().next().setValue(3))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
