// RTK Query (core API, no React) side of benchmarks/bench_peers.py.
//
// Usage: NODE_ENV=production node bench.mjs '<json config>'
// The config carries the sizes, the number of warm-up and timed runs and the scenario
// names; bench_peers.py builds it, so both sides run the same sizes and data shapes.
// Prints one JSON object per line: {scenario, n, ops, median_s, min_s, max_s, runs}
// (memory rows: {scenario, n, unit: "bytes", value}), then {"done": true, ...versions}.
// Written for rtkq; mirrors bench_peers.py step by step.

import { performance } from 'node:perf_hooks'
import { createRequire } from 'node:module'
import { configureStore } from '@reduxjs/toolkit'
import { createApi } from '@reduxjs/toolkit/query'

const config = JSON.parse(process.argv[2] ?? '{}')
const names = config.names
const WARMUP = config.warmup
const REPEAT = config.repeat
const INNER = config.inner

// -- the api: same endpoints, tags and data shapes as bench_peers.py -------------------
const api = createApi({
  reducerPath: 'api',
  baseQuery: () => ({ data: null }),
  tagTypes: ['Item'],
  keepUnusedDataFor: 3600,
  endpoints: (build) => ({
    getItem: build.query({
      queryFn: (id) => ({ data: { id, name: `item ${id}` } }),
      providesTags: (result, error, id) => [{ type: 'Item', id }],
    }),
    listItems: build.query({
      queryFn: () => ({ data: [] }),
      providesTags: [{ type: 'Item', id: 'LIST' }],
    }),
  }),
})

function makeStore() {
  return configureStore({
    reducer: { [api.reducerPath]: api.reducer },
    middleware: (getDefault) => getDefault().concat(api.middleware),
  })
}

const item = (i) => ({ id: i, name: `item ${i}` })

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

// fn(run, setupResult) returns seconds (it times itself) or a promise of them.
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

// 1. plain action through a store with the api middleware mounted
async function dispatchPlain(n) {
  const store = makeStore()
  const action = { type: 'plain/action' }
  await measure(names.dispatch, n, n, null, () => {
    const t0 = now()
    for (let i = 0; i < n; i++) store.dispatch(action)
    return now() - t0
  })
}

// 2. populate n entries: one upsertQueryEntries, n upsertQueryEntries of one entry, then
// n upsertQueryData (awaited)
async function populate(ns, dataNs) {
  const entries = (n) => {
    const list = []
    for (let i = 0; i < n; i++) list.push({ endpointName: 'getItem', arg: i, value: item(i) })
    return list
  }
  for (const n of ns) {
    await measure(names.upsert_entries, n, n, () => ({ store: makeStore(), list: entries(n) }), (run, s) => {
      const t0 = now()
      s.store.dispatch(api.util.upsertQueryEntries(s.list))
      return now() - t0
    })
  }
  // upsertQueryData costs O(entries) per call here (immer copies the queries object on
  // every action), so the Python side picks the sizes it can afford (config.upsert_data_ns).
  // One upsertQueryEntries action per entry (rtkq's "one write per entry", TanStack's
  // setQueryData per key), at those sizes too.
  for (const m of dataNs) {
    await measure(names.upsert_one, m, m, () => ({ store: makeStore(), list: entries(m) }), (run, s) => {
      const t0 = now()
      for (const one of s.list) s.store.dispatch(api.util.upsertQueryEntries([one]))
      return now() - t0
    })
  }
  for (const m of dataNs) {
    await measure(names.upsert_data, m, m, () => makeStore(), async (run, store) => {
      const t0 = now()
      const pending = []
      for (let i = 0; i < m; i++) pending.push(store.dispatch(api.util.upsertQueryData('getItem', i, item(i))))
      for (const p of pending) await p
      return now() - t0
    })
  }
}

// 3. n initiates of distinct args, queryFn answers at once, every request awaited
async function initiateMany(n) {
  await measure(names.initiate, n, n, () => makeStore(), async (run, store) => {
    const t0 = now()
    const pending = []
    for (let i = 0; i < n; i++) pending.push(store.dispatch(api.endpoints.getItem.initiate(i)))
    for (const p of pending) await p
    return now() - t0
  })
}

async function subscribedStore(n) {
  const store = makeStore()
  const list = []
  for (let i = 0; i < n; i++) list.push({ endpointName: 'getItem', arg: i, value: item(i) })
  store.dispatch(api.util.upsertQueryEntries(list))
  const subs = []
  for (let i = 0; i < n; i++) subs.push(store.dispatch(api.endpoints.getItem.initiate(i)))
  await Promise.all(subs)
  return store
}

