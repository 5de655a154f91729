// End-to-end tests of membership changes, snapshots and reads in headless Chromium: adding,
// promoting and removing nodes, an InstallSnapshot, a stale lease read, and a link with these
// actions replaying the CLI's run. Run: node --test tests/e2e/ (after scripts/build.sh).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, open, ROOT, waitForTime } from './browser.mjs';

const RAFTSIM = path.join(ROOT, 'target/release/raftsim');
let ctx;

before(async () => {
  ctx = await launch();
});
after(async () => {
  await ctx.close();
});

/// A node's row in the log view: its last index and commit index.
const logOf = (page, id) =>
  page.evaluate((id) => {
    const r = document.querySelector(`.rh[data-node="${id}"]`);
    return r && { last: Number(r.dataset.lastIndex), commit: Number(r.dataset.commit) };
  }, id);

/// Waits until the leader has committed everything it holds (no change pending).
async function waitForQuiet(page) {
  await page.waitForFunction(() => {
    const id = document.querySelector('[data-role=leader]')?.getAttribute('data-node-id');
    const r = id && document.querySelector(`.rh[data-node="${id}"]`);
    return r && Number(r.dataset.commit) > 0 && r.dataset.commit === r.dataset.lastIndex;
  });
}

const selectNode = (page, id) => page.locator(`[data-node-id="${id}"] .node-btn`).click();

