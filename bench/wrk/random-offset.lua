-- Department list pages at a random offset (env MAX_OFFSET, default 19980),
-- so nearly every request misses Bureau's page cache and the page is built:
-- what a crawler paging through the whole list costs.
local max = tonumber(os.getenv("MAX_OFFSET") or "19980")
local thread_seed = 0

setup = function(thread)
  thread_seed = thread_seed + 1
  thread:set("seed", thread_seed)
end

init = function(args)
  math.randomseed(os.time() + (seed or 0) * 7919)
end

request = function()
  return wrk.format("GET", "/api/v1/departments?limit=20&offset=" .. math.random(0, max))
end
