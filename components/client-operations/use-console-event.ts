'use client';

import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';

/**
 * Calls `handler` with every `event` the console channel (/console) sends while mounted.
 * Returns whether the channel is connected, so a page can say when it is not live.
 */
export function useConsoleEvent<T>(event: string, handler: (payload: T) => void): boolean {
  const latest = useRef(handler);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => {
    const socket: Socket = io('/console', { transports: ['websocket', 'polling'] });
    socket.on('connect', () => setConnected(true));
    socket.on('disconnect', () => setConnected(false));
    socket.on(event, (payload: T) => latest.current(payload));
    return () => {
      socket.close();
    };
  }, [event]);
  return connected;
}
