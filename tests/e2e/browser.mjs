// Launches Debian's Chromium headless through playwright-core, with the flags this closed
// network needs (see TOOLCHAIN.md), and serves the release build from dist/.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve } from './server.mjs';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const DIST = path.join(ROOT, 'dist');

export async function launch() {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) {
    throw new Error('dist/index.html is missing: build the page first (scripts/build.sh)');
  }
  const server = await serve(DIST);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'raft-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    viewport: { width: 1280, height: 800 },
  });
  return {
    context,
    url: server.url,
    async close() {
      await context.close();
      await server.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/// Opens a page and collects every request it makes and every page error.
export async function open(ctx, query = '') {
  const page = await ctx.context.newPage();
  const requests = [];
  const errors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(ctx.url + query);
  await page.waitForSelector('[data-trace-hash]');
  return { page, requests, errors };
}

/// The id of the (first) node drawn as leader.
export const leaderId = (page) => page.locator('[data-role=leader]').first().getAttribute('data-node-id');

/// Waits until the app reports virtual time `t` (after a seek from the URL, a step or a key).
export async function waitForTime(page, t) {
  await page.waitForFunction((t) => document.querySelector('[data-time-ms]')?.getAttribute('data-time-ms') === String(t), t);
}
