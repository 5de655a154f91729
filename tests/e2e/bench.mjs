// Measures the release build in headless Chromium: main-thread CPU per wall second while
// animating and while paused (DevTools Performance metrics), frame rate and p95 frame time with
// 9 nodes and many messages in flight, transfer size of everything the page loads, and memory
// over a long run. Run: node tests/e2e/bench.mjs  (after scripts/build.sh).
// This is a benchmark: it waits on wall time on purpose.
import { launch, open } from './browser.mjs';

const encodeActions = (actions) => Buffer.from(JSON.stringify(actions)).toString('base64url');

// The app reports the wasm instance when Trunk starts it, so memory can be read.
const CAPTURE_WASM = `addEventListener('TrunkApplicationStarted', (e) => { window.__wasm = e.detail && e.detail.wasm; });`;

async function metrics(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

/// Main-thread busy time (all tasks: script, style, layout, paint) per wall second.
async function cpuPerSecond(page, seconds) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const a = await metrics(cdp);
  const t0 = Date.now();
  await page.waitForTimeout(seconds * 1000);
  const b = await metrics(cdp);
  const wall = (Date.now() - t0) / 1000;
  await cdp.detach();
  return {
    taskMsPerSec: ((b.TaskDuration - a.TaskDuration) * 1000) / wall,
    scriptMsPerSec: ((b.ScriptDuration - a.ScriptDuration) * 1000) / wall,
    jsHeapMB: b.JSHeapUsedSize / 1e6,
  };
}

/// Frames per second and the main-thread time of each frame: from the frame's start (the rAF
/// timestamp) to a message posted from rAF, which runs after style, layout and paint.
async function frames(page, ms) {
  return page.evaluate(
    (ms) =>
      new Promise((resolve) => {
        const work = [];
        const stamps = [];
        const ch = new MessageChannel();
        let frameStart = 0;
        ch.port1.onmessage = () => work.push(performance.now() - frameStart);
        const t0 = performance.now();
        function frame(ts) {
          stamps.push(ts);
          frameStart = ts;
          ch.port2.postMessage(0);
          if (performance.now() - t0 < ms) requestAnimationFrame(frame);
          else setTimeout(() => resolve({ stamps, work }), 50);
        }
        requestAnimationFrame(frame);
      }),
    ms,
  );
}

const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];

async function wasmMB(page) {
  return page.evaluate(() => (window.__wasm && window.__wasm.memory ? window.__wasm.memory.buffer.byteLength / 1e6 : null));
}

async function main() {
  const ctx = await launch();
  await ctx.context.addInitScript(CAPTURE_WASM);
  const out = {};
  try {
    // 1. Transfer size: everything the default page loads, as encoded on the wire (gzip).
    {
      const page = await ctx.context.newPage();
      const sizes = [];
      page.on('requestfinished', async (r) => {
        const s = await r.sizes();
        sizes.push({ url: r.url(), bytes: s.responseBodySize });
      });
      await page.goto(ctx.url);
      await page.waitForSelector('[data-role=leader]');
      await page.waitForTimeout(500);
      out.requests = sizes.map((s) => `${new URL(s.url).pathname} ${(s.bytes / 1024).toFixed(1)} KB`);
      out.transferKB = sizes.reduce((a, s) => a + s.bytes, 0) / 1024;
      out.foreignRequests = sizes.filter((s) => !s.url.startsWith(ctx.url)).map((s) => s.url);
      await page.close();
    }
    // 2. CPU while animating 5 nodes at the default speed, then while paused.
    {
      const { page } = await open(ctx);
      await page.waitForSelector('[data-role=leader]');
      await page.waitForTimeout(1000);
      out.animating5 = await cpuPerSecond(page, 10);
      await page.keyboard.press('Space');
      await page.waitForTimeout(500);
      // Within ~10 s of going idle V8's memory reducer runs a few full GCs (~30 ms in all, no
      // script of the page's); after that a paused page does nothing. Both are reported.
      out.paused = await cpuPerSecond(page, 10);
      out.pausedLater = await cpuPerSecond(page, 20);
      await page.close();
    }
    // 3. Nine nodes, slow links so that many messages are in flight, at 1x.
    {
      // Heartbeats every 20 ms over links of 300-600 ms keep 8 x 2 x 25 x 0.45 = 180 in flight.
      const slow = encodeActions([[0, { do: 'set-network', latency_ms: [300, 600] }]]);
      const { page } = await open(ctx, `?nodes=9&election=100&heartbeat=2&speed=1&a=${slow}`);
      await page.waitForSelector('[data-role=leader]');
      await page.waitForTimeout(2000);
      const inFlight = Number(await page.locator('.msgs canvas').getAttribute('data-in-flight'));
      // CPU first: the frame probe below runs its own requestAnimationFrame loop, which makes
      // Chromium do per-frame work the page itself avoids.
      const cpu = await cpuPerSecond(page, 5);
      const f = await frames(page, 5000);
      const gaps = f.stamps.slice(1).map((t, i) => t - f.stamps[i]);
      out.nineNodes = {
        messagesInFlight: inFlight,
        fps: (f.stamps.length - 1) / ((f.stamps.at(-1) - f.stamps[0]) / 1000),
        p95FrameWorkMs: p95(f.work),
        p95FrameIntervalMs: p95(gaps),
        cpu,
      };
      await page.close();
    }
    // 4. Memory over a long run: fast-forward at 100x for 30 s (50 virtual minutes).
    {
      const { page } = await open(ctx, '?speed=100');
      await page.waitForTimeout(2000);
      const before = { wasmMB: await wasmMB(page), ...(await cpuPerSecond(page, 1)) };
      await page.waitForTimeout(28000);
      const after = { wasmMB: await wasmMB(page), ...(await cpuPerSecond(page, 1)) };
      const t = await page.locator('[data-time-ms]').getAttribute('data-time-ms');
      out.longRun = { virtualMs: Number(t), before, after };
      await page.close();
    }
  } finally {
    await ctx.close();
  }
  console.log(JSON.stringify(out, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
