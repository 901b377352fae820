# Tests of what the performance work touched: the SHA-256 behind catalog keys.
backinstock_test(catalog_key_test store/catalog_key_test.cc)
