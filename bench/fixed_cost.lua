-- PATCH /me with a small JSON body, for bench/fixed_cost.py:
--   wrk -s bench/fixed_cost.lua URL -- BODY
-- The Authorization header comes from wrk's -H; the body from the script's argument (the
-- bench's PATCH_BODY). Every request is the same: it sets the same bio each time, a profile
-- UPDATE per request, as a client saving its settings does.

wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json"

function init(args)
   wrk.body = args[1] or '{"bio": "Measured by bench/fixed_cost.lua."}'
end
