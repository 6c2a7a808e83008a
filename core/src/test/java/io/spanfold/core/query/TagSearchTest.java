package io.spanfold.core.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.spanfold.core.query.traceql.OtlpTraceView;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TagSearchTest {
  private static KeyValue s(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  private static KeyValue i(String k, long v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setIntValue(v)).build();
  }

  private static byte[] id(int v) {
    return java.nio.ByteBuffer.allocate(8).putLong(v).array();
  }

  /** root "GET /users" (api, 250 ms) → child "SELECT" (db, error, db.system=postgres, http.status_code=500). */
  private static OtlpTraceView trace() {
    byte[] api = Resource.newBuilder().addAttributes(s("service.name", "shop-api")).addAttributes(s("pod", "api-7f"))
        .build().toByteArray();
    byte[] db = Resource.newBuilder().addAttributes(s("service.name", "postgres")).build().toByteArray();
    ByteString tid = ByteString.copyFrom(new byte[16]);
    Span root = Span.newBuilder().setTraceId(tid).setSpanId(ByteString.copyFrom(id(1))).setName("GET /users")
        .setStartTimeUnixNano(1_000_000_000L).setEndTimeUnixNano(1_250_000_000L)
        .addAttributes(s("http.method", "GET")).addAttributes(s("http.url", "https://x/users?id=1")).build();
    Span child = Span.newBuilder().setTraceId(tid).setSpanId(ByteString.copyFrom(id(2)))
        .setParentSpanId(ByteString.copyFrom(id(1))).setName("SELECT").setStartTimeUnixNano(1_100_000_000L)
        .setEndTimeUnixNano(1_200_000_000L).setStatus(Status.newBuilder().setCodeValue(2))
        .addAttributes(s("db.system", "postgres")).addAttributes(i("http.status_code", 500)).build();
    return OtlpTraceView.builder().addSpan(root.toByteArray(), api).addSpan(child.toByteArray(), db).build();
  }

  private static boolean search(String tags, long min, long max) {
    return TagSearch.of(LogfmtTags.parse(tags), min, max).matches(trace());
  }

  @Test
  void wellKnownTagsAreCaseSensitiveSubstrings() {
    assertThat(search("service.name=shop", 0, 0)).isTrue();
    assertThat(search("service.name=SHOP", 0, 0)).isFalse();
    assertThat(search("root.service.name=api root.name=users", 0, 0)).isTrue();
    assertThat(search("root.service.name=postgres", 0, 0)).isFalse();
    assertThat(search("name=SEL http.method=GE http.url=users", 0, 0)).isTrue();
    assertThat(search("pod=api", 0, 0)).isTrue();
  }

  @Test
  void statusCodeAndHttpStatusAreExact() {
    assertThat(search("status.code=error", 0, 0)).isTrue();
    assertThat(search("status.code=ok", 0, 0)).isFalse();
    assertThat(search("status.code=bogus", 0, 0)).isTrue(); // maps to unset, as Tempo's map miss: the root is unset
    assertThat(search("http.status_code=500", 0, 0)).isTrue();
    assertThat(search("http.status_code=50", 0, 0)).isFalse();
  }

  @Test
  void otherTagsAreExactStringMatchesOnSpanOrResource() {
    assertThat(search("db.system=postgres", 0, 0)).isTrue();
    assertThat(search("db.system=postgre", 0, 0)).isFalse();
    assertThat(search("db.system=postgres service.name=api", 0, 0)).isTrue();
    assertThat(search("missing=x", 0, 0)).isFalse();
  }

  @Test
  void traceDurationBoundsAreInclusiveMilliseconds() {
    assertThat(search("", 250, 0)).isTrue();
    assertThat(search("", 251, 0)).isFalse();
    assertThat(search("", 0, 250)).isTrue();
    assertThat(search("", 0, 249)).isFalse();
    assertThat(search("", 100, 300)).isTrue();
  }

  @Test
  void validatesDurations() {
    assertThat(TagSearch.parseDurationMs("minDuration", "1.5s")).isEqualTo(1500);
    assertThat(TagSearch.parseDurationMs("minDuration", "100us")).isZero();
    assertThatThrownBy(() -> TagSearch.parseDurationMs("maxDuration", "5x"))
        .hasMessage("invalid maxDuration: time: invalid duration \"5x\"");
    assertThatThrownBy(() -> TagSearch.of(Map.of(), 10, 5))
        .hasMessage("invalid maxDuration: must be greater than minDuration");
  }
}
