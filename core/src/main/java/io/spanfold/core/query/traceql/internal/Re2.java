package io.spanfold.core.query.traceql.internal;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Internal, unstable: TraceQL regexes (RE2 syntax in Tempo) on {@link java.util.regex}. Matching is fully anchored and
 * {@code .} matches newlines, as Prometheus' matcher that Tempo uses. The RE2 subset is accepted: {@code (?P<name>…)}
 * is translated, POSIX classes {@code [[:alpha:]]} are translated; constructs RE2 rejects (backreferences, lookaround,
 * atomic groups, possessive quantifiers) are rejected here too.
 */
public final class Re2 {
  private Re2() {}

  /** Compiles a TraceQL regex; throws {@link PatternSyntaxException} on a pattern RE2 would not accept. */
  public static Pattern compile(String re2) {
    return Pattern.compile(translate(re2), Pattern.DOTALL);
  }

  static String translate(String re) {
    StringBuilder out = new StringBuilder(re.length() + 8);
    boolean inClass = false;
    for (int i = 0; i < re.length(); i++) {
      char c = re.charAt(i);
      if (c == '\\') {
        if (i + 1 >= re.length()) {
          throw new PatternSyntaxException("trailing backslash at end of expression", re, i);
        }
        char n = re.charAt(i + 1);
        if (n >= '1' && n <= '9' || n == 'k' || n == 'Z' || n == 'G' || n == 'R' || n == 'X' || n == 'h' || n == 'H'
            || n == 'V') {
          throw new PatternSyntaxException("invalid escape sequence: \\" + n, re, i);
        }
        out.append(c).append(n);
        i++;
        continue;
      }
      if (inClass) {
        if (c == '[' && re.startsWith("[:", i)) {
          int end = re.indexOf(":]", i + 2);
          if (end > 0) {
            String name = re.substring(i + 2, end);
            boolean neg = name.startsWith("^");
            String bare = neg ? name.substring(1) : name;
            if (bare.equals("word")) {
              out.append(neg ? "\\W" : "\\w");
              i = end + 1;
              continue;
            }
            String cls = posix(bare);
            if (cls == null) {
              throw new PatternSyntaxException("invalid character class range: [:" + name + ":]", re, i);
            }
            out.append(neg ? "\\P{" : "\\p{").append(cls).append('}');
            i = end + 1;
            continue;
          }
        }
        if (c == '[') {
          out.append("\\["); // a literal '[' in an RE2 class; Java would start a nested class
          continue;
        }
        if (c == '&' && i + 1 < re.length() && re.charAt(i + 1) == '&') {
          out.append("&\\&"); // Java class intersection is not RE2
          i++;
          continue;
        }
        if (c == ']') {
          inClass = false;
        }
        out.append(c);
        continue;
      }
      if (c == '[') {
        inClass = true;
        out.append(c);
        // a ']' right after '[' or '[^' is a literal in RE2 (and Java)
        if (i + 1 < re.length() && re.charAt(i + 1) == '^') {
          out.append('^');
          i++;
        }
        if (i + 1 < re.length() && re.charAt(i + 1) == ']') {
          out.append("\\]");
          i++;
        }
        continue;
      }
      if (c == '(' && re.startsWith("(?", i)) {
        if (re.startsWith("(?P<", i)) {
          out.append("(?<");
          i += 3;
          continue;
        }
        if (re.startsWith("(?=", i) || re.startsWith("(?!", i) || re.startsWith("(?<", i) || re.startsWith("(?>", i)) {
          throw new PatternSyntaxException("invalid or unsupported Perl syntax", re, i);
        }
      }
      if (c == '+' && i > 0 && isQuantifierEnd(re, i - 1)) {
        throw new PatternSyntaxException("invalid nested repetition operator", re, i);
      }
      out.append(c);
    }
    return out.toString();
  }

  private static boolean isQuantifierEnd(String re, int i) {
    char p = re.charAt(i);
    boolean escaped = i > 0 && re.charAt(i - 1) == '\\';
    return !escaped && (p == '*' || p == '+' || p == '?' || p == '}');
  }

  private static String posix(String name) {
    switch (name) {
      case "alnum":
        return "Alnum";
      case "alpha":
        return "Alpha";
      case "ascii":
        return "ASCII";
      case "blank":
        return "Blank";
      case "cntrl":
        return "Cntrl";
      case "digit":
        return "Digit";
      case "graph":
        return "Graph";
      case "lower":
        return "Lower";
      case "print":
        return "Print";
      case "punct":
        return "Punct";
      case "space":
        return "Space";
      case "upper":
        return "Upper";
      case "xdigit":
        return "XDigit";
      default:
        return null;
    }
  }
}
