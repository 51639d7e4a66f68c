-- PATCH {base}/Users/{id} replacing displayName, with id drawn at random from the ids that
-- `scimtape-bench seed --ids-file` wrote. Usage: wrk ... -s patch.lua URL -- IDS_FILE
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
require "common"

local ids = {}
local users_path
local sent = 0

function init(args)
   local file = args[1] and io.open(args[1], "r")
   if not file then
      error("patch.lua needs a readable ids file after --, such as -- ids.txt")
   end
   for line in file:lines() do
      if line ~= "" then
         ids[#ids + 1] = line
      end
   end
   file:close()
   if #ids == 0 then
      error("the ids file " .. args[1] .. " holds no ids")
   end
   users_path = scim_base() .. "/Users/"
   seed_random()
end

function request()
   sent = sent + 1
   local id = ids[math.random(1, #ids)]
   local body = string.format(
      '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],'
         .. '"Operations":[{"op":"replace","path":"displayName","value":"Patched %d-%d"}]}',
      thread_number, sent)
   return wrk.format("PATCH", users_path .. id, scim_headers, body)
end