// 4. invalidate one tag among n subscribed entries: dispatch, and until the refetch lands.
// 4 and 5 time each operation on its own; the first WARMUP * INNER are dropped.
async function invalidateOne(n) {
  const store = await subscribedStore(n)
  const dispatchTimes = []
  const landTimes = []
  if (global.gc) global.gc()
  for (let op = 0; op < (WARMUP + REPEAT) * INNER; op++) {
    const id = (op * 7919) % n
    const t0 = now()
    store.dispatch(api.util.invalidateTags([{ type: 'Item', id }]))
    const t1 = now()
    await Promise.all(store.dispatch(api.util.getRunningQueriesThunk()))
    const t2 = now()
    if (op >= WARMUP * INNER) {
      dispatchTimes.push(t1 - t0)
      landTimes.push(t2 - t0)
    }
  }
  const landed = api.endpoints.getItem.select(0)(store.getState())
  if (landed.status !== 'fulfilled') throw new Error(`entry 0 is ${landed.status} after refetches`)
  emit(names.invalidate_dispatch, n, 1, dispatchTimes)
  emit(names.invalidate_land, n, 1, landTimes)
}

// 5. updateQueryData changing one item of a cached list of n objects, then undo()
async function updateOne(n) {
  const store = makeStore()
  const list = []
  for (let i = 0; i < n; i++) list.push({ id: i, name: `item ${i}`, done: false })
  store.dispatch(api.util.upsertQueryEntries([{ endpointName: 'listItems', arg: undefined, value: list }]))
  const updateTimes = []
  const undoTimes = []
  if (global.gc) global.gc()
  for (let op = 0; op < (WARMUP + REPEAT) * INNER; op++) {
    const k = (op * 7919) % n
    const t0 = now()
    const patch = store.dispatch(
      api.util.updateQueryData('listItems', undefined, (draft) => {
        draft[k].done = true
      }),
    )
    const t1 = now()
    patch.undo()
    const t2 = now()
    if (patch.patches.length !== 1) throw new Error(`expected one patch, got ${patch.patches.length}`)
    if (op >= WARMUP * INNER) {
      updateTimes.push(t1 - t0)
      undoTimes.push(t2 - t1)
    }
  }
  const data = api.endpoints.listItems.select(undefined)(store.getState()).data
  if (data.length !== n || data.some((x) => x.done)) throw new Error('undo did not restore the list')
  emit(names.update, n, 1, updateTimes)
  emit(names.undo, n, 1, undoTimes)
}

// 6. calls x select(arg)(state) over `entries` cached entries
async function selectMany(calls, entries) {
  const store = makeStore()
  const list = []
  for (let i = 0; i < entries; i++) list.push({ endpointName: 'getItem', arg: i, value: item(i) })
  store.dispatch(api.util.upsertQueryEntries(list))
  const state = store.getState()
  await measure(names.select, calls, calls, null, () => {
    const t0 = now()
    for (let i = 0; i < calls; i++) api.endpoints.getItem.select(i % entries)(state)
    return now() - t0
  })
  // selectors made once beforehand, each called once: every timed call is a memo hit
  const made = []
  for (let i = 0; i < entries; i++) made.push(api.endpoints.getItem.select(i))
  for (const selector of made) selector(state)
  await measure(names.select_cached, calls, calls, null, () => {
    const t0 = now()
    for (let i = 0; i < calls; i++) made[i % entries](state)
    return now() - t0
  })
}

// 7. memory: heap retained per cached entry with one subscription: entries written
// with one upsertQueryEntries, then one initiate each (kept subscribed, no refetch)
async function memory(n) {
  const heap = () => {
    global.gc()
    global.gc()
    return process.memoryUsage().heapUsed
  }
  const fill = (m) => subscribedStore(m)
  await fill(100) // load and warm the code paths outside the measurement
  const values = []
  for (let run = 0; run < 3; run++) {
    const before = heap()
    const store = await fill(n)
    const after = heap()
    const queries = Object.keys(store.getState().api.queries).length
    if (queries !== n) throw new Error(`memory: ${queries} entries, expected ${n}`)
    values.push((after - before) / n)
  }
  values.sort((a, b) => a - b)
  process.stdout.write(JSON.stringify({ scenario: names.memory, n, unit: 'bytes', value: values[1] }) + '\n')
}

async function main() {
  const only = new Set(config.only ?? [])
  const want = (key) => only.size === 0 || only.has(key)
  if (want('dispatch')) await dispatchPlain(config.dispatch_n)
  if (want('populate')) await populate(config.populate_ns, config.upsert_data_ns)
  if (want('initiate')) for (const n of config.initiate_ns) await initiateMany(n)
  if (want('invalidate')) for (const n of config.invalidate_ns) await invalidateOne(n)
  if (want('update')) for (const n of config.update_ns) await updateOne(n)
  if (want('select')) await selectMany(config.select_calls, config.select_entries)
  if (want('memory')) await memory(config.memory_n)
  const require = createRequire(import.meta.url)
  const rtk = require('@reduxjs/toolkit/package.json')
  const done = { done: true, node: process.version, rtk: rtk.version, node_env: process.env.NODE_ENV ?? null }
  process.stdout.write(JSON.stringify(done) + '\n')
}

main().then(
  () => process.exit(0), // cache timers (keepUnusedDataFor) would keep the process alive
  (err) => {
    process.stderr.write(String(err && err.stack ? err.stack : err) + '\n')
    process.exit(1)
  },
)
