-- Department list pages at random offsets (and, with LIMIT_MIN/LIMIT_MAX,
-- random sizes), so nearly every request misses Bureau's page cache and the
-- page is built: what a crawler paging through the whole list costs.
-- Env: LIMIT (default 20) or LIMIT_MIN and LIMIT_MAX; TOTAL, the number of
-- departments (default 20000).
local lo = tonumber(os.getenv("LIMIT_MIN") or os.getenv("LIMIT") or "20")
local hi = tonumber(os.getenv("LIMIT_MAX") or os.getenv("LIMIT") or "20")
local total = tonumber(os.getenv("TOTAL") or "20000")
local counter = 0

setup = function(thread)
  counter = counter + 1
  thread:set("id", counter)
end

init = function(args)
  math.randomseed(os.time() * 1000 + (id or 0))
end

request = function()
  local limit = math.random(lo, hi)
  return wrk.format("GET", "/api/v1/departments?limit=" .. limit .. "&offset=" .. math.random(0, total - limit))
end
