// The session's P&L as a live line chart against its high-water mark, drawn by TradingView's
// lightweight-charts (v5: createChart + addSeries(LineSeries)). Points come from GET /trading and
// then from `trading.account` events; each new one is an update of the series, not a redraw.
import { useEffect, useRef } from 'react';
import { ColorType, createChart, LineSeries, LineStyle, type IChartApi, type ISeriesApi, type UTCTimestamp } from 'lightweight-charts';
import type { PnlPoint } from '../../../src/control/contract.ts';

const sec = (iso: string) => Math.floor(Date.parse(iso) / 1000) as UTCTimestamp;

function palette() {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return { text: v('--muted', '#666'), grid: v('--border', '#ddd'), pnl: v('--accent', '#2563eb'), high: v('--ok', '#15803d'), zero: v('--muted', '#888'), bad: v('--danger', '#dc2626') };
}

/** A risk rule's floor in P&L terms (the person's rules, GET /risk-rules): drawn as a red line. */
export interface ChartLimit {
  title: string;
  value: number;
}

export function PnlChart(props: { account: string; points: readonly PnlPoint[]; format: (n: number) => string; limits?: readonly ChartLimit[] }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const pnl = useRef<ISeriesApi<'Line'> | null>(null);
  const high = useRef<ISeriesApi<'Line'> | null>(null);
  /** How many of props.points the series already hold, and the last time they hold. */
  const shown = useRef<{ n: number; last: number }>({ n: 0, last: 0 });
  const limitLines = useRef<ReturnType<ISeriesApi<'Line'>['createPriceLine']>[]>([]);
  const format = useRef(props.format);
  format.current = props.format;

  useEffect(() => {
    const el = box.current!;
    const p = palette();
    const c = createChart(el, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: 'transparent' }, textColor: p.text, fontFamily: 'inherit' },
      grid: { vertLines: { color: p.grid }, horzLines: { color: p.grid } },
      rightPriceScale: { borderColor: p.grid },
      timeScale: { borderColor: p.grid, timeVisible: true, secondsVisible: false },
      localization: {
        timeFormatter: (t: number) => new Date(t * 1000).toLocaleTimeString(),
        priceFormatter: (n: number) => format.current(n),
      },
      handleScroll: false,
      handleScale: false,
    });
    const hw = c.addSeries(LineSeries, { color: p.high, lineWidth: 1, lineStyle: LineStyle.Dashed, title: 'High-water mark', priceLineVisible: false, lastValueVisible: true });
    const line = c.addSeries(LineSeries, { color: p.pnl, lineWidth: 2, title: 'Session P&L', priceLineVisible: false });
    line.createPriceLine({ price: 0, color: p.zero, lineWidth: 1, lineStyle: LineStyle.Dotted, axisLabelVisible: false, title: '' });
    chart.current = c;
    pnl.current = line;
    high.current = hw;
    shown.current = { n: 0, last: 0 };
    limitLines.current = [];
    // Light and dark follow the system: recolor when it changes.
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    const recolor = () => {
      const q = palette();
      c.applyOptions({ layout: { textColor: q.text }, grid: { vertLines: { color: q.grid }, horzLines: { color: q.grid } } });
      line.applyOptions({ color: q.pnl });
      hw.applyOptions({ color: q.high });
    };
    mq.addEventListener('change', recolor);
    return () => {
      mq.removeEventListener('change', recolor);
      c.remove();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const line = pnl.current;
    const hw = high.current;
    if (!line || !hw) return;
    const pts = props.points;
    const s = shown.current;
    if (pts.length < s.n || s.n === 0) {
      // First data (or a fresh list after a reconnect): set it all.
      const dedup = new Map<number, PnlPoint>();
      for (const x of pts) dedup.set(sec(x.time), x);
      const rows = [...dedup.entries()].sort((a, b) => a[0] - b[0]);
      line.setData(rows.map(([time, x]) => ({ time: time as UTCTimestamp, value: x.pnl })));
      hw.setData(rows.map(([time, x]) => ({ time: time as UTCTimestamp, value: x.high })));
      chart.current?.timeScale().fitContent();
      shown.current = { n: pts.length, last: rows.length ? rows[rows.length - 1]![0] : 0 };
    } else {
      // Live: append, and redo the last one shown (a newer sample of the same second replaces it).
      for (const x of pts.slice(Math.max(0, s.n - 1))) {
        const t = sec(x.time);
        if (t < s.last) continue;
        line.update({ time: t, value: x.pnl });
        hw.update({ time: t, value: x.high });
        s.last = t;
      }
      s.n = pts.length;
      chart.current?.timeScale().fitContent();
    }
    const last = pts[pts.length - 1];
    box.current?.setAttribute('data-points', String(pts.length));
    box.current?.setAttribute('data-last-pnl', last ? String(last.pnl) : '');
  }, [props.points]);

  // The risk rules' floors: replaced whenever they change (a new session high moves the trailing one).
  const limitsKey = JSON.stringify(props.limits ?? []);
  useEffect(() => {
    const line = pnl.current;
    if (!line) return;
    for (const l of limitLines.current) line.removePriceLine(l);
    limitLines.current = (props.limits ?? []).map((l) =>
      line.createPriceLine({ price: l.value, color: palette().bad, lineWidth: 1, lineStyle: LineStyle.Dashed, axisLabelVisible: true, title: l.title }),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps -- limitsKey is props.limits by value
  }, [limitsKey]);

  return (
    <>
      <div ref={box} className="pnl-chart" data-testid="pnl-chart" data-account={props.account} role="img" aria-label={`Session P&L of ${props.account} against its high-water mark`} />
      {props.limits && props.limits.length > 0 && (
        <ul className="pnl-limits muted small" data-testid="pnl-limits">
          {props.limits.map((l) => (
            <li key={l.title}>
              {l.title} (red line): P&L {props.format(l.value)}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
