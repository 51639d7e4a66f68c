-- POST {base}/Users with a new userName on every request: load-{tag}-{thread}-{n}@bench.example.
-- Usage: wrk ... -s post.lua URL -- TAG, where TAG differs between runs against one server.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
require "common"

local tag
local users_path
local sent = 0

function init(args)
   tag = args[1]
   if not tag or tag == "" then
      error("post.lua needs a run tag after --, such as -- run1")
   end
   users_path = scim_base() .. "/Users"
end

function request()
   sent = sent + 1
   local user_name = string.format("load-%s-%d-%d@bench.example", tag, thread_number, sent)
   local body = string.format(
      '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"%s",'
         .. '"externalId":"load-%s-%d-%d","name":{"givenName":"Load","familyName":"User %d"},'
         .. '"displayName":"Load User %d","emails":[{"value":"%s","type":"work","primary":true}],'
         .. '"active":true}',
      user_name, tag, thread_number, sent, sent, sent, user_name)
   return wrk.format("POST", users_path, scim_headers, body)
end
