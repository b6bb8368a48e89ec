-- Conditional GETs: every request carries If-None-Match with the ETag that
-- run.sh read from the server (env ETAG), so a correct server answers 304.
local etag = os.getenv("ETAG")
if etag == nil or etag == "" then
  error("inm.lua: set ETAG to the quoted entity tag")
end
wrk.headers["If-None-Match"] = etag
