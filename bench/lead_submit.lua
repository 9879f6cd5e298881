-- wrk script for bench/lead_submit.py: `wrk -s lead_submit.lua <url> -- <config.lua>`.
--
-- Every request posts a new, unique lead (a counter per wrk thread, the thread's number
-- and a tag per phase go into the prospect's name, e-mail, domain and company, so the
-- duplicate rule never matches). For the portal, each thread cycles through its own
-- referrers (one per connection: session and CSRF cookies, the CSRF form field).
-- A response counts as good only when it is the expected one: the portal's 302 to
-- /leads/<id>/ (a 302 to the login page would be a failure wrk itself cannot see), or
-- the bare view's 201. done() prints one line, "BENCH_RESULT {json}", for the script.

local threads = {}

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

function init(args)
   local cfg = dofile(args[1])
   mode = cfg.mode
   tag = cfg.tag
   program = cfg.program
   nthreads = cfg.threads
   mine = {}
   -- Referrers i (1-based) with (i - 1) % nthreads == tid belong to this thread.
   for i, referrer in ipairs(cfg.referrers or {}) do
      if (i - 1) % nthreads == tid then
         table.insert(mine, referrer)
      end
   end
   counter = 0
   good = 0
   bad = 0
   first_bad = ""
   wrk.method = "POST"
   wrk.path = cfg.path
end

function request()
   counter = counter + 1
   local id = tag .. "-" .. tid .. "-" .. counter
   local body = "program=" .. program
      .. "&name=Prospect+" .. id
      .. "&email=p." .. id .. "%40c" .. id .. ".example"
      .. "&phone="
      .. "&company=Company+" .. id
      .. "&notes=Met+at+the+trade+fair%3B+wants+a+demo+next+week."
      .. "&consent=on"
   -- wrk.format() replaces wrk.headers with the table it is given.
   local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
   if mode == "portal" or mode == "floor" then
      local r = mine[(counter - 1) % #mine + 1]
      body = body .. "&csrfmiddlewaretoken=" .. r.csrf
      headers["Cookie"] = "sessionid=" .. r.session .. "; csrftoken=" .. r.csrf
   end
   return wrk.format(nil, nil, headers, body)
end

function response(status, headers, body)
   local ok
   if mode == "portal" then
      local location = headers["Location"] or headers["location"] or ""
      ok = status == 302 and string.match(location, "^/leads/%d+/$") ~= nil
   else
      ok = status == 201
   end
   if ok then
      good = good + 1
   else
      bad = bad + 1
      if first_bad == "" then
         local location = headers["Location"] or headers["location"] or ""
         first_bad = status .. " " .. location .. " " .. string.sub(body or "", 1, 200)
      end
   end
end

local function json_string(s)
   s = string.gsub(s, '[%c"\\]', function(c)
      return string.format("\\u%04x", string.byte(c))
   end)
   return '"' .. s .. '"'
end

function done(summary, latency, requests)
   local good_total, bad_total, first = 0, 0, ""
   for _, thread in ipairs(threads) do
      good_total = good_total + (thread:get("good") or 0)
      bad_total = bad_total + (thread:get("bad") or 0)
      if first == "" then
         first = thread:get("first_bad") or ""
      end
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"requests":%d,"duration_us":%d,"good":%d,"bad":%d,'
         .. '"socket_errors":%d,"status_errors":%d,"timeouts":%d,'
         .. '"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,"first_bad":%s}\n',
      summary.requests, summary.duration, good_total, bad_total,
      e.connect + e.read + e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
      json_string(first)))
end
