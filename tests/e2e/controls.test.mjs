// End-to-end tests of the page's controls in headless Chromium: keyboard shortcuts, a message's
// actions, acting in the past, a teaching fault on the page, the embed layout, links and the
// event log's times, and a 360 px screen.
// Run: node --test tests/e2e/ (after scripts/build.sh).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, leaderId, open, waitForTime } from './browser.mjs';

let ctx;
before(async () => {
  ctx = await launch();
});
after(async () => {
  await ctx.close();
});

const time = (page) => page.getAttribute('[data-time-ms]', 'data-time-ms').then(Number);
/// Free play at 1x, paused with Space once a leader is elected.
async function openPausedWithLeader() {
  const opened = await open(ctx, '?speed=1');
  await opened.page.waitForSelector('[data-role=leader]');
  await opened.page.keyboard.press(' ');
  await opened.page.waitForSelector('.stage[data-paused]');
  return opened;
}
/// Returns after the page has drawn two more frames (a paused page must not have moved).
const frames = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

test('keyboard: Space pauses, S steps, arrows travel, K crashes the leader, ? opens the help and Escape closes it', async () => {
  const { page, errors } = await openPausedWithLeader();
  const paused = await time(page);
  await frames(page);
  assert.equal(await time(page), paused, 'time moves while paused');
  await page.keyboard.press('s');
  await page.waitForFunction((t) => Number(document.querySelector('[data-time-ms]').getAttribute('data-time-ms')) > t, paused);
  const stepped = await time(page);
  await page.keyboard.press('ArrowLeft');
  await waitForTime(page, stepped - 100);
  await page.keyboard.press('ArrowRight');
  await waitForTime(page, stepped);
  const old = await leaderId(page);
  await page.keyboard.press('k');
  await page.waitForSelector(`[data-node-id="${old}"][data-role=crashed]`);
  await page.keyboard.press(' ');
  await page.waitForFunction((old) => {
    const l = document.querySelector('[data-role=leader]');
    return l && l.getAttribute('data-node-id') !== old;
  }, old);
  await page.keyboard.press('?');
  await page.locator('#help-title').waitFor();
  assert.match(await page.locator('#help-title').innerText(), /Keyboard shortcuts/);
  await page.keyboard.press('Escape');
  await page.locator('#help-title').waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a paused message can be inspected and dropped: its fate turns to lost', async () => {
  const { page, errors } = await openPausedWithLeader();
  const dot = page.locator('[data-msg-kind]').first();
  await dot.waitFor({ state: 'attached' });
  const id = await dot.getAttribute('data-msg-id');
  await dot.dispatchEvent('click');
  const panel = page.locator('.panel');
  await panel.getByText(`Message ${id}:`).waitFor();
  assert.match(await panel.innerText(), /will be delivered/);
  await panel.getByRole('button', { name: 'Drop', exact: true }).click();
  await panel.getByText('will be lost').waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('acting in the past forks the run there and says so', async () => {
  const { page, errors } = await open(ctx, '?speed=1&t=3000');
  await waitForTime(page, 3000);
  await page.waitForSelector('.stage[data-paused]');
  await page.keyboard.press('ArrowLeft');
  await waitForTime(page, 2900);
  await page.keyboard.press('c');
  await page.locator('.toast').getByText('You acted in the past: the run forks here').waitFor();
  // The fork keeps the action: the link's actions are that write, at 2900 ms.
  const a = new URL(page.url()).searchParams.get('a');
  assert.ok(a, 'no actions in the link');
  const actions = JSON.parse(Buffer.from(a, 'base64url').toString());
  assert.deepEqual(actions.map(([t, act]) => [t, act.do]), [[2900, 'client-write']]);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a teaching fault on the page: a warning, and the checker flags the nodes that broke safety', async () => {
  const { page, errors } = await open(ctx, '?scenario=figure-8&faults=commit-old-terms&t=3000');
  await waitForTime(page, 3000);
  assert.match(await page.locator('.banner.broken').innerText(), /deliberately broken[\s\S]*commit-old-terms/);
  const chip = page.locator('.safety-chip');
  assert.equal(await chip.getAttribute('data-state'), 'bad');
  assert.match(await chip.innerText(), /✗ \d+ violated/);
  assert.ok((await page.locator('.node[data-flagged]').count()) > 0, 'no node is flagged');
  await chip.click();
  assert.match(await page.locator('.panel').innerText(), /committed entries are never lost|leader holds every committed entry|apply different entries/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('?embed shows the cluster, play/pause and the scrubber, and nothing else', async () => {
  const { page, errors } = await open(ctx, '?embed&speed=1');
  await page.waitForSelector('[data-role=leader]');
  assert.equal(await page.locator('.app[data-embed]').count(), 1);
  assert.equal(await page.locator('[data-node-id]').count(), 5);
  assert.equal(await page.locator('.side, .logs-card, .events-card, .topbar').count(), 0);
  assert.ok(await page.getByRole('button', { name: /pause/i }).first().isVisible());
  assert.equal(await page.locator('input[type=range]').count(), 1, 'the scrubber (and no speed slider)');
  assert.deepEqual(errors, []);
  await page.close();
});

test("a click on a link cuts it and another restores it; an event's time takes the run there", async () => {
  const { page, errors } = await openPausedWithLeader();
  const link = page.locator('g.link').filter({ has: page.locator('title', { hasText: 'Link S1–S2 is up' }) });
  await link.dispatchEvent('click');
  await page.locator('g.link[data-state=cut] title', { hasText: 'Link S1–S2 is cut' }).waitFor({ state: 'attached' });
  assert.equal(await page.locator('g.link[data-state=cut]').count(), 1);
  await page.locator('g.link[data-state=cut]').dispatchEvent('click');
  await page.locator('g.link[data-state=cut]').waitFor({ state: 'detached' });
  // The oldest event in the list (its time is written "N ms" or "N.NNN s").
  const when = page.locator('.events-card button.time').last();
  const text = await when.innerText();
  const [, n, unit] = text.match(/^([\d.]+) (ms|s)$/);
  const ms = Math.round(Number(n) * (unit === 's' ? 1000 : 1));
  assert.notEqual(ms, await page.getAttribute('[data-time-ms]', 'data-time-ms').then(Number));
  await when.click();
  await waitForTime(page, ms);
  assert.deepEqual(errors, []);
  await page.close();
});

test('at 360 px wide the page does not scroll sideways and the five tabs fit', async () => {
  const { page, errors } = await open(ctx, '?speed=1');
  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForSelector('[data-role=leader]');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 360);
  const [scroll, client] = await page.locator('.tabs').evaluate((e) => [e.scrollWidth, e.clientWidth]);
  assert.ok(scroll <= client, `the tabs need ${scroll} px of ${client}`);
  assert.equal(await page.getByRole('tab').count(), 5);
  assert.deepEqual(errors, []);
  await page.close();
});
