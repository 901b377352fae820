# Unit tests of the verified-token cache (server/auth/token_cache.h).
backinstock_test(auth_cache_test auth/token_cache_test.cc)
