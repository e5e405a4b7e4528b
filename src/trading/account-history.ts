// What the trading layer keeps of each account's history as NinjaTrader reports it: the link's
// activity rows (paged for the dashboard and, filtered, for grants), executions into the journal,
// and the session watermarks on every change.
import type { ActivityLog } from '../audit/activity.ts';
import type { Activity, AddonLink } from '../ninjatrader/link.ts';
import type { DomainEvent } from '../ninjatrader/protocol.ts';
import type { Journal } from './journal.ts';
import type { Watermarks } from './watermarks.ts';

/** An activity row as the dashboard and get_activity_log show it. */
export type ActivityRow = ReturnType<ActivityLog['page']>['rows'][number];

/** Feeds the journal, the watermarks and the activity log from the link; returns what stops it. */
export function feedAccountHistory(link: AddonLink, journal: Journal, watermarks: Watermarks, activityLog: ActivityLog): () => void {
  const onActivity = (a: Activity) => activityLog.record(a.kind, a.message, a.account);
  const onEvent = () => watermarks.update(link.mirror);
  const onSnapshot = () => {
    journal.ingest(link.mirror.executions(), link.state().simulated);
    watermarks.update(link.mirror);
  };
  const onDomain = (ev: DomainEvent) => {
    // Quotes arrive by the thousand per second: keep them off this path.
    if (ev.kind === 'quote') return;
    if (ev.kind === 'execution') journal.ingest([ev.execution], link.state().simulated);
    onEvent();
  };
  link.on('activity', onActivity);
  link.on('snapshot', onSnapshot);
  link.on('event', onDomain);
  return () => {
    link.off('activity', onActivity);
    link.off('snapshot', onSnapshot);
    link.off('event', onDomain);
  };
}
