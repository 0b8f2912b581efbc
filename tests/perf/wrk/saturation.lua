-- wrk script for the saturation stages of tests/perf/bench.py (no think time).
-- BENCH_WRK_DATA names a Lua file written by bench.py:
-- { expect = <status>, prefix = <unique per run and stage>, devices = { { request, ... }, ... } },
-- each request { method, path, headers, body } where "{key}" in the body becomes a fresh
-- idempotency key (unique in the whole database), as every tap on a tablet carries. Each wrk thread owns one connection and takes
-- its own entry (wrapping round), so one connection is one device, as in a real room; a device
-- with several entries (a voter putting a point then taking it back) plays them in turn.
-- done() prints one JSON line that bench.py reads.

local data = dofile(os.getenv("BENCH_WRK_DATA"))
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local device, turn, sent, prefix
unexpected = 0 -- a global: done() reads it from each thread

function init(args)
  local devices = data.devices
  device = devices[(id % #devices) + 1]
  turn, sent = 0, 0
  prefix = string.format("%s-%d-", data.prefix, id)
end

function request()
  turn = turn % #device + 1
  sent = sent + 1
  local r = device[turn]
  local body = r.body and r.body:gsub("{key}", prefix .. sent) or nil
  return wrk.format(r.method, r.path, r.headers, body)
end

function response(status, headers, body)
  if status ~= data.expect then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local wrong = 0
  for _, thread in ipairs(threads) do
    wrong = wrong + thread:get("unexpected")
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "unexpected_status": %d, '
    .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, wrong,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
