package io.spanfold.otlp.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanfold.otlp.query.internal.GoJson;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GoJsonTest {
  @Test
  void doublesAsGoEncodingJson() {
    // expected values are what Go's json.Marshal(float64) prints
    assertThat(GoJson.formatDouble(0.0)).isEqualTo("0");
    assertThat(GoJson.formatDouble(-0.0)).isEqualTo("-0");
    assertThat(GoJson.formatDouble(100)).isEqualTo("100");
    assertThat(GoJson.formatDouble(1.5)).isEqualTo("1.5");
    assertThat(GoJson.formatDouble(0.1)).isEqualTo("0.1");
    assertThat(GoJson.formatDouble(-2.75)).isEqualTo("-2.75");
    assertThat(GoJson.formatDouble(1e20)).isEqualTo("100000000000000000000");
    assertThat(GoJson.formatDouble(1e21)).isEqualTo("1e+21");
    assertThat(GoJson.formatDouble(1.2345e22)).isEqualTo("1.2345e+22");
    assertThat(GoJson.formatDouble(0.000001)).isEqualTo("0.000001");
    assertThat(GoJson.formatDouble(1e-7)).isEqualTo("1e-7");
    assertThat(GoJson.formatDouble(1.5e-10)).isEqualTo("1.5e-10");
    assertThat(GoJson.formatDouble(Double.MIN_VALUE)).isEqualTo("5e-324");
    assertThat(GoJson.formatDouble(Double.MAX_VALUE)).isEqualTo("1.7976931348623157e+308");
    assertThat(GoJson.formatDouble(123456789.123)).isEqualTo("123456789.123");
    assertThat(GoJson.formatDouble(1.0 / 3)).isEqualTo("0.3333333333333333");
    assertThat(GoJson.formatDouble(2e23)).isEqualTo("2e+23");
    assertThat(GoJson.formatDouble(9007199254740993.0)).isEqualTo("9007199254740992");
  }

  @Test
  void shortestFormReadsBackExactly() {
    java.util.Random r = new java.util.Random(42);
    for (int i = 0; i < 20_000; i++) {
      double d = Double.longBitsToDouble(r.nextLong());
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        continue;
      }
      String s = GoJson.formatDouble(d);
      assertThat(Double.parseDouble(s)).as(s).isEqualTo(d);
      // never longer than Java's own shortest-ish form (digits only)
      assertThat(digits(s)).as(s).isLessThanOrEqualTo(digits(Double.toString(d)));
    }
  }

  private static int digits(String s) {
    String mantissa = s.toLowerCase().split("e")[0].replace("-", "").replace(".", "");
    return mantissa.replaceFirst("^0+", "").replaceFirst("0+$", "").length();
  }

  @Test
  void stringsEscapedAsGo() {
    assertThat(quoted("plain")).isEqualTo("\"plain\"");
    assertThat(quoted("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
    assertThat(quoted("\n\r\t\b\f\u0001\u001f")).isEqualTo("\"\\n\\r\\t\\b\\f\\u0001\\u001f\"");
    assertThat(quoted("<a href='x'>&</a>")).isEqualTo("\"\\u003ca href='x'\\u003e\\u0026\\u003c/a\\u003e\"");
    assertThat(quoted("line\u2028para\u2029")).isEqualTo("\"line\\u2028para\\u2029\"");
    assertThat(quoted("h\u00e9llo \u4e16\u754c \ud83d\ude00 /")).isEqualTo("\"h\u00e9llo \u4e16\u754c \ud83d\ude00 /\"");
    assertThat(quoted("\u007f")).isEqualTo("\"\u007f\"");
  }

  @Test
  void invalidUtf8BecomesOneReplacementEscapePerByte() {
    // a truncated 3-byte sequence then 'a'; a lone continuation byte; an encoded surrogate; an overlong '/'
    byte[] bad = {(byte) 0xE2, (byte) 0x82, 'a', (byte) 0x80, (byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xC0,
        (byte) 0xAF};
    StringBuilder sb = new StringBuilder();
    GoJson.appendQuoted(sb, bad, 0, bad.length);
    assertThat(sb.toString()).isEqualTo("\"" + "\\ufffd".repeat(2) + "a" + "\\ufffd".repeat(6) + "\"");
    // a real U+FFFD in valid UTF-8 is kept as the character
    StringBuilder real = new StringBuilder();
    byte[] ok = "\ufffd".getBytes(StandardCharsets.UTF_8);
    GoJson.appendQuoted(real, ok, 0, ok.length);
    assertThat(real.toString()).isEqualTo("\"\ufffd\"");
  }

  private static String quoted(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder();
    GoJson.appendQuoted(sb, b, 0, b.length);
    StringBuilder viaString = new StringBuilder();
    GoJson.appendQuoted(viaString, s);
    assertThat(viaString.toString()).isEqualTo(sb.toString());
    return sb.toString();
  }

  @Test
  void goQuote() {
    assertThat(GoJson.goQuote("abc")).isEqualTo("\"abc\"");
    assertThat(GoJson.goQuote("a\"b\n\u0001")).isEqualTo("\"a\\\"b\\n\\x01\"");
  }
}
