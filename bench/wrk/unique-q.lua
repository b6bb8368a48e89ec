-- Department searches with a long q= that is new on every request: the
-- load of the list-cache memory report (issue 6, part 2, item 1). Every
-- answer is built and offered to the cache; none repeats.
local counter = 0

setup = function(thread)
  counter = counter + 1
  thread:set("id", counter)
end

local n = 0
local pad = string.rep("x", 150)

request = function()
  n = n + 1
  return wrk.format("GET", "/api/v1/departments?q=" .. pad .. (id or 0) .. "-" .. n)
end
