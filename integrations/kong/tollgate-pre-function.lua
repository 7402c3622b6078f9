-- Kong OSS: ask Tollgate's native API from the access phase (pre-function plugin). Needs
-- KONG_UNTRUSTED_LUA_SANDBOX_REQUIRES=resty.http,cjson.safe (or untrusted_lua = on).
local http = require("resty.http")
local cjson = require("cjson.safe")

local httpc = http.new()
httpc:set_timeout(500)
-- nil when Kong buffered a large body to disk: raise client_body_buffer_size above your prompt sizes.
local body = kong.request.get_raw_body()
local res, err = httpc:request_uri("http://127.0.0.1:8181/v1/authorize", {
  method = "POST",
  headers = { ["Content-Type"] = "application/json" },
  body = cjson.encode({
    method = kong.request.get_method(),
    path = kong.request.get_path_with_query(),
    headers = kong.request.get_headers(),
    body = body,
    source = { address = kong.client.get_forwarded_ip() },
  }),
  keepalive_timeout = 60000,
})
-- Fail closed: no answer, or an answer that is not an allow, never reaches the upstream.
if not res then
  kong.log.err("tollgate unreachable: ", err)
  return kong.response.exit(503, { message = "authorization unavailable" })
end
local decision = res.status == 200 and cjson.decode(res.body) or nil
if type(decision) ~= "table" then
  return kong.response.exit(500, { message = "authorization failed" })
end
if decision.allow ~= true then
  local headers = type(decision.response_headers) == "table" and decision.response_headers or {}
  headers["Content-Type"] = "application/json"
  return kong.response.exit(tonumber(decision.status) or 403, decision.body or "", headers)
end
-- Removals first: they name the client's copies of the identity headers set below.
for _, name in ipairs(decision.remove_headers or {}) do
  kong.service.request.clear_header(name)
end
for name, value in pairs(decision.headers or {}) do
  kong.service.request.set_header(name, value)
end
-- The client's response carries the rate-limit headers (x-ratelimit-*) of an allow too.
for name, value in pairs(type(decision.response_headers) == "table" and decision.response_headers or {}) do
  kong.response.set_header(name, value)
end
