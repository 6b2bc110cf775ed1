-- wrk script for bench/webhook.py: each connection posts pre-signed callbacks from a file,
-- thread i taking every n-th line, so no callback is sent twice; prints one JSON summary line.
-- File format, one request per line: <signature> <tab> <raw body>. Arguments: file, threads, [cookie].
-- Each answer's Server-Timing (the app's own time, request received -> transaction committed) is
-- kept per thread and summarised in the same line.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local path, nthreads = args[1], tonumber(args[2])
  cookie = args[3]  -- optional: sent with every request, as a browser sends its session cookie
  bodies, signatures, position, app_ms = {}, {}, 0, {}
  local index = 0
  for line in io.lines(path) do
    if index % nthreads == id then
      local signature, body = line:match("^(%S*)\t(.*)$")
      table.insert(signatures, signature)
      table.insert(bodies, body)
    end
    index = index + 1
  end
end

function response(status, headers, body)
  local timing = headers["server-timing"] or headers["Server-Timing"]
  if timing then
    local dur = timing:match("dur=([%d%.]+)")
    if dur then table.insert(app_ms, tonumber(dur)) end
  end
end

function request()
  position = position + 1
  local i = ((position - 1) % #bodies) + 1
  local headers = {["Content-Type"] = "application/json", ["X-Callback-Event"] = "payment_status"}
  if signatures[i] ~= "" then headers["X-Callback-Signature"] = signatures[i] end
  if cookie and cookie ~= "" then headers["Cookie"] = cookie end
  return wrk.format("POST", nil, headers, bodies[i])
end

local function percentile(sorted, p)
  if #sorted == 0 then return -1 end
  return sorted[math.max(1, math.ceil(#sorted * p / 100))]
end

function done(summary, latency, requests)
  local app = {}
  for _, thread in ipairs(threads) do
    for _, ms in ipairs(thread:get("app_ms") or {}) do table.insert(app, ms) end
  end
  table.sort(app)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non2xx": %d, "errors": %d, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
    '"app_count": %d, "app_p50_ms": %.2f, "app_p95_ms": %.2f, "app_p99_ms": %.2f}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    #app, percentile(app, 50), percentile(app, 95), percentile(app, 99)))
end
