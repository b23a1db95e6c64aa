/**
 * Calls `onStop` on the first SIGTERM or SIGINT; a second one exits at once (128 + its number).
 *
 * The listeners stay registered, never `process.once`: execa's signal-exit, loaded while a
 * subprocess runs (tmux, git), re-sends a signal to the process when it finds no listener but
 * its own, and a `once` listener is already removed when signal-exit looks — so the process
 * died by the re-sent signal in the middle of its graceful stop.
 */
export function onStopSignal(onStop: (signal: NodeJS.Signals) => void): () => void {
  let stopping = false;
  const listener = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(signalExitCode(signal));
    stopping = true;
    onStop(signal);
  };
  process.on("SIGTERM", listener);
  process.on("SIGINT", listener);
  return () => {
    process.off("SIGTERM", listener);
    process.off("SIGINT", listener);
  };
}

/** The exit status of a process ended by a stop signal: 128 + its number (130, 143). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (signal === "SIGINT" ? 2 : 15);
}
