// The companion's internal event bus; the control API streams it to the UI as server-sent events.
import { EventEmitter } from 'node:events';
import type { ControlEvent } from './control/contract.ts';

export class EventBus {
  private readonly emitter = new EventEmitter();
  constructor() {
    // Every open dashboard tab subscribes; don't warn at 10.
    this.emitter.setMaxListeners(0);
  }
  emit(event: ControlEvent): void {
    this.emitter.emit('event', event);
  }
  subscribe(listener: (event: ControlEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
