// The kill switch: while engaged, new risk (orders, changes, reversals) is refused for every client;
// cancel and flatten still work. Only the person at the desktop engages or releases it, and it
// survives restarts (an engaged switch stays engaged until a person releases it).
import type { AuditLog } from '../audit/audit.ts';
import type { EventBus } from '../events.ts';
import type { DB } from '../store/db.ts';

export interface KillSwitchState {
  engaged: boolean;
  /** When it was engaged (the companion's clock), null when released. */
  since: string | null;
}

export class KillSwitch {
  private state: KillSwitchState;
  private readonly get;
  private readonly put;

  constructor(
    db: DB,
    private readonly audit: AuditLog,
    private readonly bus: EventBus,
    private readonly now: () => number,
  ) {
    this.get = db.prepare('SELECT value FROM settings WHERE key = ?').pluck();
    this.put = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    const saved = this.get.get('kill_switch') as string | undefined;
    this.state = saved ? (JSON.parse(saved) as KillSwitchState) : { engaged: false, since: null };
  }

  current(): KillSwitchState {
    return { ...this.state };
  }

  get engaged(): boolean {
    return this.state.engaged;
  }

  /** Engages or releases it (persisted, audited, announced); false when it already was so. */
  set(engaged: boolean): boolean {
    if (engaged === this.state.engaged) return false;
    this.state = { engaged, since: engaged ? new Date(this.now()).toISOString() : null };
    this.put.run('kill_switch', JSON.stringify(this.state));
    this.audit.record({
      kind: 'control',
      event: engaged ? 'killswitch.engaged' : 'killswitch.released',
      outcome: 'ok',
      detail: engaged ? 'new risk refused for every client; cancel and flatten still work' : 'trading re-enabled',
    });
    this.bus.emit({ type: 'killswitch', engaged, since: this.state.since });
    return true;
  }
}
