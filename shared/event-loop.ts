/** Resolves after the event loop has had a turn (I/O polled, timers run): setImmediate. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
