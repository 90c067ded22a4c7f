-- POST the 1 KB JSON body whose path is passed after `--` (wrk -s post-echo.lua URL -- body.json).
function init(args)
  local path = assert(args[1], "usage: wrk -s post-echo.lua URL -- BODY_FILE")
  local f = assert(io.open(path, "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end
