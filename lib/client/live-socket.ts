'use client';

import { io, type Socket } from 'socket.io-client';
import { CONSOLE_NAMESPACE, joinEvent, leaveEvent, type LiveRoom } from '../live/rooms';

/** A room as a page tells it: still connecting at first, then live, or lost (after a drop or a refusal). */
export type LiveState = 'connecting' | 'live' | 'lost';

interface RoomState {
  members: number;
  joined: boolean;
  watchers: Set<(state: LiveState) => void>;
}

// The page's one socket on the console channel, open while any component is in a room.
let socket: Socket | null = null;
let closeTimer: ReturnType<typeof setTimeout> | null = null;
const rooms = new Map<LiveRoom, RoomState>();
// Whether the socket has lost (or never made) a connection it tried: until then a page that is
// not live yet is connecting, not "not live".
let lost = false;

const stateOf = (state: RoomState): LiveState => (state.joined ? 'live' : lost ? 'lost' : 'connecting');
const tell = (state: RoomState) => state.watchers.forEach((watch) => watch(stateOf(state)));

function join(open: Socket, room: LiveRoom) {
  open.emit(joinEvent, { room }, (ack?: { ok?: boolean }) => {
    const state = rooms.get(room);
    if (!state) return;
    state.joined = Boolean(ack?.ok);
    if (!state.joined) lost = true;
    tell(state);
  });
}

function openSocket(): Socket {
  if (closeTimer) clearTimeout(closeTimer);
  closeTimer = null;
  if (socket) return socket;
  const open = io(CONSOLE_NAMESPACE, { transports: ['websocket', 'polling'] });
  // Rooms are per connection: join them again after every (re)connect.
  open.on('connect', () => {
    lost = false;
    rooms.forEach((_state, room) => join(open, room));
  });
  const drop = () => {
    lost = true;
    rooms.forEach((state) => {
      state.joined = false;
      tell(state);
    });
  };
  open.on('disconnect', drop);
  open.on('connect_error', drop);
  socket = open;
  lost = false;
  return open;
}

/**
 * Joins `room` on the page's one console socket (opened on first use, closed when no room is
 * left); `onState` hears the room's state, now and after every change.
 */
export function joinLiveRoom(room: LiveRoom, onState: (state: LiveState) => void): { socket: Socket; leave(): void } {
  const open = openSocket();
  let state = rooms.get(room);
  if (!state) {
    state = { members: 0, joined: false, watchers: new Set() };
    rooms.set(room, state);
    if (open.connected) join(open, room);
  }
  const joined = state;
  joined.members++;
  joined.watchers.add(onState);
  onState(stateOf(joined));
  return {
    socket: open,
    leave() {
      joined.watchers.delete(onState);
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
