// Orders function bodies so that gzip finds more matches: deflate only looks back 32 KB, and the
// compiler lays out functions in an order that keeps look-alikes (the monomorphized copies of one
// generic, the views of sibling components) far apart. Greedy: after each function, take the one
// whose byte sequences are most present in the last WINDOW bytes placed: their count over the
// square root of its number of sequences (over the number itself, small functions that share a
// few sequences won too often: 0.4-0.6 KB more). On the page's wasm this saves ~8 KB of gzip
// (docs/performance.md); the code itself does not change.

const SHINGLE = 8; // bytes per sequence compared
const WINDOW = 32 * 1024; // deflate's look-back distance

/// Returns the function indices (into `bodies`) in the order to lay them out. Deterministic:
/// ties go to the lower index.
export function gzipFriendlyOrder(bodies) {
  const n = bodies.length;
  // Each function's distinct shingles, as ids, and the functions each shingle occurs in.
  const ids = new Map();
  const shingles = bodies.map((body) => {
    const own = new Set();
    const last = Math.max(1, body.length - SHINGLE + 1);
    for (let i = 0; i < last; i++) {
      const key = Buffer.from(body.subarray(i, i + SHINGLE)).toString('latin1');
      let id = ids.get(key);
      if (id === undefined) ids.set(key, (id = ids.size));
      own.add(id);
    }
    return [...own];
  });
  const holders = Array.from({ length: ids.size }, () => []);
  shingles.forEach((own, f) => own.forEach((id) => holders[id].push(f)));

  // score[f]: how many of f's shingles are in the window; inWindow[id]: copies of id there.
  const score = new Int32Array(n);
  const inWindow = new Int32Array(ids.size);
  const placed = new Uint8Array(n);
  const order = [];
  const window = [];
  let windowBytes = 0;
  const enter = (f, delta) => {
    for (const id of shingles[f]) {
      inWindow[id] += delta;
      // Only a shingle's first copy entering, or its last leaving, changes the scores.
      if (inWindow[id] === (delta > 0 ? 1 : 0)) for (const g of holders[id]) score[g] += delta;
    }
  };
  const place = (f) => {
    placed[f] = 1;
    order.push(f);
    window.push(f);
    windowBytes += bodies[f].length;
    enter(f, 1);
    while (windowBytes > WINDOW) {
      const old = window.shift();
      windowBytes -= bodies[old].length;
      enter(old, -1);
    }
  };

  if (n > 0) place(0);
  while (order.length < n) {
    let best = -1;
    let bestShare = -1;
    for (let f = 0; f < n; f++) {
      if (placed[f]) continue;
      const share = score[f] / Math.sqrt(shingles[f].length);
      if (share > bestShare) [best, bestShare] = [f, share];
    }
    place(best);
  }
  return order;
}