test('adding a node: S6 joins as a learner and catches up; promoted, it votes; a removed node is shown removed', async () => {
  const { page, errors } = await open(ctx, '?speed=1');
  await page.waitForSelector('[data-role=leader]');
  await waitForQuiet(page);
  await page.getByRole('button', { name: 'Add node', exact: true }).click();
  await page.waitForSelector('[data-node-id="6"][data-member=learner]');
  assert.equal(await page.locator('[data-node-id]').count(), 6);
  // The learner's log grows to the leader's.
  await page.waitForFunction(() => {
    const leader = document.querySelector('[data-role=leader]')?.getAttribute('data-node-id');
    const a = document.querySelector(`.rh[data-node="${leader}"]`);
    const b = document.querySelector('.rh[data-node="6"]');
    return a && b && Number(b.dataset.lastIndex) > 1 && a.dataset.lastIndex === b.dataset.lastIndex;
  });
  assert.ok((await logOf(page, 6)).last >= 2, 'the learner holds the configuration entry that added it');

  await waitForQuiet(page);
  await selectNode(page, 6);
  await page.getByRole('button', { name: 'Promote to voter' }).click();
  await page.waitForSelector('[data-node-id="6"][data-member=voter]');

  // Remove a follower other than S6.
  await waitForQuiet(page);
  const leader = await page.locator('[data-role=leader]').first().getAttribute('data-node-id');
  const victim = ['1', '2', '3', '4', '5'].find((id) => id !== leader);
  await selectNode(page, victim);
  await page.getByRole('button', { name: 'Remove', exact: true }).click();
  await page.waitForSelector(`[data-node-id="${victim}"][data-role=removed][data-member=removed]`);
  // The leader's configuration no longer names it and names S6 as a voter.
  await page.keyboard.press('Escape');
  const config = page.locator('.membership p').first();
  await page.waitForFunction((v) => /voters \{/.test(document.querySelector('.membership p')?.textContent || '') &&
    !new RegExp(`S${v}[,}]`).test(document.querySelector('.membership p').textContent.split('·')[0]), victim);
  assert.match(await config.innerText(), /voters \{[^}]*S6\}/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a joint change from the checkboxes, and reads in a chosen mode at a chosen node', async () => {
  const { page, errors } = await open(ctx, '?speed=1');
  await page.waitForSelector('[data-role=leader]');
  await waitForQuiet(page);
  const leader = await page.locator('[data-role=leader]').first().getAttribute('data-node-id');
  const out = ['1', '2', '3', '4', '5'].find((id) => id !== leader);
  await page.getByLabel(`S${out} votes in the new configuration`).uncheck();
  await page.getByRole('button', { name: 'Start joint change' }).click();
  // C_old,new, then C_new: the node left out is removed.
  await page.waitForSelector(`[data-node-id="${out}"][data-role=removed]`);
  assert.equal(await page.locator('[data-member=voter]').count(), 4);

  await page.getByRole('tab', { name: 'Clients' }).click();
  await page.getByRole('button', { name: 'Write', exact: true }).click();
  // A busy client queues the read, and by then it may have learned the leader: wait.
  await page.getByText(/C1 write x=1 → 1/).waitFor();
  const via = ['1', '2', '3', '4', '5'].find((id) => id !== leader && id !== out);
  await page.getByLabel('Read mode').selectOption('local');
  await page.getByLabel('Node to ask').selectOption(via);
  assert.match(await page.locator('.read-form').innerText(), /ZooKeeper/);
  await page.getByRole('button', { name: /^Read x/ }).click();
  await page.waitForSelector(`.reads li[data-read-mode=local]`);
  assert.match(await page.locator('.reads li').first().innerText(), new RegExp(`read x \\(local\\) by S${via}`));
  // Lease reads need check-quorum, which free play leaves off: the form says so.
  await page.getByLabel('Read mode').selectOption('lease');
  assert.match(await page.locator('.read-form').innerText(), /need check-quorum/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('snapshot install: the lagging follower gets an InstallSnapshot and its log starts with the snapshot', async () => {
  // In snapshot-install, S1 sends its snapshot (index 10) to S3 at 1061 ms; it lands at 1077 ms.
  const { page, errors } = await open(ctx, '?scenario=snapshot-install&t=1070');
  await waitForTime(page, 1070);
  const msg = page.locator('[data-msg-kind=InstallSnapshot]');
  await msg.first().waitFor();
  await msg.first().locator('.dot').click({ force: true });
  const fields = page.locator('.inspector dl.fields');
  await fields.waitFor();
  const text = await fields.innerText();
  assert.match(text, /last included index\s+10/);
  assert.match(text, /last included term\s+1/);
  assert.match(text, /configuration\s+\{S1, S2, S3\}/);
  assert.match(text, /state machine\s+\d+ bytes/);
  await page.close();

  const end = await open(ctx, '?scenario=snapshot-install&t=2500');
  await waitForTime(end.page, 2500);
  const snap = end.page.locator('.rh[data-node="3"] + .snap');
  assert.equal(await snap.getAttribute('data-snapshot-index'), '10');
  assert.match(await snap.getAttribute('title'), /S3 snapshot: entries up to 10/);
  // Its inspector shows the snapshot too.
  await selectNode(end.page, 3);
  await end.page.getByText('replaces the log up to its index').waitFor();
  assert.deepEqual([...errors, ...end.errors], []);
  await end.page.close();
});

test('lease read with a drifting clock: the read is marked stale and the safety panel names linearizable reads', async () => {
  const { page, errors } = await open(ctx, '?scenario=lease-clock-drift&t=2000');
  await waitForTime(page, 2000);
  await page.getByRole('tab', { name: 'Clients' }).click();
  const stale = page.locator('.reads li[data-stale=true]');
  assert.equal(await stale.count(), 1);
  assert.match(await stale.innerText(), /stale/i);
  assert.match(await stale.innerText(), /read x \(lease\) by S1 → 1/);
  await page.getByRole('tab', { name: /^Safety/ }).click();
  const bad = page.locator('.props li[data-state=bad]');
  assert.equal(await bad.count(), 1);
  assert.match(await bad.innerText(), /linearizable-reads/i);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a link with membership, snapshot, read and transfer actions reproduces the CLI run', async () => {
  const T = 3000;
  const actions = [
    [400, { do: 'add-node' }],
    [700, { do: 'promote', node: 6 }],
    [1000, { do: 'compact', node: 1 }],
    [1100, { do: 'client-write', key: 'x', value: '1' }],
    [1300, { do: 'client-read', key: 'x', mode: 'read-index', via: 2 }],
    [1400, { do: 'client-read', key: 'x', mode: 'local', via: 3, client: 2 }],
    [1500, { do: 'transfer-leadership', to: 6 }],
    [2000, { do: 'change-voters', voters: [1, 2, 6] }],
  ];
  // The same actions as a scenario file over free play's settings.
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'raft-url-')), 'url-actions.json');
  const timeline = actions.map(([at, a]) => ({ at, ...a }));
  fs.writeFileSync(file, JSON.stringify({ name: 'url-actions', title: 't', description: 'd', seed: 1, cluster: {}, duration_ms: T, timeline }));
  const cli = spawnSync(RAFTSIM, ['run', file, '--json'], { encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stdout + cli.stderr);
  const want = JSON.parse(cli.stdout);

  const a = Buffer.from(JSON.stringify(actions)).toString('base64url');
  const { page, errors } = await open(ctx, `?a=${a}&t=${T}`);
  await waitForTime(page, T);
  assert.equal(await page.getAttribute('[data-trace-hash]', 'data-trace-hash'), want.trace_hash);
  // S6 leads the new configuration; the nodes it left out are removed.
  assert.equal(await page.locator('[data-role=leader]').getAttribute('data-node-id'), '6');
  assert.equal(await page.locator('[data-member=removed]').count(), 3);
  assert.deepEqual(errors, []);
  await page.close();
});

test('screenshots of six nodes in a joint change, at desktop and phone sizes', async () => {
  const shots = path.join(ROOT, 'target/e2e-screenshots');
  fs.mkdirSync(shots, { recursive: true });
  const actions = [[400, { do: 'add-node' }], [900, { do: 'change-voters', voters: [1, 2, 4, 6] }]];
  const a = Buffer.from(JSON.stringify(actions)).toString('base64url');
  for (const [w, h, name] of [[1280, 800, 'desktop'], [390, 844, 'phone']]) {
    const page = await ctx.context.newPage();
    await page.setViewportSize({ width: w, height: h });
    await page.goto(`${ctx.url}?a=${a}&t=905`);
    await waitForTime(page, 905);
    // Mid-change: the caption names both halves and every voter carries its half.
    assert.match(await page.locator('.config-cap').innerText(), /joint consensus[\s\S]*old \{S1,S2,S3,S4,S5\}[\s\S]*new \{S1,S2,S4,S6\}/);
    assert.equal(await page.locator('[data-half=old]').count(), 2);
    assert.equal(await page.locator('[data-half=new]').count(), 1);
    await page.screenshot({ path: path.join(shots, `joint-${name}.png`) });
    await page.close();
  }
});

test('with &retire=0 a removed node keeps running, and the setting shows it', async () => {
  const { page, errors } = await open(ctx, '?speed=1&retire=0');
  await page.waitForSelector('[data-role=leader]');
  await waitForQuiet(page);
  const leader = await page.locator('[data-role=leader]').first().getAttribute('data-node-id');
  const victim = ['1', '2', '3', '4', '5'].find((id) => id !== leader);
  await selectNode(page, victim);
  await page.getByRole('button', { name: 'Remove', exact: true }).click();
  // Out of the configuration, but not shut down: it still has a live role.
  await page.waitForSelector(`[data-node-id="${victim}"][data-member=outside]`);
  assert.notEqual(await page.locator(`[data-node-id="${victim}"]`).getAttribute('data-role'), 'removed');
  await page.keyboard.press('Escape');
  await page.getByRole('tab', { name: 'Setup' }).click();
  assert.equal(await page.getByRole('checkbox', { name: /shut down removed nodes/ }).isChecked(), false);
  assert.deepEqual(errors, []);
  await page.close();
});
