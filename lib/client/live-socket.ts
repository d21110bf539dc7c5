'use client';

import { io, type Socket } from 'socket.io-client';
import { CONSOLE_NAMESPACE, joinEvent, leaveEvent, type LiveRoom } from '../live/rooms';

interface RoomState {
  members: number;
  joined: boolean;
  watchers: Set<(joined: boolean) => void>;
}

// The page's one socket on the console channel, open while any component is in a room.
let socket: Socket | null = null;
let closeTimer: ReturnType<typeof setTimeout> | null = null;
const rooms = new Map<LiveRoom, RoomState>();

const tell = (state: RoomState) => state.watchers.forEach((watch) => watch(state.joined));

function join(open: Socket, room: LiveRoom) {
  open.emit(joinEvent, { room }, (ack?: { ok?: boolean }) => {
    const state = rooms.get(room);
    if (!state) return;
    state.joined = Boolean(ack?.ok);
    tell(state);
  });
}

function openSocket(): Socket {
  if (closeTimer) clearTimeout(closeTimer);
  closeTimer = null;
  if (socket) return socket;
  const open = io(CONSOLE_NAMESPACE, { transports: ['websocket', 'polling'] });
  // Rooms are per connection: join them again after every (re)connect.
  open.on('connect', () => rooms.forEach((_state, room) => join(open, room)));
  open.on('disconnect', () =>
    rooms.forEach((state) => {
      state.joined = false;
      tell(state);
    }),
  );
  socket = open;
  return open;
}

/**
 * Joins `room` on the page's one console socket (opened on first use, closed when no room is
 * left); `onJoined` hears whether the room is joined, now and after every reconnect.
 */
export function joinLiveRoom(room: LiveRoom, onJoined: (joined: boolean) => void): { socket: Socket; leave(): void } {
  const open = openSocket();
  let state = rooms.get(room);
  if (!state) {
    state = { members: 0, joined: false, watchers: new Set() };
    rooms.set(room, state);
    if (open.connected) join(open, room);
  }
  const joined = state;
  joined.members++;
  joined.watchers.add(onJoined);
  if (joined.joined) onJoined(true);
  return {
    socket: open,
    leave() {
      joined.watchers.delete(onJoined);
      if (--joined.members > 0) return;
      rooms.delete(room);
      open.emit(leaveEvent, { room });
      if (rooms.size) return;
      // A client-side navigation leaves one live page and enters the next: keep the socket for it.
      closeTimer = setTimeout(() => {
        closeTimer = null;
        if (rooms.size || socket !== open) return;
        open.close();
        socket = null;
      }, 1000);
    },
  };
}
