// The process's buffer directory (see ../sab-directory.ts): remembers every
// announced SharedArrayBuffer and re-announces one when a thread asks.

import { BroadcastChannel } from 'node:worker_threads';
import { CHANNEL, DIRECTORY_READY, MAX } from '../sab-directory.js';
import type { Announcement, Request } from '../sab-directory.js';
import { DIRECTORY_REPLIES, DIRECTORY_STATE, table } from '../../threading/registry.js';

const words = table();
const known = new Map<string, SharedArrayBuffer>();
const channel = new BroadcastChannel(CHANNEL);

channel.onmessage = (event: unknown) => {
  const message = (event as { data: Partial<Announcement & Request> }).data;
  if (typeof message.id === 'string' && message.sab instanceof SharedArrayBuffer) {
    known.set(message.id, message.sab);
    if (known.size > MAX) {
      const oldest = known.keys().next().value;
      if (oldest !== undefined) known.delete(oldest);
    }
  } else if (typeof message.want === 'string') {
    const sab = known.get(message.want);
    if (sab !== undefined) channel.postMessage({ id: message.want, sab } satisfies Announcement);
    Atomics.add(words, DIRECTORY_REPLIES, 1);
    Atomics.notify(words, DIRECTORY_REPLIES);
  }
};

Atomics.store(words, DIRECTORY_STATE, DIRECTORY_READY);
Atomics.notify(words, DIRECTORY_STATE);
