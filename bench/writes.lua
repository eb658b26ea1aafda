-- The requests of bench/writes.py (see its docstring), for wrk -s. wrk runs a copy of this
-- script per thread; the arguments after "--" are
--   mode    "credits" or "pay"
--   path    the path; for pay a format with %d where the invoice id goes
--   seed    random, new for each wrk run (bench/writes.py draws it)
--   first   pay: the first invoice id to pay; thread t pays first + t, first + t + stride, ...
--   last    pay: the last invoice id that may be paid (requests beyond it are counted)
--   stride  pay: the number of wrk threads
-- Every request carries a fresh Idempotency-Key: seed-thread-counter. done() prints one line,
-- "writes.lua: {json}", with what the threads sent and the status codes they got.

local threads = {}

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

function init(args)
   mode, path, seed = args[1], args[2], args[3]
   first, last, stride = tonumber(args[4]), tonumber(args[5]), tonumber(args[6])
   counter, sent, answered, beyond = 0, 0, 0, 0
   checked = tid ~= 0
   statuses = {}
   headers = {}
   for name, value in pairs(wrk.headers) do
      headers[name] = value
   end
   headers["Content-Type"] = "application/json"
   if mode == "credits" then
      body = '{"amount_cents": 100}'
   else
      body = ""  -- sent as Content-Length: 0
   end
end

local function build(n)
   headers["Idempotency-Key"] = string.format("%s-%d-%d", seed, tid, n)
   local target = path
   if mode == "pay" then
      target = string.format(path, first + tid + (n - 1) * stride)
   end
   return wrk.format("POST", target, headers, body)
end

function request()
   if not checked then
      -- wrk calls the first thread's request() once before it starts, to check what it
      -- returns; that request is never sent, so it is not counted.
      checked = true
      return build(counter + 1)
   end
   counter = counter + 1
   sent = sent + 1
   if mode == "pay" and first + tid + (counter - 1) * stride > last then
      beyond = beyond + 1
   end
   return build(counter)
end

function response(status, headers, body)
   answered = answered + 1
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local sent_, answered_, beyond_, codes = 0, 0, 0, {}
   for _, thread in ipairs(threads) do
      sent_ = sent_ + thread:get("sent")
      answered_ = answered_ + thread:get("answered")
      beyond_ = beyond_ + thread:get("beyond")
      for status, count in pairs(thread:get("statuses")) do
         codes[status] = (codes[status] or 0) + count
      end
   end
   local parts = {}
   for status, count in pairs(codes) do
      parts[#parts + 1] = string.format('"%d": %d', status, count)
   end
   local errors = summary.errors
   io.write(string.format(
      'writes.lua: {"sent": %d, "answered": %d, "beyond": %d, "statuses": {%s}, '
         .. '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}}\n',
      sent_, answered_, beyond_, table.concat(parts, ", "),
      errors.connect, errors.read, errors.write, errors.timeout
   ))
end
