-- wrk script: GET /api/bookings/{id} for a random seeded booking, with a bearer token.
-- Arguments: ids-file bearer-token
function init(args)
  ids, token = {}, args[2]
  for line in io.lines(args[1]) do table.insert(ids, line) end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  local booking = ids[math.random(#ids)]
  return wrk.format("GET", "/api/bookings/" .. booking, { ["Authorization"] = "Bearer " .. token })
end
