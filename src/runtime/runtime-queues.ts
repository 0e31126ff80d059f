/** Every queue a Yardmaster process opens: releases and rollbacks, and notification deliveries. */
import { RELEASE_QUEUES } from '../dispatch/index.ts';
import type { Queue } from '../dispatch/types.ts';
import { NOTIFY_QUEUES } from '../notify/index.ts';

export const RUNTIME_QUEUES = { ...RELEASE_QUEUES, ...NOTIFY_QUEUES } as const;

export type RuntimeQueue = Queue<typeof RUNTIME_QUEUES>;
