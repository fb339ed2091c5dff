-- wrk script: GET /api/bookings/{id} for a random seeded booking, with a bearer token.
-- Arguments: ids-file bearer-token [path-prefix, default /api/bookings/]
function init(args)
  ids, token, prefix = {}, args[2], args[3] or "/api/bookings/"
  for line in io.lines(args[1]) do table.insert(ids, line) end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  local booking = ids[math.random(#ids)]
  return wrk.format("GET", prefix .. booking, { ["Authorization"] = "Bearer " .. token })
end
