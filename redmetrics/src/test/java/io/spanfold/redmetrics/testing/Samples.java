package io.spanfold.redmetrics.testing;

import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Finds samples in a collector's output by name and labels. */
public final class Samples {
  private final List<Sample> all = new ArrayList<>();

  public Samples(List<MetricFamilySamples> families) {
    for (MetricFamilySamples f : families) {
      all.addAll(f.samples);
    }
  }

  public static Samples of(Collector c) {
    return new Samples(c.collect());
  }

  public static Map<String, String> labels(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  public List<Sample> named(String name) {
    List<Sample> out = new ArrayList<>();
    for (Sample s : all) {
      if (s.name.equals(name)) {
        out.add(s);
      }
    }
    return out;
  }

  /** The one sample with exactly these labels; fails when absent or ambiguous. */
  public Sample get(String name, Map<String, String> labels) {
    Sample found = null;
    for (Sample s : named(name)) {
      Map<String, String> m = new LinkedHashMap<>();
      for (int i = 0; i < s.labelNames.size(); i++) {
        m.put(s.labelNames.get(i), s.labelValues.get(i));
      }
      if (m.equals(labels)) {
        if (found != null) {
          throw new AssertionError("two samples " + name + labels);
        }
        found = s;
      }
    }
    if (found == null) {
      throw new AssertionError("no sample " + name + labels + " in " + named(name));
    }
    return found;
  }

  public double value(String name, Map<String, String> labels) {
    return get(name, labels).value;
  }
}
