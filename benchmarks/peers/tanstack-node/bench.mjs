// TanStack Query (query-core, no framework) side of benchmarks/bench_peers.py.
//
// Usage: NODE_ENV=production node --expose-gc bench.mjs '<json config>'
// The config carries the sizes, the number of warm-up and timed runs and the scenario
// names; bench_peers.py builds it, so every side runs the same sizes and data shapes.
// Prints one JSON object per line: {scenario, n, ops, median_s, min_s, max_s, runs}
// (memory rows: {scenario, n, unit: "bytes", value}), then {"done": true, ...versions}.
// Written for rtkq; each scenario uses TanStack's own idiomatic call (see
// benchmarks/README.md for the mapping).
//
// Options are given per query, never through `new QueryClient({ defaultOptions })`: on
// Node 20 client-wide query defaults push every key-based call (setQueryData,
// getQueryData, fetchQuery) onto a slower V8 path, so this compares with TanStack at its
// best. gcTime is 3600 s wherever a call takes options (rtkq and RTK Query keep unused
// data 3600 s); setQueryData/getQueryData take no query options and keep the 5 min
// default, longer than any run here, so no entry is collected mid-run either way.

import { performance } from 'node:perf_hooks'
import { createRequire } from 'node:module'
import { QueryClient, QueryObserver } from '@tanstack/query-core'

const config = JSON.parse(process.argv[2] ?? '{}')
const names = config.names
const WARMUP = config.warmup
const REPEAT = config.repeat
const INNER = config.inner
const GC_TIME = 3600 * 1000

const item = (i) => ({ id: i, name: `item ${i}` })
const itemKey = (i) => ['item', i]
const LIST_KEY = ['items']
const itemQuery = (i) => ({
  queryKey: itemKey(i),
  queryFn: () => item(i),
  gcTime: GC_TIME,
  // rtkq / RTK Query entries do not go stale with time (no refetch on mount); an
  // invalidation refetches an observed query whatever its staleTime.
  staleTime: Infinity,
})

function makeClient() {
  const client = new QueryClient()
  client.mount()
  return client
}

// -- timing: warm-ups excluded; every run gets a fresh setup when one is given ---------
function emit(scenario, n, ops, times) {
  const sorted = [...times].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  const row = {
    scenario,
    n,
    ops,
    median_s: median,
    min_s: sorted[0],
    max_s: sorted[sorted.length - 1],
    runs: sorted.length,
  }
  process.stdout.write(JSON.stringify(row) + '\n')
}

async function measure(scenario, n, ops, setup, fn) {
  const times = []
  for (let run = 0; run < WARMUP + REPEAT; run++) {
    const arg = setup ? await setup() : undefined
    if (global.gc) global.gc()
    const seconds = await fn(run, arg)
    if (run >= WARMUP) times.push(seconds)
  }
  emit(scenario, n, ops, times)
}

const now = () => performance.now() / 1e3

// 2. populate: setQueryData on n distinct keys (TanStack has no bulk write; the same call
// stands for rtkq's one upsert_query_entries and for its one write per entry; it has no
// async per-entry write to set against upsert_query_data).
async function populate(ns, oneNs) {
  const run = (m) => (r, client) => {
    const t0 = now()
    for (let i = 0; i < m; i++) client.setQueryData(itemKey(i), item(i))
    return now() - t0
  }
  for (const n of ns) await measure(names.upsert_entries, n, n, makeClient, run(n))
  for (const m of oneNs) await measure(names.upsert_one, m, m, makeClient, run(m))
}

// 3. n concurrent fetchQuery of distinct keys, every one awaited
async function fetchMany(n) {
  await measure(names.initiate, n, n, makeClient, async (run, client) => {
    const t0 = now()
    const pending = []
    for (let i = 0; i < n; i++) pending.push(client.fetchQuery(itemQuery(i)))
    for (const p of pending) await p
    return now() - t0
  })
}

// n cached queries, each with one active (subscribed) QueryObserver
function observedClient(n) {
  const client = makeClient()
  const listener = () => {}
  for (let i = 0; i < n; i++) {
    client.setQueryData(itemKey(i), item(i))
    new QueryObserver(client, itemQuery(i)).subscribe(listener)
  }
  return client
}

