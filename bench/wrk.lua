-- The throughput phase of bench/load.py: wrk sends one entry's requests, read from a file
-- that bench/load.py writes, as fast as its connections get answers, for wrk's -d time.
--
--   wrk -t4 -c4 -d2s -s bench/wrk.lua -H "Cookie: ..." http://127.0.0.1:PORT -- FILE
--
-- One connection per thread. FILE: the status every answer must have on its first line,
-- then one request per line, "THREAD<tab>METHOD<tab>PATH<tab>BODY" (THREAD from 0, the body
-- form-encoded or empty): each thread sends its own lines in order, each after the previous
-- one's answer, so saves that build on the one before (a note's version) never cross. A
-- thread that has sent all its lines starts them again and says so. done() prints one line:
-- "wrk requests=... seconds=... p50=... p95=... p99=... errors=... first_error=...
-- exhausted=...", the latencies in milliseconds.

local threads = {}

function setup(thread)
   thread:set("number", #threads)
   table.insert(threads, thread)
end

function init(args)
   local file = assert(io.open(args[1]), "cannot read " .. tostring(args[1]))
   expected = tonumber(file:read("*l"))
   prepared = {}
   for line in file:lines() do
      local thread, method, path, body = line:match("^(%d+)\t(%u+)\t([^\t]*)\t(.*)$")
      if tonumber(thread) == number then
         prepared[#prepared + 1] = wrk.format(method, path, nil, body ~= "" and body or nil)
      end
   end
   file:close()
   sent, unexpected, first_error, exhausted = 0, 0, "", 0
   -- Before starting, wrk calls the first thread's request() once to look at what it
   -- returns, and never sends that: it must not use up a line.
   looked_at = number ~= 0
end

function request()
   if not looked_at then
      looked_at = true
      return prepared[1]
   end
   sent = sent + 1
   if sent > #prepared then
      exhausted = 1
   end
   return prepared[(sent - 1) % #prepared + 1]
end

function response(status, headers, body)
   if status ~= expected then
      unexpected = unexpected + 1
      if first_error == "" then
         first_error = "HTTP " .. status
      end
   end
end

function done(summary, latency, requests)
   local unexpected, first_error, exhausted = 0, "", 0
   for _, thread in ipairs(threads) do
      unexpected = unexpected + thread:get("unexpected")
      exhausted = math.max(exhausted, thread:get("exhausted"))
      if first_error == "" then
         first_error = thread:get("first_error")
      end
   end
   local failed = summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout
   if failed > 0 and first_error == "" then
      first_error = "connection errors"
   end
   io.write(string.format(
      "wrk requests=%d seconds=%.6f p50=%.3f p95=%.3f p99=%.3f errors=%d first_error=%s "
         .. "exhausted=%d\n",
      summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
      latency:percentile(95) / 1e3, latency:percentile(99) / 1e3, failed + unexpected,
      (first_error:gsub(" ", "_")), exhausted))
end
