// End-to-end tests of the release build in headless Chromium: what a visitor does, checked the
// way a visitor (or the CLI) would see it. Run: node --test tests/e2e/ (after scripts/build.sh).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { launch, leaderId, open, ROOT, waitForTime } from './browser.mjs';

const RAFTSIM = path.join(ROOT, 'target/release/raftsim');
const SHOTS = path.join(ROOT, 'target/e2e-screenshots');
let ctx;

before(async () => {
  ctx = await launch();
  fs.mkdirSync(SHOTS, { recursive: true });
});
after(async () => {
  await ctx.close();
});


/// Pixels the message canvas has painted (not transparent).
const painted = (page) =>
  page.locator('.msgs canvas').evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) n += d[i] > 0 ? 1 : 0;
    return n;
  });

test('a leader appears', async () => {
  const { page, errors } = await open(ctx, '?speed=1');
  await page.waitForSelector('[data-role=leader]');
  assert.equal(await page.locator('[data-role=leader]').count(), 1);
  assert.equal(await page.locator('[data-node-id]').count() >= 5, true);
  assert.deepEqual(errors, []);
  await page.close();
});

test('crashing the leader gives a new leader', async () => {
  const { page, errors } = await open(ctx, '?speed=1');
  await page.waitForSelector('[data-role=leader]');
  const old = await leaderId(page);
  await page.getByRole('button', { name: 'Crash the leader' }).click();
  await page.waitForSelector(`[data-node-id="${old}"][data-role=crashed]`);
  await page.waitForFunction(
    (old) => [...document.querySelectorAll('[data-role=leader]')].some((e) => e.getAttribute('data-node-id') !== old),
    old,
  );
  assert.deepEqual(errors, []);
  await page.close();
});

test('a client write commits on every node', async () => {
  const { page } = await open(ctx, '?speed=1');
  await page.waitForSelector('[data-role=leader]');
  await page.getByRole('button', { name: /^Client writes x=/ }).click();
  // Every node's log shows the write as a committed entry.
  await page.waitForFunction(() => document.querySelectorAll('.cell[data-committed][title*=": x="]').length === 5);
  await page.close();
});

test("a minority partition's leader cannot commit a write", async () => {
  // stale-leader: at 1.7 s, S1 leads term 1 in the minority {S1, S2} and holds x=2; S3 leads
  // term 2 in the majority and has committed x=3.
  const { page } = await open(ctx, '?scenario=stale-leader&t=1700');
  await waitForTime(page, 1700);
  const stale = page.locator('.cell[title^="S1 index"][title*=": x=2"]');
  assert.equal(await stale.count(), 1, 'the stale leader appended x=2');
  assert.doesNotMatch(await stale.getAttribute('class'), /\bc\b/, 'x=2 is not committed on S1');
  assert.equal(await page.locator('.cell[data-committed][title^="S3 index"][title*=": x=3"]').count(), 1, 'the majority committed x=3');
  await page.close();
});

