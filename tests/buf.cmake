# The README's grpcurl-style walkthrough with `buf curl` (npm @bufbuild/buf,
# installed by `make deps` into tests/buf/node_modules).
set(BACKINSTOCK_BUF "${PROJECT_SOURCE_DIR}/tests/buf/node_modules/.bin/buf")
if(TARGET backinstockctl)
  add_test(NAME reflection.buf_curl_walkthrough
    COMMAND ${PROJECT_SOURCE_DIR}/tests/buf/buf_curl_test.sh
      $<TARGET_FILE:backinstock-server> $<TARGET_FILE:backinstockctl> ${BACKINSTOCK_BUF}
      ${PROJECT_SOURCE_DIR}/config/dev-keys.json)
  set_tests_properties(reflection.buf_curl_walkthrough PROPERTIES TIMEOUT 120)
endif()
