# The HTTP/JSON front: route table and mapping units, then end to end over
# real sockets against the real server binary (libcurl as the client).
find_package(CURL REQUIRED)
add_library(backinstock_http_test_support STATIC http/http_client.cc)
target_link_libraries(backinstock_http_test_support PUBLIC backinstock_test_support CURL::libcurl
  nlohmann_json::nlohmann_json absl::synchronization absl::strings absl::time)

backinstock_test(http_unit_test http/route_table_test.cc http/request_mapping_test.cc)
target_link_libraries(http_unit_test PRIVATE backinstock_http)
backinstock_test(http_server_stop_test http/http_server_stop_test.cc)
target_link_libraries(http_server_stop_test PRIVATE backinstock_http)
backinstock_test(http_e2e_test
  http/routes_e2e_test.cc
  http/errors_e2e_test.cc
  http/streams_cors_e2e_test.cc
  http/limits_e2e_test.cc)
target_link_libraries(http_e2e_test PRIVATE backinstock_http_test_support)

# Wix's own JavaScript SDK against the front (tests/http/wix_sdk; `make deps`
# runs npm ci there).
find_program(BACKINSTOCK_NODE node)
if(BACKINSTOCK_NODE)
  set(_wix_sdk_dir ${PROJECT_SOURCE_DIR}/tests/http/wix_sdk)
  add_test(NAME http_wix_sdk
    COMMAND ${BACKINSTOCK_NODE} --test --test-reporter=tap ${_wix_sdk_dir}/wix_sdk.test.mjs
    WORKING_DIRECTORY ${_wix_sdk_dir})
  set_tests_properties(http_wix_sdk PROPERTIES
    ENVIRONMENT "BACKINSTOCK_SERVER_BINARY=$<TARGET_FILE:backinstock-server>" TIMEOUT 120)
endif()
