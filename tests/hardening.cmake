# Hardening: asymmetric (ES256) tokens and key rotation on SIGHUP.
add_library(backinstock_es256_test_keys STATIC hardening/es256_keys.cc)
target_include_directories(backinstock_es256_test_keys PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(backinstock_es256_test_keys PUBLIC nlohmann_json::nlohmann_json
  PkgConfig::LIBJWT OpenSSL::Crypto absl::strings)

backinstock_test(es256_test hardening/es256_test.cc)
target_link_libraries(es256_test PRIVATE backinstock_es256_test_keys)
backinstock_test(key_rotation_test hardening/key_rotation_test.cc)
target_link_libraries(key_rotation_test PRIVATE backinstock_es256_test_keys)
# Bad input end to end: malformed bytes to every method, oversized messages and metadata.
backinstock_test(malformed_input_test hardening/malformed_input_test.cc)
