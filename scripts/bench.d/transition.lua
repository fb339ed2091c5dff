-- wrk script: every request moves one seeded booking from booking_created to payment_pending,
-- each wrk thread working through its own slice of the ids (no booking is moved twice).
-- Arguments: ids-file thread-count bearer-token
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("slice", #threads)
end

function init(args)
  ids, counter, token = {}, 0, args[3]
  local step, i = tonumber(args[2]), 0
  for line in io.lines(args[1]) do
    i = i + 1
    if (i - slice) % step == 0 then table.insert(ids, line) end
  end
end

function request()
  counter = counter + 1
  local booking = ids[counter] or ids[#ids]
  local body = '{"bookingId":"' .. booking .. '","toStatus":"payment_pending","actorType":"system"}'
  return wrk.format("POST", "/api/core/booking-lifecycle",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end
