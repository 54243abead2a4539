-- wrk script of the check-in benchmark (bench/checkin.py writes the data and reads the result).
--
--   wrk ... -s bench/checkin.lua <url> -- <scans file> <threads>   the scans of the file
--   wrk ... -s bench/checkin.lua <url> -- healthz                  GET /healthz only
--
-- A line of the scans file is "<activity index>\t<path>\t<json body>": the activities one after
-- the other, each one's scans in scan order. Thread i (from 0) takes lines i+1, i+1+threads, ...
-- and walks them in order, so all threads work through the same activity at a time (the whole
-- venue scanning at once), finishing one activity before moving on to the next. The body's nonce is
-- "a<activity index>-<run>.<scan number>" and is echoed in the answer, which is how answers are
-- counted per activity. done() prints one line "CHECKIN-BENCH <json>".

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  healthz = wrk.format("GET", "/healthz")
  queue = {}
  if args[1] ~= "healthz" then
    local count, n = tonumber(args[2]), 0
    for line in io.lines(args[1]) do
      if n % count == id then
        local path, body = line:match("^%d+\t([^\t]+)\t(.*)$")
        queue[#queue + 1] = wrk.format("POST", path, nil, body)
      end
      n = n + 1
    end
  end
  -- wrk calls request() once on the first thread to check the script, before the run: that
  -- call gets /healthz, so no scan is lost (other threads send that one /healthz for real).
  primed = false
  position, exhausted = 0, 0
  created, repeated, other, bad = 0, 0, 0, 0
  answered, new = {}, {}
end

function request()
  if not primed or #queue == 0 then
    primed = true
    return healthz
  end
  position = position + 1
  if position > #queue then
    exhausted = exhausted + 1
    return healthz
  end
  return queue[position]
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    bad = bad + 1
    if bad <= 3 then
      io.stderr:write(string.format("non-2xx answer %d: %s\n", status, body or ""))
    end
    return
  end
  local k = body and body:match('"nonce":%s*"a(%d+)%-')
  if not k then
    other = other + 1
    return
  end
  answered[k] = (answered[k] or 0) + 1
  if status == 201 then
    created = created + 1
    new[k] = (new[k] or 0) + 1
  else
    repeated = repeated + 1
  end
end

local function json_counts(t)
  local parts = {}
  for k, v in pairs(t) do
    parts[#parts + 1] = string.format('"%s": %d', k, v)
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  local totals = { created = 0, repeated = 0, other = 0, bad = 0, exhausted = 0 }
  local answered_all, new_all = {}, {}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + thread:get(name)
    end
    for k, v in pairs(thread:get("answered")) do
      answered_all[k] = (answered_all[k] or 0) + v
    end
    for k, v in pairs(thread:get("new")) do
      new_all[k] = (new_all[k] or 0) + v
    end
  end
  local e = summary.errors
  io.write(string.format(
    'CHECKIN-BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "created": %d, "repeated": %d, "other": %d, "bad": %d, '
      .. '"exhausted": %d, "errors": {"connect": %d, "read": %d, "write": %d, '
      .. '"status": %d, "timeout": %d}, "answered": %s, "new": %s}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, totals.created, totals.repeated, totals.other, totals.bad, totals.exhausted,
    e.connect, e.read, e.write, e.status, e.timeout,
    json_counts(answered_all), json_counts(new_all)
  ))
end
