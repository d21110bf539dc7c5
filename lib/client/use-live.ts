'use client';

import { useEffect, useRef, useState } from 'react';
import type { LiveEvent, LiveEventPayloads, LiveRoom } from '../live/rooms';
import { joinLiveRoom, type LiveState } from './live-socket';

export type { LiveState };

export type LiveHandlers = { [E in LiveEvent]?: (payload: LiveEventPayloads[E]) => void };

/**
 * Keeps a page live: joins `room` on the console channel while mounted (and `enabled`) and calls
 * the handler of each event it receives there, typically `setQueryData` or `invalidateQueries`.
 * Every live page of the console goes through this hook, on one socket per page. Returns the
 * room's state, so a page says "not live" only once a connection was lost or refused, never
 * while the first one is still being made.
 */
export function useLive(room: LiveRoom, handlers: LiveHandlers, enabled = true): LiveState {
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  const [live, setLive] = useState<LiveState>('connecting');
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
      setLive('connecting');
    };
  }, [room, enabled, events]);
  return live;
}
