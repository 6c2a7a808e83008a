package io.spanfold.bench.load;

/** How a request ended, grouped as the report counts them. */
public enum Outcome {
  /** HTTP 200 / gRPC OK. */
  OK("200"),
  /** HTTP 429 / gRPC RESOURCE_EXHAUSTED: the server pushed back. */
  RATE_LIMITED("429"),
  /** HTTP 503 / gRPC UNAVAILABLE: the server pushed back or is stopping. */
  UNAVAILABLE("503"),
  /** Any other 4xx / a gRPC status that blames the request (INVALID_ARGUMENT, …). */
  CLIENT_ERROR("4xx"),
  /** Any other status. */
  OTHER_STATUS("other"),
  /** No status: connection refused or reset, timeout, I/O error. */
  ERROR("errors");

  final String label;

  Outcome(String label) {
    this.label = label;
  }

  static Outcome ofHttp(int status) {
    if (status == 200) {
      return OK;
    }
    if (status == 429) {
      return RATE_LIMITED;
    }
    if (status == 503) {
      return UNAVAILABLE;
    }
    if (status >= 400 && status < 500) {
      return CLIENT_ERROR;
    }
    return OTHER_STATUS;
  }
}