const scenarios = fs
  .readdirSync(path.join(ROOT, 'crates/raft-sim/scenarios'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(fs.readFileSync(path.join(ROOT, 'crates/raft-sim/scenarios', f), 'utf8')));

for (const s of scenarios) {
  test(`scenario ${s.name}: the shared URL reproduces the CLI's run, and it passes`, async () => {
    const seed = (s.seed || 0) + 1; // another seed than the file's, to exercise the override
    const cli = spawnSync(RAFTSIM, ['run', s.name, '--seed', String(seed), '--json'], { encoding: 'utf8' });
    assert.ok(cli.stdout, `raftsim did not run: ${cli.stderr}`);
    const want = JSON.parse(cli.stdout);
    const { page, errors } = await open(ctx, `?scenario=${s.name}&seed=${seed}&t=${s.duration_ms}`);
    await waitForTime(page, s.duration_ms);
    assert.equal(await page.getAttribute('[data-trace-hash]', 'data-trace-hash'), want.trace_hash);
    // The file's own seed runs to its end with every expectation met.
    const own = spawnSync(RAFTSIM, ['run', s.name], { encoding: 'utf8' });
    assert.equal(own.status, 0, own.stdout);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('picking a scenario fetches its file then starts it; a file that cannot be fetched is reported', async () => {
  const { page, errors, requests } = await open(ctx, '?speed=1');
  await page.waitForSelector('[data-role=leader]');
  const fetched = () => requests.filter((u) => u.includes('/scenarios/')).map((u) => new URL(u).pathname);
  assert.deepEqual(fetched(), [], 'free play fetches no scenario file');
  const title = JSON.parse(fs.readFileSync(path.join(ROOT, 'crates/raft-sim/scenarios/figure-8.json'), 'utf8')).title;
  await page.getByLabel('Scenario', { exact: true }).selectOption('figure-8');
  await page.locator('.narration h2', { hasText: title }).waitFor();
  assert.deepEqual(fetched(), ['/scenarios/figure-8.json']);
  assert.match(page.url(), /scenario=figure-8/);
  // A file the server does not have: the visitor is told, and the current run goes on.
  await page.route('**/scenarios/split-vote.json', (r) => r.fulfill({ status: 404, body: 'not found' }));
  await page.getByLabel('Scenario', { exact: true }).selectOption('split-vote');
  const toast = page.getByRole('status').filter({ hasText: 'split-vote' });
  await toast.waitFor();
  assert.match(await toast.innerText(), /could not be loaded.*404/);
  assert.match(page.url(), /scenario=figure-8/);
  assert.equal(await page.getByLabel('Scenario', { exact: true }).inputValue(), 'figure-8');
  const before = await page.getAttribute('[data-time-ms]', 'data-time-ms');
  await page.getByRole('button', { name: 'Step to the next event' }).click();
  await page.waitForFunction((t) => document.querySelector('[data-time-ms]').getAttribute('data-time-ms') !== t, before);
  assert.deepEqual(errors.filter((e) => !e.includes('404')), []);
  await page.close();
});

test('bad URLs show an error and the page still works', async () => {
  const { page, errors } = await open(ctx, '?scenario=no-such&seed=abc&a=%%%&speed=1');
  const alert = page.getByRole('alert').first();
  await alert.waitFor();
  assert.match(await alert.innerText(), /no-such|seed|scenario/i);
  await page.waitForSelector('[data-role=leader]');
  assert.deepEqual(errors, []);
  await page.close();
});

test('user text is escaped', async () => {
  const { page } = await open(ctx, '?speed=1');
  await page.waitForSelector('[data-role=leader]');
  await page.getByRole('tab', { name: 'Clients' }).or(page.getByRole('button', { name: 'Clients' })).first().click();
  await page.locator('input[placeholder=key]').fill('<img src=x onerror="window.__pwned=1">');
  await page.locator('input[placeholder=value]').fill('<b>v</b>');
  await page.getByRole('button', { name: 'Write', exact: true }).click();
  await page.waitForFunction(() => document.body.innerText.includes('<img src=x'));
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator('img[src=x]').count(), 0);
  await page.close();
});

test('messages and timers are elements at the default speed, and the canvas takes over at 1x', async () => {
  const slow = await open(ctx, '');
  await slow.page.waitForSelector('.pie');
  await slow.page.waitForTimeout(1500);
  assert.equal(await painted(slow.page), 0, 'at 1/100x the canvas stays empty');
  assert.ok((await slow.page.locator('.pie').count()) > 0, 'timer arcs are CSS animations');
  await slow.page.close();
  // At 1x five nodes send ~160 messages a second: the canvas draws them and the timers.
  const fast = await open(ctx, '?speed=1');
  await fast.page.waitForSelector('[data-role=leader]');
  await fast.page.waitForFunction(() => document.querySelectorAll('.pie').length === 0);
  assert.ok((await painted(fast.page)) > 500, 'the canvas shows the timers and messages');
  assert.equal(await fast.page.locator('[data-msg-kind]').count(), 0);
  assert.deepEqual([...slow.errors, ...fast.errors], []);
  await fast.page.close();
});

test('with hundreds of messages in flight, a canvas draws them and a click on a dot inspects it', async () => {
  // Nine nodes, heartbeats every 20 ms over links of 300-600 ms.
  const slow = Buffer.from(JSON.stringify([[0, { do: 'set-network', latency_ms: [300, 600] }]])).toString('base64url');
  const { page, errors } = await open(ctx, `?nodes=9&election=100&heartbeat=2&speed=1&a=${slow}`);
  const canvas = page.locator('.msgs canvas');
  await page.waitForFunction(() => Number(document.querySelector('.msgs canvas')?.getAttribute('data-in-flight')) > 100);
  assert.equal(await page.locator('[data-msg-kind]').count(), 0, 'while playing, the dots are pixels');
  assert.ok((await painted(page)) > 2000, 'the canvas shows the dots');
  await page.keyboard.press('Space');
  // Paused: an element over each dot names its message; they are hidden to click the canvas.
  const n = Number(await canvas.getAttribute('data-in-flight'));
  assert.equal(await page.locator('.dot-hit[data-msg-kind]').count(), n);
  // A dot no other dot overlaps, so the click can only mean it.
  const { id, x, y } = await page.evaluate(() => {
    const dots = [...document.querySelectorAll('.dot-hit')].map((e) => {
      const r = e.getBoundingClientRect();
      e.style.pointerEvents = 'none';
      return { id: e.getAttribute('data-msg-id'), x: r.x + r.width / 2, y: r.y + r.height / 2, d: r.width };
    });
    return dots.find((a) => dots.every((b) => a === b || Math.hypot(a.x - b.x, a.y - b.y) > a.d / 2 + b.d / 2 + 2));
  });
  await page.mouse.click(x, y);
  await page.locator('.insp-title', { hasText: `Message ${id}:` }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

/// Elements whose class went wrong as Yew patched one element into another. It patches by
/// attribute name, so a class given two ways (an attribute and the `className` property) is
/// lost ("" or "undefined"); classes are now fixed text, and this keeps them so.
const classProblems = (page) =>
  page.evaluate(() => [
    ...[...document.querySelectorAll('[class~=undefined]')].map((e) => `${e.tagName} class "${e.className}"`),
    ...[...document.querySelectorAll('.log-grid [role=cell]')]
      .filter((e) => !e.classList.contains('cell') && !e.classList.contains('snap'))
      .map((e) => `log cell class "${e.className}"`),
    ...[...document.querySelectorAll('.log-grid [role=columnheader]')]
      .filter((e) => !e.classList.contains('lh'))
      .map((e) => `log header class "${e.className}"`),
    ...[...document.querySelectorAll('.inspector > h3')]
      .filter((e) => !e.classList.contains('insp-title'))
      .map((e) => `inspector title class "${e.className}"`),
  ]);

test("elements keep their classes as the page's views replace one another", async () => {
  // The default speed: messages are elements, to be clicked.
  const { page, errors } = await open(ctx, '');
  await page.waitForSelector('[data-role=leader]');
  const steps = [];
  const check = async (step) => steps.push(...(await classProblems(page)).map((p) => `${step}: ${p}`));
  // A node's inspector, then a message's in its place.
  await page.locator('[data-node-id="2"] button').click();
  await page.locator('.inspector > h3', { hasText: 'S2' }).waitFor();
  await check('node inspector');
  await page.locator('[data-msg-kind] .dot').first().click({ force: true });
  await page.locator('.inspector > h3', { hasText: 'Message' }).waitFor();
  await check('message inspector');
  await page.locator('[data-node-id="3"] button').click();
  await page.locator('.inspector > h3', { hasText: 'S3' }).waitFor();
  await check('node inspector again');
  for (const tab of ['Network', 'Clients', 'Setup', 'Safety', 'Inspect']) {
    await page.getByRole('tab', { name: tab }).click();
    await check(`${tab} tab`);
  }
  // A client write, faster: entries fill the log's empty cells.
  for (let i = 0; i < 4; i++) await page.keyboard.press('+');
  await page.keyboard.press('c');
  await page.waitForFunction(() => document.querySelectorAll('.cell[data-committed][title*=": x="]').length === 5);
  await check('after a write commits');
  assert.deepEqual(steps, []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the event log filters by text and by node', async () => {
  const { page, errors } = await open(ctx, '?speed=1');
  await page.waitForSelector('[data-role=leader]');
  await page.getByRole('button', { name: /^Client writes x=/ }).click();
  await page.waitForFunction(() => document.querySelectorAll('.cell[data-committed][title*=": x="]').length === 5);
  await page.keyboard.press('Space');
  const rows = () => page.$$eval('.events li', (ls) => ls.map((l) => l.textContent));
  const all = await rows();
  await page.getByRole('searchbox', { name: 'Filter events by text' }).fill('VOTE');
  const voted = await rows();
  assert.ok(voted.length > 0 && voted.length < all.length, `${voted.length} of ${all.length} rows`);
  assert.ok(voted.every((t) => t.toLowerCase().includes('vote')), voted.join('\n'));
  await page.getByRole('searchbox', { name: 'Filter events by text' }).fill('');
  await page.getByRole('combobox', { name: 'Only events about a node' }).selectOption('2');
  const s2 = await rows();
  assert.ok(s2.length > 0 && s2.length < all.length, `${s2.length} of ${all.length} rows`);
  assert.ok(s2.every((t) => t.includes('S2')), s2.join('\n'));
  assert.deepEqual(errors, []);
  await page.close();
});

test('a long log keeps its newest entries in view and pages back to its first', async () => {
  // 70 writes: more entries than the 48 columns shown at once. No snapshots, so none are cut.
  const writes = Array.from({ length: 70 }, (_, i) => [300 + 40 * i, { do: 'client-write', key: 'k', value: String(i) }]);
  const a = Buffer.from(JSON.stringify(writes)).toString('base64url');
  const { page, errors } = await open(ctx, `?snapshot=0&t=8000&a=${a}`);
  await waitForTime(page, 8000);
  const view = () =>
    page.evaluate(() => {
      const heads = [...document.querySelectorAll('.log-grid [role=columnheader]')].slice(1).map((h) => Number(h.textContent));
      const s = document.querySelector('.log-scroll');
      return { first: heads[0], last: heads.at(-1), atEnd: s.scrollLeft + s.clientWidth >= s.scrollWidth - 1 };
    });
  const newest = await view();
  assert.ok(newest.last > 70, `the log reaches index ${newest.last}`);
  assert.equal(newest.last - newest.first + 1, 48);
  assert.ok(newest.atEnd, 'scrolled to the newest entries');
  await page.getByRole('button', { name: '◀ earlier' }).click();
  const earlier = await view();
  // The window before: from the first entry to just before the newest window.
  assert.deepEqual([earlier.first, earlier.last], [1, newest.first - 1]);
  await page.getByRole('button', { name: 'later ▶' }).click();
  assert.deepEqual(await view(), newest);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the cluster size in Setup restarts the run with that many nodes', async () => {
  const { page, errors } = await open(ctx, '?speed=1');
  await page.waitForSelector('[data-role=leader]');
  await page.getByRole('tab', { name: 'Setup' }).click();
  await page.locator('#set-nodes').selectOption('7');
  await page.waitForFunction(() => document.querySelectorAll('.node[data-node-id]').length === 7);
  await page.waitForSelector('[data-role=leader]');
  assert.match(page.url(), /[?&]nodes=7\b/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the page's wasm links no float formatting", () => {
  // Core's float formatting is ~9 KB of gzip. One `{}` of an f64 or one `f64::clamp` (whose
  // assertion prints its bounds) brings it back, and with it Grisu's table of cached powers of
  // ten; its first entry's significand, 0xe61acf033d1a45df, is looked for as it is stored. (The
  // release build has no panic locations, so flt2dec's file names cannot tell.)
  const wasm = fs.readdirSync(path.join(ROOT, 'dist')).find((f) => f.endsWith('_bg.wasm'));
  assert.ok(wasm, 'no wasm in dist/');
  const grisu = Buffer.alloc(8);
  grisu.writeBigUInt64LE(0xe61acf033d1a45dfn);
  assert.ok(!fs.readFileSync(path.join(ROOT, 'dist', wasm)).includes(grisu), 'core::num::flt2dec is linked');
});

test('a trap in the wasm says the page stopped, once', async () => {
  const { page } = await open(ctx);
  await page.waitForSelector('[data-role=leader]');
  // Runs `f` in a task of its own, and returns once the page has run that task.
  const inTask = (f) => page.evaluate((src) => new Promise((done) => {
    setTimeout(new Function(src));
    setTimeout(done);
  }), `(${f})()`);
  const banner = page.locator('.fatal');
  // An ordinary script error is not the page's: no banner.
  await inTask(() => { throw new Error('someone else'); });
  assert.equal(await banner.count(), 0);
  // A panic in the release build traps; the trap reaches the page as an uncaught RuntimeError,
  // from a task or from a promise (the app's async work).
  await inTask(() => { Promise.reject(new WebAssembly.RuntimeError('unreachable')); });
  await banner.waitFor();
  assert.match(await banner.innerText(), /stopped because of a bug \(WebAssembly error: unreachable\)\. Reload/);
  assert.equal(await banner.getAttribute('role'), 'alert');
  await inTask(() => { throw new WebAssembly.RuntimeError('a second one'); });
  assert.equal(await banner.count(), 1);
  assert.match(await banner.innerText(), /error: unreachable\)/);
  await page.close();
});

test('screenshots at desktop and phone sizes are not blank', async () => {
  for (const [w, h, name] of [[1280, 800, 'desktop'], [390, 844, 'phone']]) {
    const page = await ctx.context.newPage();
    await page.setViewportSize({ width: w, height: h });
    await page.goto(ctx.url + '?speed=1');
    await page.waitForSelector('[data-role=leader]');
    const shot = await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
    await page.goto('about:blank');
    const blank = await page.screenshot();
    // A blank page compresses to almost nothing; the playground is full of shapes and text.
    assert.ok(shot.length > 5 * blank.length && shot.length > 20_000, `${name}: ${shot.length} bytes`);
    await page.close();
  }
});
