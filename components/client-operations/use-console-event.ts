'use client';

import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';

/** The console channel as a page tells it: still connecting at first, then live or lost. */
export type LiveState = 'connecting' | 'live' | 'lost';

/**
 * Calls `handler` with every `event` the console channel (/console) sends while mounted.
 * Returns the channel's state, so a page says "not live" only once a connection was lost or
 * refused, never while the first one is still being made.
 */
export function useConsoleEventState<T>(event: string, handler: (payload: T) => void): LiveState {
  const latest = useRef(handler);
  const [state, setState] = useState<LiveState>('connecting');
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => {
    const socket: Socket = io('/console', { transports: ['websocket', 'polling'] });
    socket.on('connect', () => setState('live'));
    socket.on('disconnect', () => setState('lost'));
    socket.on('connect_error', () => setState('lost'));
    socket.on(event, (payload: T) => latest.current(payload));
    return () => {
      socket.close();
    };
  }, [event]);
  return state;
}

/** useConsoleEventState, as whether the channel is connected. */
export function useConsoleEvent<T>(event: string, handler: (payload: T) => void): boolean {
  return useConsoleEventState(event, handler) === 'live';
}
