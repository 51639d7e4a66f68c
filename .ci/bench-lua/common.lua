-- Helpers for the wrk scripts of .ci/bench. wrk runs each script in one Lua state per thread.
-- setup() runs in the main state and gives each thread its number, so that threads draw
-- different random sequences and build different userNames.

local thread_count = 0

function setup(thread)
   thread_count = thread_count + 1
   thread:set("thread_number", thread_count)
end

-- The SCIM base path taken from the URL given to wrk, such as /scim/v2, without a trailing slash.
function scim_base()
   return (wrk.path:gsub("/+$", ""))
end

function seed_random()
   math.randomseed(os.time() * 100 + (thread_number or 0))
end

scim_headers = {
   ["Content-Type"] = "application/scim+json",
   ["Accept"] = "application/scim+json",
}
