-- Stand-in for lua-resty-http (not packaged by Debian): request_uri over ngx.location.capture to the
-- /_resty_http location, which proxies to the URL given. Only what the pre-function uses; an option
-- it does not implement is an error, so a change to the shipped Lua cannot pass unnoticed.
local http = {}
http.__index = http

function http.new() return setmetatable({}, http) end
-- The proxy timeouts of /_resty_http stand in for it (nginx.conf).
function http:set_timeout(ms) self.timeout = ms end

local supported = { method = true, headers = true, body = true, keepalive_timeout = true }

function http:request_uri(uri, opts)
  for key in pairs(opts) do assert(supported[key], "resty.http stand-in: option " .. key .. " not implemented") end
  for name in pairs(opts.headers or {}) do
    assert(name:lower() == "content-type", "resty.http stand-in: header " .. name .. " not implemented")
  end
  local res = ngx.location.capture("/_resty_http", {
    method = ngx["HTTP_" .. opts.method],
    body = opts.body,
    vars = { resty_http_uri = uri, resty_http_content_type = (opts.headers or {})["Content-Type"] or "" },
  })
  -- nginx's own answer when the upstream cannot be reached or times out (Tollgate never answers
  -- 502/504 itself); resty.http returns nil and an error then.
  if (res.status == 502 or res.status == 504) and res.body == "" then return nil, "upstream unreachable" end
  return { status = res.status, headers = res.header, body = res.body }
end

return http
