'use client';

import { useEffect, useRef, useState } from 'react';
import type { LiveEvent, LiveEventPayloads, LiveRoom } from '../live/rooms';
import { joinLiveRoom } from './live-socket';

export type LiveHandlers = { [E in LiveEvent]?: (payload: LiveEventPayloads[E]) => void };

/**
 * Keeps a page live: joins `room` on the console channel while mounted (and `enabled`) and calls
 * the handler of each event it receives there, typically `setQueryData` or `invalidateQueries`.
 * Every live page of the console goes through this hook, on one socket per page. Returns whether
 * the room is joined, so a page can say when it is not live.
 */
export function useLive(room: LiveRoom, handlers: LiveHandlers, enabled = true): boolean {
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  const [live, setLive] = useState(false);
  const events = (Object.keys(handlers) as LiveEvent[]).sort().join(',');
  useEffect(() => {
    if (!enabled) return;
    const { socket, leave } = joinLiveRoom(room, setLive);
    const listeners = (events.split(',').filter(Boolean) as LiveEvent[]).map((event) => {
      const listener = (payload: unknown) => (latest.current[event] as ((payload: unknown) => void) | undefined)?.(payload);
      socket.on(event, listener);
      return () => void socket.off(event, listener);
    });
    return () => {
      listeners.forEach((off) => off());
      leave();
      setLive(false);
    };
  }, [room, enabled, events]);
  return live;
}