// 4. invalidateQueries of one exact key among n observed queries: the call, and until
// the refetch has landed (its promise resolves).
async function invalidateOne(n) {
  const client = observedClient(n)
  const dispatchTimes = []
  const landTimes = []
  if (global.gc) global.gc()
  for (let op = 0; op < (WARMUP + REPEAT) * INNER; op++) {
    const id = (op * 7919) % n
    const t0 = now()
    const landed = client.invalidateQueries({ queryKey: itemKey(id), exact: true })
    const t1 = now()
    await landed
    const t2 = now()
    if (op >= WARMUP * INNER) {
      dispatchTimes.push(t1 - t0)
      landTimes.push(t2 - t0)
    }
  }
  const state = client.getQueryState(itemKey(0))
  if (state.status !== 'success') throw new Error(`query 0 is ${state.status} after refetches`)
  if (client.getQueryState(itemKey(7919 % n)).dataUpdateCount < 2) throw new Error('no refetch landed')
  emit(names.invalidate_dispatch, n, 1, dispatchTimes)
  emit(names.invalidate_land, n, 1, landTimes)
}

// 5. optimistic update: setQueryData replacing one item of a cached n-list (immutably),
// then restoring the previous value (TanStack's undo: keep the old data, set it back).
async function updateOne(n) {
  const client = makeClient()
  const list = []
  for (let i = 0; i < n; i++) list.push({ id: i, name: `item ${i}`, done: false })
  client.setQueryData(LIST_KEY, list)
  const updateTimes = []
  const undoTimes = []
  if (global.gc) global.gc()
  for (let op = 0; op < (WARMUP + REPEAT) * INNER; op++) {
    const k = (op * 7919) % n
    const t0 = now()
    const previous = client.getQueryData(LIST_KEY)
    client.setQueryData(LIST_KEY, (old) => {
      const next = old.slice()
      next[k] = { ...old[k], done: true }
      return next
    })
    const t1 = now()
    client.setQueryData(LIST_KEY, previous)
    const t2 = now()
    if (op >= WARMUP * INNER) {
      updateTimes.push(t1 - t0)
      undoTimes.push(t2 - t1)
    }
  }
  const data = client.getQueryData(LIST_KEY)
  if (data.length !== n || data.some((x) => x.done)) throw new Error('restore did not restore the list')
  emit(names.update, n, 1, updateTimes)
  emit(names.undo, n, 1, undoTimes)
}

// 6. calls x getQueryData(key) over `entries` cached keys
async function selectMany(calls, entries) {
  const client = makeClient()
  for (let i = 0; i < entries; i++) client.setQueryData(itemKey(i), item(i))
  await measure(names.select, calls, calls, null, () => {
    const t0 = now()
    for (let i = 0; i < calls; i++) client.getQueryData(itemKey(i % entries))
    return now() - t0
  })
}

// 7. memory: heap retained per cached entry with one subscriber: setQueryData, then an
// active (subscribed) QueryObserver each, as the other sides' upsert + initiate
async function memory(n) {
  const heap = () => {
    global.gc()
    global.gc()
    return process.memoryUsage().heapUsed
  }
  const fill = async (m) => {
    const client = observedClient(m)
    await new Promise((resolve) => setTimeout(resolve, 5)) // let batched notifications run
    return client
  }
  await fill(100) // load and warm the code paths outside the measurement
  const values = []
  for (let run = 0; run < 3; run++) {
    const before = heap()
    const client = await fill(n)
    const after = heap()
    if (client.getQueryData(itemKey(n - 1))?.id !== n - 1) throw new Error('memory: entry missing')
    if (client.getQueryCache().getAll().length !== n) throw new Error('wrong number of queries')
    values.push((after - before) / n)
    client.clear()
  }
  values.sort((a, b) => a - b)
  process.stdout.write(JSON.stringify({ scenario: names.memory, n, unit: 'bytes', value: values[1] }) + '\n')
}

async function main() {
  if (!global.gc) throw new Error('run with node --expose-gc')
  const only = new Set(config.only ?? [])
  const want = (key) => only.size === 0 || only.has(key)
  if (want('populate')) await populate(config.populate_ns, config.upsert_one_ns)
  if (want('initiate')) for (const n of config.initiate_ns) await fetchMany(n)
  if (want('invalidate')) for (const n of config.invalidate_ns) await invalidateOne(n)
  if (want('update')) for (const n of config.update_ns) await updateOne(n)
  if (want('select')) await selectMany(config.select_calls, config.select_entries)
  if (want('memory')) await memory(config.memory_n)
  const require = createRequire(import.meta.url)
  const tanstack = require('@tanstack/query-core/package.json')
  const done = {
    done: true,
    node: process.version,
    tanstack: tanstack.version,
    node_env: process.env.NODE_ENV ?? null,
  }
  process.stdout.write(JSON.stringify(done) + '\n')
}

main().then(
  () => process.exit(0), // gc timers would keep the process alive
  (err) => {
    process.stderr.write(String(err && err.stack ? err.stack : err) + '\n')
    process.exit(1)
  },
)
