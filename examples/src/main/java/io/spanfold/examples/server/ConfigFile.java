package io.spanfold.examples.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server's {@code --config.file}: a YAML file with Tempo's key names for what spanfold supports, so a Tempo
 * {@code tempo.yaml} mostly carries over. The file is translated into the equivalent command-line flags
 * ({@link #args()}), which the server puts <em>before</em> its own command line: a flag given on the command line wins
 * over the file.
 *
 * <p>Keys are checked strictly: a key spanfold does not know at all (a typo) is an error naming its path with a "did
 * you mean" suggestion; a Tempo key spanfold knows but does not implement (the microservice parts: {@code ingester},
 * {@code querier}, {@code memberlist}, object-store backends, …) is a {@linkplain #warnings() warning}; a bad value is
 * an error naming the key's path ({@code compactor.compaction.block_retention: invalid duration "7x"}).
 */
public final class ConfigFile {
  private final List<String> args;
  private final List<String> warnings;

  private ConfigFile(List<String> args, List<String> warnings) {
    this.args = List.copyOf(args);
    this.warnings = List.copyOf(warnings);
  }

  /** A bad config file; the message names the file and the key path. */
  public static final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    ConfigException(String message) {
      super(message);
    }
  }

  /** The flags equivalent to the file, in file order. */
  public List<String> args() {
    return args;
  }

  /** Known Tempo settings spanfold ignores, one message each (log them at startup). */
  public List<String> warnings() {
    return warnings;
  }

  /** Reads and checks {@code file}. */
  public static ConfigFile load(Path file) throws ConfigException {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException("config file " + file + ": cannot read: " + e.getMessage());
    }
    return parse(text, file.toString());
  }

  /** Checks YAML {@code text}; {@code source} names it in messages. */
  public static ConfigFile parse(String text, String source) throws ConfigException {
    JsonNode root;
    try {
      root = new YAMLMapper().readTree(text);
    } catch (JsonProcessingException e) {
      throw new ConfigException("config file " + source + ": not valid YAML: " + e.getOriginalMessage()
          + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""));
    }
    Walk w = new Walk();
    if (root != null && !root.isNull() && !root.isMissingNode()) {
      if (!root.isObject()) {
        throw new ConfigException("config file " + source + ": expected a mapping of Tempo settings at the top");
      }
      try {
        w.section("", root);
        w.finish();
      } catch (IllegalArgumentException e) {
        throw new ConfigException("config file " + source + ": " + e.getMessage());
      }
    }
    return new ConfigFile(w.args, w.warnings);
  }

  // ------------------------------------------------------------------------------------------------ the key table

  /** What a key is: a section whose children are checked, a value mapped to flags, or a known-unsupported key. */
  private interface Rule {}

  private static final class Section implements Rule {}

  private static final class Unsupported implements Rule {
    final String why;

    Unsupported(String why) {
      this.why = why;
    }
  }

  @FunctionalInterface
  private interface Leaf extends Rule {
    void apply(Walk w, String path, JsonNode value);
  }

  private static final Map<String, Rule> RULES = new LinkedHashMap<>();

  private static void section(String path) {
    RULES.put(path, new Section());
  }

  private static void unsupported(String why, String... paths) {
    for (String p : paths) {
      RULES.put(p, new Unsupported(why));
    }
  }

  private static void leaf(String path, Leaf leaf) {
    RULES.put(path, leaf);
  }

  static {
    section("server");
    leaf("server.http_listen_port", (w, p, v) -> w.flag("http.port", Integer.toString(w.port(p, v))));
    leaf("server.http_listen_address", (w, p, v) -> w.host(p, w.string(p, v)));
    unsupported("spanfold serves no internal gRPC port", "server.grpc_listen_port", "server.grpc_listen_address");
    unsupported("spanfold logs through java.util.logging (configure it with -Djava.util.logging.config.file)",
        "server.log_level", "server.log_format");
    unsupported("not used by spanfold", "server.http_server_read_timeout", "server.http_server_write_timeout",
        "server.grpc_server_max_recv_msg_size", "server.grpc_server_max_send_msg_size");

    section("distributor");
    section("distributor.receivers");
    section("distributor.receivers.otlp");
    section("distributor.receivers.otlp.protocols");
    section("distributor.receivers.otlp.protocols.grpc");
    section("distributor.receivers.otlp.protocols.http");
    leaf("distributor.receivers.otlp.protocols.grpc.endpoint", (w, p, v) -> w.endpoint(p, v, "otlp.grpc.port"));
    leaf("distributor.receivers.otlp.protocols.grpc.max_recv_msg_size_mib",
        (w, p, v) -> w.flag("otlp.grpc.max-recv-msg-size-mib", Integer.toString(w.positiveInt(p, v))));
    leaf("distributor.receivers.otlp.protocols.http.endpoint", (w, p, v) -> w.endpoint(p, v, "otlp.http.port"));
    unsupported("spanfold receives OTLP only", "distributor.receivers.jaeger", "distributor.receivers.zipkin",
        "distributor.receivers.opencensus", "distributor.receivers.kafka");
    unsupported("TLS and auth are set by spanfold's own flags (see --help)",
        "distributor.receivers.otlp.protocols.grpc.tls", "distributor.receivers.otlp.protocols.http.tls",
        "distributor.receivers.otlp.protocols.http.cors");
    unsupported("not used by spanfold", "distributor.ring", "distributor.log_received_spans",
        "distributor.log_discarded_spans", "distributor.retry_after_on_resource_exhausted");

    section("storage");
    section("storage.trace");
    leaf("storage.trace.backend", (w, p, v) -> {
      String b = w.string(p, v);
      if (!b.equals("local")) {
        w.warn(p, "backend \"" + b + "\" is not supported: spanfold stores blocks on the local disk"
            + " (storage.trace.local.path)");
      }
    });
    section("storage.trace.local");
    leaf("storage.trace.local.path", (w, p, v) -> {
      w.localPath = w.string(p, v);
      w.flag("data.dir", w.localPath);
    });
    section("storage.trace.wal");
    leaf("storage.trace.wal.path", (w, p, v) -> w.walPath = w.string(p, v));
    unsupported("spanfold stores blocks on the local disk only", "storage.trace.s3", "storage.trace.gcs",
        "storage.trace.azure");
    unsupported("not used by spanfold (blocks, pools and caches are managed by the span store)",
        "storage.trace.pool", "storage.trace.block", "storage.trace.search", "storage.trace.cache",
        "storage.trace.blocklist_poll", "storage.trace.background_cache", "storage.trace.wal.v2_encoding",
        "storage.trace.wal.search_encoding");

    section("compactor");
    section("compactor.compaction");
    leaf("compactor.compaction.block_retention",
        (w, p, v) -> w.flag("storage.retention", millis(w.duration(p, v))));
    unsupported("spanfold compacts each block once, when it is completed", "compactor.compaction.compacted_block_retention",
        "compactor.compaction.compaction_window", "compactor.compaction.max_block_bytes",
        "compactor.compaction.max_compaction_objects", "compactor.compaction.retention_concurrency",
        "compactor.compaction.compaction_cycle", "compactor.ring", "compactor.disabled");

    section("ingester");
    leaf("ingester.max_block_duration",
        (w, p, v) -> w.flag("storage.block-duration", millis(w.duration(p, v))));
    unsupported("spanfold cuts blocks by time and size itself", "ingester.max_block_bytes",
        "ingester.trace_idle_period", "ingester.complete_block_timeout", "ingester.flush_check_period");
    unsupported("spanfold runs as one process: there is no ring", "ingester.lifecycler");

    section("metrics_generator");
    section("metrics_generator.processor");
    section("metrics_generator.processor.span_metrics");
    leaf("metrics_generator.processor.span_metrics.dimensions",
        (w, p, v) -> w.flag("span-metrics.dimensions", String.join(",", w.strings(p, v))));
    leaf("metrics_generator.processor.span_metrics.intrinsic_dimensions", (w, p, v) -> {
      if (!v.isObject()) {
        throw new IllegalArgumentException(p + ": expected a mapping of intrinsic dimension to true/false");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String name = e.getKey();
        String cp = p + "." + name;
        if (!List.of("service", "span_name", "span_kind", "status_code", "status_message").contains(name)) {
          throw new IllegalArgumentException(cp + ": unknown intrinsic dimension" + didYouMean(name,
              List.of("service", "span_name", "span_kind", "status_code", "status_message")));
        }
        w.flag("span-metrics.intrinsic-dimension", name + "=" + w.bool(cp, e.getValue()));
      }
    });
    leaf("metrics_generator.processor.span_metrics.histogram_buckets",
        (w, p, v) -> w.flag("span-metrics.histogram-buckets", w.buckets(p, v)));
    unsupported("not implemented by spanfold's span-metrics", "metrics_generator.processor.span_metrics.dimension_mappings",
        "metrics_generator.processor.span_metrics.filter_policies",
        "metrics_generator.processor.span_metrics.enable_target_info",
        "metrics_generator.processor.span_metrics.span_multiplier_key",
        "metrics_generator.processor.span_metrics.subprocessors",
        "metrics_generator.processor.span_metrics.target_info_excluded_dimensions");
    section("metrics_generator.processor.service_graphs");
    leaf("metrics_generator.processor.service_graphs.max_items",
        (w, p, v) -> w.flag("service-graph.max-items", Integer.toString(w.positiveInt(p, v))));
    leaf("metrics_generator.processor.service_graphs.wait",
        (w, p, v) -> w.flag("service-graph.wait", millis(w.duration(p, v))));
    leaf("metrics_generator.processor.service_graphs.dimensions",
        (w, p, v) -> w.flag("service-graph.dimensions", String.join(",", w.strings(p, v))));
    leaf("metrics_generator.processor.service_graphs.peer_attributes",
        (w, p, v) -> w.flag("service-graph.peer-attributes", String.join(",", w.strings(p, v))));
    leaf("metrics_generator.processor.service_graphs.histogram_buckets",
        (w, p, v) -> w.flag("service-graph.histogram-buckets", w.buckets(p, v)));
    unsupported("not implemented by spanfold's service graph", "metrics_generator.processor.service_graphs.workers",
        "metrics_generator.processor.service_graphs.enable_client_server_prefix",
        "metrics_generator.processor.service_graphs.enable_messaging_system_latency_histogram",
        "metrics_generator.processor.service_graphs.enable_virtual_node_label",
        "metrics_generator.processor.service_graphs.database_name_attributes");
    unsupported("TraceQL metrics (local-blocks) are not supported", "metrics_generator.processor.local_blocks");
    section("metrics_generator.registry");
    leaf("metrics_generator.registry.collection_interval",
        (w, p, v) -> w.flag("remote-write.interval", millis(w.duration(p, v))));
    leaf("metrics_generator.registry.stale_duration", (w, p, v) -> {
      String d = millis(w.duration(p, v));
      w.flag("span-metrics.stale-duration", d);
      w.flag("service-graph.stale-duration", d);
    });
    leaf("metrics_generator.registry.external_labels", (w, p, v) -> {
      if (!v.isObject()) {
        throw new IllegalArgumentException(p + ": expected a mapping of label name to value");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getKey().matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
          throw new IllegalArgumentException(p + "." + e.getKey() + ": invalid label name");
        }
        w.flag("remote-write.external-label", e.getKey() + "=" + w.string(p + "." + e.getKey(), e.getValue()));
      }
    });
    unsupported("not implemented by spanfold", "metrics_generator.registry.inject_tenant_id_as",
        "metrics_generator.registry.max_label_name_length", "metrics_generator.registry.max_label_value_length",
        "metrics_generator.registry.disable_collection");
    section("metrics_generator.storage");
    leaf("metrics_generator.storage.remote_write", ConfigFile::remoteWrite);
    unsupported("spanfold keeps its remote-write queue in memory (no Prometheus agent WAL)",
        "metrics_generator.storage.path", "metrics_generator.storage.wal");
    unsupported("not implemented by spanfold", "metrics_generator.storage.remote_write_flush_deadline",
        "metrics_generator.storage.remote_write_add_org_id_header");
    leaf("metrics_generator.metrics_ingestion_time_range_slack",
        (w, p, v) -> w.flag("span-metrics.ingestion-slack", millis(w.duration(p, v))));
    unsupported("spanfold runs as one process: there is no ring", "metrics_generator.ring");
    unsupported("TraceQL metrics (local-blocks) are not supported", "metrics_generator.traces_storage",
        "metrics_generator.traces_query_storage");

    section("overrides");
    section("overrides.defaults");
    section("overrides.defaults.metrics_generator");
    leaf("overrides.defaults.metrics_generator.processors", ConfigFile::processors);
    leaf("overrides.metrics_generator_processors", ConfigFile::processors);
    leaf("overrides.defaults.metrics_generator.max_active_series",
        (w, p, v) -> w.flag("span-metrics.max-active-series", Integer.toString(w.nonNegativeInt(p, v))));
    unsupported("spanfold exports classic histograms only", "overrides.defaults.metrics_generator.generate_native_histograms");
    unsupported("not implemented by spanfold", "overrides.defaults.metrics_generator.collection_interval",
        "overrides.defaults.metrics_generator.processor", "overrides.defaults.metrics_generator.ingestion_time_range_slack",
        "overrides.defaults.metrics_generator.trace_id_label_name");
    section("overrides.defaults.ingestion");
    leaf("overrides.defaults.ingestion.rate_limit_bytes",
        (w, p, v) -> w.flag("ingestion.rate-limit-bytes", Long.toString(w.nonNegativeLong(p, v))));
    leaf("overrides.defaults.ingestion.burst_size_bytes", (w, p, v) -> {
      long n = w.nonNegativeLong(p, v);
      if (n == 0) {
        throw new IllegalArgumentException(p + ": invalid value 0 (expected a number > 0)");
      }
      w.flag("ingestion.burst-size-bytes", Long.toString(n));
    });
    leaf("overrides.defaults.ingestion.max_traces_per_user",
        (w, p, v) -> w.flag("ingestion.max-traces-per-user", Integer.toString(w.nonNegativeInt(p, v))));
    leaf("overrides.defaults.ingestion.max_attribute_bytes",
        (w, p, v) -> w.flag("ingestion.max-attribute-bytes", Integer.toString(w.nonNegativeInt(p, v))));
    unsupported("not implemented by spanfold", "overrides.defaults.ingestion.rate_strategy",
        "overrides.defaults.ingestion.tenant_shard_size", "overrides.defaults.ingestion.retry_info_enabled");
    section("overrides.defaults.global");
    leaf("overrides.defaults.global.max_bytes_per_trace",
        (w, p, v) -> w.flag("ingestion.max-bytes-per-trace", Long.toString(w.nonNegativeLong(p, v))));
    leaf("multitenancy_enabled", (w, p, v) -> w.flag("multitenancy.enabled", Boolean.toString(w.bool(p, v))));
    unsupported("not implemented by spanfold", "overrides.defaults.read", "overrides.defaults.storage",
        "overrides.defaults.forwarders", "overrides.defaults.cost_attribution", "overrides.per_tenant_override_config",
        "overrides.per_tenant_override_period", "overrides.user_configurable_overrides");

    unsupported("spanfold runs as one process; these Tempo components have no counterpart", "ingester_client",
        "querier", "query_frontend", "memberlist", "frontend_worker", "live_store", "block_builder", "backend_scheduler",
        "backend_worker", "generator_client", "ingest", "cache");
    unsupported("not implemented by spanfold (see the README, Replacing Tempo)", "target",
        "stream_over_http_enabled", "usage_report", "http_api_prefix", "use_otel_tracer", "autocomplete_filtering_enabled");
  }

  /** {@code metrics_generator.storage.remote_write}: a list of Prometheus remote-write blocks; spanfold uses one. */
  private static void remoteWrite(Walk w, String p, JsonNode v) {
    if (v.isNull()) {
      return;
    }
    if (!v.isArray()) {
      throw new IllegalArgumentException(p + ": expected a list of remote-write endpoints ([{url: ...}])");
    }
    for (int i = 0; i < v.size(); i++) {
      String ip = p + "[" + i + "]";
      JsonNode item = v.get(i);
      if (!item.isObject()) {
        throw new IllegalArgumentException(ip + ": expected a mapping with url");
      }
      if (i > 0) {
        w.warn(ip, "spanfold remote-writes to one endpoint: only " + p + "[0] is used");
        continue;
      }
      if (!item.has("url")) {
        throw new IllegalArgumentException(ip + ".url: missing");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = item.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String kp = ip + "." + e.getKey();
        JsonNode ev = e.getValue();
        switch (e.getKey()) {
          case "url":
            {
              String url = w.string(kp, ev);
              if (!url.startsWith("http://") && !url.startsWith("https://")) {
                throw new IllegalArgumentException(kp + ": invalid URL \"" + url + "\" (expected http:// or https://)");
              }
              w.flag("remote-write.url", url);
            }
            break;
          case "send_exemplars":
            w.flag("remote-write.send-exemplars", Boolean.toString(w.bool(kp, ev)));
            break;
          case "headers":
            if (!ev.isObject()) {
              throw new IllegalArgumentException(kp + ": expected a mapping of header name to value");
            }
            for (Iterator<Map.Entry<String, JsonNode>> h = ev.fields(); h.hasNext(); ) {
              Map.Entry<String, JsonNode> he = h.next();
              w.flag("remote-write.header", he.getKey() + "=" + w.string(kp + "." + he.getKey(), he.getValue()));
            }
            break;
          case "basic_auth":
            {
              String user = w.string(kp + ".username", ev.path("username"));
              String pass = w.string(kp + ".password", ev.path("password"));
              w.flag("remote-write.basic-auth", user + ":" + pass);
            }
            break;
          case "bearer_token":
            w.flag("remote-write.bearer-token", w.string(kp, ev));
            break;
          case "authorization":
            w.flag("remote-write.bearer-token", w.string(kp + ".credentials", ev.path("credentials")));
            break;
          case "name":
            break;
          case "remote_timeout":
          case "queue_config":
          case "metadata_config":
          case "tls_config":
          case "proxy_url":
          case "write_relabel_configs":
          case "follow_redirects":
          case "enable_http2":
          case "oauth2":
          case "sigv4":
          case "azuread":
          case "send_native_histograms":
          case "round_robin_dns":
            w.warn(kp, "not implemented by spanfold's remote write");
            break;
          default:
            throw new IllegalArgumentException(kp + ": unknown key" + didYouMean(e.getKey(), List.of("url",
                "send_exemplars", "headers", "basic_auth", "bearer_token", "authorization", "name")));
        }
      }
    }
  }

  /** {@code overrides...processors}: spanfold always runs span-metrics and service-graphs; local-blocks is absent. */
  private static void processors(Walk w, String p, JsonNode v) {
    for (String proc : w.strings(p, v)) {
      switch (proc) {
        case "span-metrics":
        case "service-graphs":
          break;
        case "span-metrics-count":
        case "span-metrics-latency":
        case "span-metrics-size":
          w.warn(p, proc + ": spanfold always computes all span-metrics");
          break;
        case "local-blocks":
          w.warn(p, "local-blocks: TraceQL metrics are not supported by spanfold");
          break;
        default:
          throw new IllegalArgumentException(p + ": unknown processor \"" + proc + "\"" + didYouMean(proc,
              List.of("span-metrics", "service-graphs", "local-blocks")));
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ walking

  /** One pass over the file: collects flags and warnings; value errors are IllegalArgumentExceptions. */
  private static final class Walk {
    final List<String> args = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();
    String host;
    String hostPath;
    String localPath;
    String walPath;

    void section(String path, JsonNode node) {
      if (node.isNull()) {
        return; // "http:" with nothing under it: the defaults
      }
      if (!node.isObject()) {
        throw new IllegalArgumentException((path.isEmpty() ? "top level" : path) + ": expected a mapping");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        Rule r = RULES.get(p);
        if (r == null) {
          throw new IllegalArgumentException(p + ": unknown key" + didYouMean(e.getKey(), children(path)));
        } else if (r instanceof Section) {
          section(p, e.getValue());
        } else if (r instanceof Unsupported) {
          warn(p, ((Unsupported) r).why);
        } else {
          ((Leaf) r).apply(this, p, e.getValue());
        }
      }
    }

    void finish() {
      if (walPath != null && (localPath == null || !samePlace(walPath, localPath))) {
        warn("storage.trace.wal.path", "spanfold keeps its write-ahead log inside each head block of"
            + " storage.trace.local.path; \"" + walPath + "\" is not used");
      }
    }

    /** The WAL path is "the same dir" when it is the local path or a directory inside it. */
    private static boolean samePlace(String wal, String local) {
      Path w = Path.of(wal).normalize();
      Path l = Path.of(local).normalize();
      return w.startsWith(l);
    }

    void flag(String name, String value) {
      args.add("--" + name + "=" + value);
    }

    void warn(String path, String why) {
      warnings.add(path + ": ignored: " + why);
    }

    void host(String path, String h) {
      if (host == null) {
        host = h;
        hostPath = path;
        flag("bind", h);
      } else if (!host.equals(h)) {
        warn(path, "spanfold binds every port on one address; " + hostPath + " (\"" + host + "\") is used");
      }
    }

    /** {@code host:port}, {@code :port} or {@code port}. */
    void endpoint(String path, JsonNode v, String portFlag) {
      String s = string(path, v);
      int colon = s.lastIndexOf(':');
      String portText = colon < 0 ? s : s.substring(colon + 1);
      int port;
      try {
        port = Integer.parseInt(portText);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(path + ": invalid endpoint \"" + s + "\" (expected host:port)");
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(path + ": invalid endpoint \"" + s + "\" (port out of range 0-65535)");
      }
      if (colon > 0) {
        String h = s.substring(0, colon);
        if (h.startsWith("[") && h.endsWith("]")) {
          h = h.substring(1, h.length() - 1);
        }
        host(path, h.equals("localhost") ? "127.0.0.1" : h);
      }
      flag(portFlag, Integer.toString(port));
    }

    String string(String path, JsonNode v) {
      if (v == null || v.isMissingNode() || v.isNull()) {
        throw new IllegalArgumentException(path + ": missing value");
      }
      if (!v.isValueNode()) {
        throw new IllegalArgumentException(path + ": expected a single value");
      }
      return v.asText();
    }

    List<String> strings(String path, JsonNode v) {
      if (!v.isArray()) {
        throw new IllegalArgumentException(path + ": expected a list, e.g. [a, b]");
      }
      List<String> out = new ArrayList<>();
      for (int i = 0; i < v.size(); i++) {
        String s = string(path + "[" + i + "]", v.get(i));
        if (s.isEmpty() || s.contains(",")) {
          throw new IllegalArgumentException(path + "[" + i + "]: invalid name \"" + s + "\"");
        }
        out.add(s);
      }
      return out;
    }

    boolean bool(String path, JsonNode v) {
      if (v != null && v.isBoolean()) {
        return v.booleanValue();
      }
      String s = string(path, v);
      if (s.equals("true") || s.equals("false")) {
        return Boolean.parseBoolean(s);
      }
      throw new IllegalArgumentException(path + ": invalid boolean \"" + s + "\" (expected true or false)");
    }

    int port(String path, JsonNode v) {
      int p = integer(path, v);
      if (p < 0 || p > 65535) {
        throw new IllegalArgumentException(path + ": invalid port " + p + " (expected 0-65535)");
      }
      return p;
    }

    int positiveInt(String path, JsonNode v) {
      int n = integer(path, v);
      if (n <= 0) {
        throw new IllegalArgumentException(path + ": invalid value " + n + " (expected a number > 0)");
      }
      return n;
    }

    int nonNegativeInt(String path, JsonNode v) {
      int n = integer(path, v);
      if (n < 0) {
        throw new IllegalArgumentException(path + ": invalid value " + n + " (expected a number >= 0)");
      }
      return n;
    }

    long nonNegativeLong(String path, JsonNode v) {
      long n;
      if (v != null && v.isIntegralNumber() && v.canConvertToLong()) {
        n = v.longValue();
      } else {
        String s = string(path, v);
        try {
          n = Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(path + ": invalid number \"" + s + "\"");
        }
      }
      if (n < 0) {
        throw new IllegalArgumentException(path + ": invalid value " + n + " (expected a number >= 0)");
      }
      return n;
    }

    int integer(String path, JsonNode v) {
      if (v != null && v.isIntegralNumber() && v.canConvertToInt()) {
        return v.intValue();
      }
      String s = string(path, v);
      try {
        return Integer.parseInt(s.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(path + ": invalid number \"" + s + "\"");
      }
    }

    Duration duration(String path, JsonNode v) {
      String s = string(path, v);
      Duration d = GoDuration.parse(s);
      if (d == null) {
        throw new IllegalArgumentException(path + ": invalid duration \"" + s + "\" (expected e.g. 30s, 15m, 336h)");
      }
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(path + ": invalid duration \"" + s + "\" (expected a duration > 0)");
      }
      return d;
    }

    String buckets(String path, JsonNode v) {
      if (!v.isArray() || v.size() == 0) {
        throw new IllegalArgumentException(path + ": expected a list of bucket bounds in seconds, e.g. [0.1, 0.5, 1]");
      }
      StringBuilder sb = new StringBuilder();
      double last = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < v.size(); i++) {
        JsonNode b = v.get(i);
        if (!b.isNumber()) {
          throw new IllegalArgumentException(path + "[" + i + "]: invalid bucket \"" + b.asText() + "\" (expected a number)");
        }
        double x = b.doubleValue();
        if (!(x > last) || Double.isInfinite(x) || Double.isNaN(x)) {
          throw new IllegalArgumentException(path + "[" + i + "]: buckets must be finite and increasing");
        }
        last = x;
        sb.append(i == 0 ? "" : ",").append(x);
      }
      return sb.toString();
    }
  }

  private static String millis(Duration d) {
    return d.toMillis() + "ms";
  }

  private static List<String> children(String parent) {
    List<String> out = new ArrayList<>();
    String prefix = parent.isEmpty() ? "" : parent + ".";
    for (String k : RULES.keySet()) {
      if (k.startsWith(prefix) && k.indexOf('.', prefix.length()) < 0) {
        out.add(k.substring(prefix.length()));
      }
    }
    return out;
  }

  /** {@code " (did you mean X?)"} for the closest known key within a small edit distance, else "". */
  static String didYouMean(String key, List<String> known) {
    String best = null;
    int bestD = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(key, k);
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    }
    return best != null && bestD <= Math.max(2, key.length() / 3) ? " (did you mean " + best + "?)" : "";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** Go's {@code time.ParseDuration} units, plus {@code d} (days) as Tempo's config accepts: {@code 1h30m}, {@code 7d}. */
  static final class GoDuration {
    private GoDuration() {}

    /** The duration, or null when {@code s} is not one. */
    static Duration parse(String s) {
      String t = s.trim();
      if (t.isEmpty()) {
        return null;
      }
      if (t.equals("0")) {
        return Duration.ZERO;
      }
      long nanos = 0;
      int i = 0;
      while (i < t.length()) {
        int start = i;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
          i++;
        }
        if (i == start) {
          return null;
        }
        double n;
        try {
          n = Double.parseDouble(t.substring(start, i));
        } catch (NumberFormatException e) {
          return null;
        }
        int u = i;
        while (i < t.length() && !Character.isDigit(t.charAt(i)) && t.charAt(i) != '.') {
          i++;
        }
        double unit;
        switch (t.substring(u, i)) {
          case "ns":
            unit = 1;
            break;
          case "us":
          case "µs":
            unit = 1e3;
            break;
          case "ms":
            unit = 1e6;
            break;
          case "s":
            unit = 1e9;
            break;
          case "m":
            unit = 60e9;
            break;
          case "h":
            unit = 3600e9;
            break;
          case "d":
            unit = 86400e9;
            break;
          default:
            return null;
        }
        nanos += (long) (n * unit);
      }
      return Duration.ofNanos(nanos);
    }
  }
}
