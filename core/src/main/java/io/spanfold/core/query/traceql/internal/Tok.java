package io.spanfold.core.query.traceql.internal;

import java.util.HashMap;
import java.util.Map;

/** Internal, unstable: TraceQL token types; {@link #text} is how Tempo's parser names them in error messages. */
public enum Tok {
  EOF("$end"),
  IDENTIFIER("IDENTIFIER"),
  STRING("STRING"),
  INTEGER("INTEGER"),
  FLOAT("FLOAT"),
  DURATION("DURATION"),
  END_ATTRIBUTE("END_ATTRIBUTE"),
  COMMA(","),
  DOT("."),
  OPEN_BRACE("{"),
  CLOSE_BRACE("}"),
  OPEN_PARENS("("),
  CLOSE_PARENS(")"),
  EQ("="),
  NEQ("!="),
  RE("=~"),
  NRE("!~"),
  GT(">"),
  GTE(">="),
  LT("<"),
  LTE("<="),
  ADD("+"),
  SUB("-"),
  DIV("/"),
  MOD("%"),
  MUL("*"),
  POW("^"),
  TRUE("true"),
  FALSE("false"),
  NIL("nil"),
  STATUS_OK("ok"),
  STATUS_ERROR("error"),
  STATUS_UNSET("unset"),
  KIND_UNSPECIFIED("unspecified"),
  KIND_INTERNAL("internal"),
  KIND_SERVER("server"),
  KIND_CLIENT("client"),
  KIND_PRODUCER("producer"),
  KIND_CONSUMER("consumer"),
  AND("&&"),
  OR("||"),
  NOT("!"),
  PIPE("|"),
  DESC(">>"),
  ANCE("<<"),
  SIBL("~"),
  NOT_CHILD("!>"),
  NOT_PARENT("!<"),
  NOT_DESC("!>>"),
  NOT_ANCE("!<<"),
  UNION_SIBL("&~"),
  UNION_CHILD("&>"),
  UNION_PARENT("&<"),
  UNION_DESC("&>>"),
  UNION_ANCE("&<<"),
  IDURATION("duration"),
  CHILDCOUNT("childCount"),
  NAME("name"),
  STATUS("status"),
  STATUS_MESSAGE("statusMessage"),
  KIND("kind"),
  ROOTNAME("rootName"),
  ROOTSERVICENAME("rootServiceName"),
  ROOTSERVICE("rootService"),
  TRACEDURATION("traceDuration"),
  NESTEDSETLEFT("nestedSetLeft"),
  NESTEDSETRIGHT("nestedSetRight"),
  NESTEDSETPARENT("nestedSetParent"),
  ID("id"),
  TRACE_ID("traceID"),
  SPAN_ID("spanID"),
  PARENT_ID("parentID"),
  TIMESINCESTART("timeSinceStart"),
  VERSION("version"),
  PARENT("parent"),
  PARENT_DOT("parent."),
  RESOURCE_DOT("resource."),
  SPAN_DOT("span."),
  TRACE_COLON("trace:"),
  SPAN_COLON("span:"),
  EVENT_COLON("event:"),
  LINK_COLON("link:"),
  INSTRUMENTATION_COLON("instrumentation:"),
  EVENT_DOT("event."),
  LINK_DOT("link."),
  INSTRUMENTATION_DOT("instrumentation."),
  COUNT("count"),
  AVG("avg"),
  MAX("max"),
  MIN("min"),
  SUM("sum"),
  BY("by"),
  COALESCE("coalesce"),
  SELECT("select"),
  RATE("rate"),
  COUNT_OVER_TIME("count_over_time"),
  MIN_OVER_TIME("min_over_time"),
  MAX_OVER_TIME("max_over_time"),
  AVG_OVER_TIME("avg_over_time"),
  SUM_OVER_TIME("sum_over_time"),
  QUANTILE_OVER_TIME("quantile_over_time"),
  HISTOGRAM_OVER_TIME("histogram_over_time"),
  COMPARE("compare"),
  TOPK("topk"),
  BOTTOMK("bottomk"),
  WITH("with");

  final String text;

  Tok(String text) {
    this.text = text;
  }

  private static final Map<String, Tok> BY_TEXT = new HashMap<>();

  static {
    for (Tok t : values()) {
      if (t.ordinal() > END_ATTRIBUTE.ordinal()) {
        BY_TEXT.put(t.text, t);
      }
    }
  }

  /** The fixed token spelled {@code s}, or null. */
  static Tok forText(String s) {
    return BY_TEXT.get(s);
  }

  boolean startsAttribute() {
    return this == DOT
        || this == RESOURCE_DOT
        || this == SPAN_DOT
        || this == PARENT_DOT
        || this == EVENT_DOT
        || this == LINK_DOT
        || this == INSTRUMENTATION_DOT;
  }
}
