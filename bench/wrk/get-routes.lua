-- Cycles through all 100 /api/v1/resource<N>/<id> routes (requests are pre-built in init, so wrk stays cheap).
local requests = {}
local n = 0

function init(args)
  for i = 0, 99 do
    requests[i] = wrk.format("GET", "/api/v1/resource" .. i .. "/" .. (1000 + i * 7))
  end
end

function request()
  local r = requests[n]
  n = (n + 1) % 100
  return r
end
