/** A reporter turns engine events into output; the engine itself never prints. */
import type { ReleaseEvent } from '../../deploy/types.ts';

export interface Reporter {
  onEvent(event: ReleaseEvent): void;
  /** Stops live drawing (before the summary is printed). */
  close(): void;
}

export interface Output {
  write(text: string): void;
}
