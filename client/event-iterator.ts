// Events as an async iterator: `for await (const e of client.events({ jobs: ['web'] }))`. It
// listens from the moment it is created (nothing between the subscribe and the first next() is
// missed), ends when the client closes, and stops listening when the loop breaks.

import { ErrorCode, ProcdError } from '../shared/errors.js';
import type { ProcdEvent } from '../shared/events.js';

/** Events a consumer may fall behind before the iterator fails instead of growing without bound. */
export const MAX_QUEUED_EVENTS = 100_000;

export interface EventSource {
  onEvent(listener: (event: ProcdEvent) => void): () => void;
  onClose(listener: (err: Error | null) => void): () => void;
}

export function eventIterator(source: EventSource, subscribed: Promise<unknown>): AsyncIterableIterator<ProcdEvent> {
  // A queue with a head index: shift() on a long backlog would make catching up quadratic.
  let queue: ProcdEvent[] = [];
  let head = 0;
  const queued = () => queue.length - head;
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const stop = (err: Error | null) => {
    if (ended) return;
    ended = true;
    failure ??= err;
    offEvent();
    offClose();
    wake?.();
  };
  const offEvent = source.onEvent((event) => {
    if (ended) return;
    if (queued() >= MAX_QUEUED_EVENTS) {
      return stop(new ProcdError(ErrorCode.Timeout, `the events consumer fell ${queued()} events behind; iterate faster or subscribe with a narrower filter`, { queued: queued() }));
    }
    queue.push(event);
    wake?.();
  });
  const offClose = source.onClose((err) => stop(err));
  const ready = subscribed.then(
    () => undefined,
    (err: unknown) => stop(err instanceof Error ? err : new Error(String(err))),
  );

  const iterator: AsyncIterableIterator<ProcdEvent> = {
    [Symbol.asyncIterator]: () => iterator,
    async next(): Promise<IteratorResult<ProcdEvent, undefined>> {
      await ready;
      while (queued() === 0 && !ended) await new Promise<void>((r) => (wake = r));
      wake = null;
      if (queued() > 0) {
        const event = queue[head++]!;
        if (head > 1024 && head * 2 > queue.length) {
          queue = queue.slice(head);
          head = 0;
        }
        return { value: event, done: false };
      }
      if (failure) {
        const err = failure;
        failure = null;
        throw err;
      }
      return { value: undefined, done: true };
    },
    async return(): Promise<IteratorResult<ProcdEvent, undefined>> {
      stop(null);
      queue = [];
      head = 0;
      return { value: undefined, done: true };
    },
  };
  return iterator;
}
