package io.spanfold.otlp.query;

/**
 * The server's lifecycle as {@code GET /ready} reports it: {@link State#STARTING} until every receiver is listening,
 * then {@link State#READY}, then {@link State#STOPPING} from the moment a stop begins. Thread-safe.
 */
public final class Readiness {
  /** Lifecycle states. */
  public enum State {
    STARTING,
    READY,
    STOPPING
  }

  private volatile State state = State.STARTING;

  public State state() {
    return state;
  }

  /** Receivers are up. Ignored once stopping. */
  public void ready() {
    if (state == State.STARTING) {
      state = State.READY;
    }
  }

  public void stopping() {
    state = State.STOPPING;
  }
}
