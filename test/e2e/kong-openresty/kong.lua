-- Stand-in for the part of Kong's PDK that integrations/kong/tollgate-pre-function.lua calls, each
-- function written as Kong 3.x implements it over the same ngx API (kong/pdk/*.lua), so the shipped
-- Lua runs unchanged inside nginx's Lua module. Anything else it calls is nil and fails the test.
local cjson = require("cjson.safe")

local kong = { request = {}, client = {}, response = {}, service = { request = {} }, log = {} }

function kong.request.get_method() return ngx.req.get_method() end
function kong.request.get_path_with_query() return ngx.var.request_uri end
function kong.request.get_headers() return ngx.req.get_headers(100) end
-- Kong reads the buffered body; nil when nginx wrote it to a temp file.
function kong.request.get_raw_body()
  ngx.req.read_body()
  return ngx.req.get_body_data()
end
-- Without trusted_ips configured Kong's forwarded IP is the peer's address.
function kong.client.get_forwarded_ip() return ngx.var.remote_addr end
function kong.log.err(...) ngx.log(ngx.ERR, ...) end

function kong.service.request.set_header(name, value) ngx.req.set_header(name, value) end
function kong.service.request.clear_header(name) ngx.req.clear_header(name) end

-- As Kong: a header on the response the client gets (the upstream's answer, when the call goes on).
function kong.response.set_header(name, value) ngx.header[name] = value end

-- As Kong: a table body is sent as JSON, a string as is, with the status and headers given; the
-- request ends here and never reaches the upstream.
function kong.response.exit(status, body, headers)
  ngx.status = status
  for name, value in pairs(headers or {}) do ngx.header[name] = value end
  if type(body) == "table" then
    ngx.header["Content-Type"] = "application/json; charset=utf-8"
    body = cjson.encode(body)
  end
  if body ~= nil and body ~= "" then ngx.print(body) end
  return ngx.exit(status)
end

return kong
