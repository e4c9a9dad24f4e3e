import { EventEmitter } from 'node:events';
import type { CallHandler } from '../calls/call-handler.js';
import type { EventLog } from '../events/event-log.js';
import type { Modem } from '../modem/modem.js';
import type { OverviewSource } from './status-model.js';

export interface LiveHubEvents {
  change: [];
}

/**
 * Tells open pages that something they show changed: a call was recorded, a modem changed
 * state, an event was logged. Each change drops the cached overview and bumps `version`;
 * the live stream then sends fresh regions (throttled per connection).
 */
export class LiveHub extends EventEmitter<LiveHubEvents> {
  /** Increases with every change; sent to the page so a test (or a person) can tell updates apart. */
  version = 0;

  constructor(private readonly overview: OverviewSource) {
    super();
    // One listener per open page; a district office has a few phones, not thousands.
    this.setMaxListeners(0);
  }

  changed(): void {
    this.overview.invalidate();
    this.version++;
    this.emit('change');
  }

  /** Listen to the parts of the box whose changes the page shows; returns the unsubscribe function. */
  watch(sources: { handler?: Pick<CallHandler, 'on' | 'off'>; modems?: readonly Pick<Modem, 'on' | 'off'>[]; events?: Pick<EventLog, 'on' | 'off'> }): () => void {
    const onChange = (): void => this.changed();
    sources.handler?.on('recorded', onChange);
    for (const m of sources.modems ?? []) m.on('state', onChange);
    sources.events?.on('event', onChange);
    return () => {
      sources.handler?.off('recorded', onChange);
      for (const m of sources.modems ?? []) m.off('state', onChange);
      sources.events?.off('event', onChange);
    };
  }
}
