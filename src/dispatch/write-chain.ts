/**
 * Database writes run one after another, in the order they were queued, without the caller awaiting each: a failed
 * write is remembered (the first one) and the chain goes on; `settleWrites` waits for all and throws that failure.
 */
export interface WriteChain {
  /** Settles once every write queued so far has run. */
  tail: Promise<void>;
  firstError: Error | undefined;
}

export function createWriteChain(): WriteChain {
  return { tail: Promise.resolve(), firstError: undefined };
}

export function enqueueWrite(chain: WriteChain, step: () => Promise<void>): void {
  chain.tail = chain.tail.then(step).catch((error: unknown) => {
    chain.firstError ??= error instanceof Error ? error : new Error('a release record write failed', { cause: error });
  });
}

/** Waits for every write so far; rejects with the first failed write. */
export async function settleWrites(chain: WriteChain): Promise<void> {
  await chain.tail;
  if (chain.firstError !== undefined) throw chain.firstError;
}
