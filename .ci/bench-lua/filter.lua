-- GET {base}/Users?filter=userName eq "user{i}@bench.example" with i drawn at random from the
-- seeded users. Usage: wrk ... -s filter.lua URL -- USER_COUNT
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
require "common"

local user_count
local users_path

function init(args)
   user_count = tonumber(args[1])
   if not user_count or user_count < 1 then
      error("filter.lua needs the number of seeded users after --, such as -- 100000")
   end
   users_path = scim_base() .. "/Users?filter=userName%20eq%20%22user"
   seed_random()
end

function request()
   local index = math.random(0, user_count - 1)
   return wrk.format("GET", users_path .. index .. "%40bench.example%22", scim_headers)
end
