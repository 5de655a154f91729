import { launch, open } from './browser.mjs';
import fs from 'node:fs';
const encodeActions = (a) => Buffer.from(JSON.stringify(a)).toString('base64url');
const ctx = await launch();
try {
  const slow = encodeActions([[0, { do: 'set-network', latency_ms: [300, 600] }]]);
  const { page } = await open(ctx, `?nodes=9&election=100&heartbeat=2&speed=1&a=${slow}`);
  await page.waitForSelector('[data-role=leader]');
  await page.waitForTimeout(2000);
  console.log('inflight', await page.locator('.msgs canvas').getAttribute('data-in-flight'));
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const m = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((x) => [x.name, x.value]));
  const a = await m(); await page.waitForTimeout(3000); const b = await m();
  for (const k of ['TaskDuration','ScriptDuration','LayoutDuration','RecalcStyleDuration','LayoutCount','RecalcStyleCount','Nodes'])
    console.log(k, ((b[k]-a[k])/3*(k.endsWith('Duration')?1000:1)).toFixed(1), 'per s', b[k]);
  const events = [];
  cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
  const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
  await page.waitForTimeout(3000);
  await cdp.send('Tracing.end'); await done;
  const sum = {};
  for (const e of events) if (e.ph === 'X' && e.dur) { sum[e.name] = (sum[e.name] || 0) + e.dur / 1000; }
  const by = {};
  for (const e of events) if (e.ph === 'X' && e.dur && ['FireAnimationFrame','TimerFire','FunctionCall','UpdateLayoutTree','Layout','Paint','Commit','Layerize','PrePaint'].includes(e.name)) (by[e.name] ||= []).push(e.dur / 1000);
  for (const [k, v] of Object.entries(by)) { v.sort((a, b) => a - b); console.log(k, 'n', v.length, 'p50', v[Math.floor(v.length / 2)].toFixed(2), 'p95', v[Math.floor(v.length * 0.95)].toFixed(2), 'max', v.at(-1).toFixed(2)); }
  console.log(Object.entries(sum).sort((x, y) => y[1] - x[1]).slice(0, 25).map(([k, v]) => `${k} ${(v / 3).toFixed(1)}ms/s`).join('\n'));
} finally { await ctx.close(); }
