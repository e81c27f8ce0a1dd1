-- wrk script: each request POSTs the next prepared form body from BODIES (one line each:
-- "path<TAB>body"); threads take disjoint stripes so no token is sent twice.
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  lines = {}
  for line in io.lines(os.getenv("BODIES")) do
    table.insert(lines, line)
  end
  nthreads = tonumber(os.getenv("THREADS") or "1")
  index = tid
  cookie = os.getenv("COOKIE")
  statuses = {}
end

function request()
  local line = lines[index]
  if line == nil then
    line = lines[#lines]  -- ran out: repeats are refused as "already used" (counted apart)
  end
  index = index + nthreads
  local tab = string.find(line, "\t")
  local target = string.sub(line, 1, tab - 1)
  local body = string.sub(line, tab + 1)
  return wrk.format("POST", target, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
  }, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  io.write(string.format("requests %d, errors: connect %d read %d write %d status %d timeout %d\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
end
