# The notification email's API: what the template store backends add to its
# contract (tests/store.cmake); the template rules; the gRPC service end to
# end over a real server (memory, --data_dir restarts, etcd replicas) and a
# real SMTP relay (aiosmtpd).
backinstock_test(email_template_store_test email_api/email_template_store_test.cc)
target_link_libraries(email_template_store_test PRIVATE backinstock_store_test_support)
backinstock_test(email_template_manager_test email_api/email_template_manager_test.cc)
backinstock_test(email_client_test email_api/email_client_test.cc)
target_link_libraries(email_client_test PRIVATE backinstock_client)

# The Python and Node clients know the email service (client/python/tests,
# client/node/test), against the real server binary.
add_test(NAME python_client.email
  COMMAND ${BACKINSTOCK_PYTHON} ${PROJECT_SOURCE_DIR}/client/python/tests/test_email.py -v)
set_tests_properties(python_client.email PROPERTIES TIMEOUT 120 ENVIRONMENT
  "BACKINSTOCK_SERVER_BINARY=$<TARGET_FILE:backinstock-server>;PYTHONPATH=${BACKINSTOCK_PYTHON_GEN_DIR}:${BACKINSTOCK_PYTHON_SRC_DIR}:${PROJECT_SOURCE_DIR}/client/python/tests;PYTHONDONTWRITEBYTECODE=1")
if(BACKINSTOCK_NODE)
  add_test(NAME node_client.email
    COMMAND ${BACKINSTOCK_NODE} --test --test-reporter=tap
      ${PROJECT_SOURCE_DIR}/client/node/test/email.test.mjs
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/client/node)
  set_tests_properties(node_client.email PROPERTIES
    ENVIRONMENT "BACKINSTOCK_SERVER_BINARY=$<TARGET_FILE:backinstock-server>" TIMEOUT 120)
endif()
backinstock_test(email_ctl_test email_api/email_ctl_test.cc client/subprocess.cc)
target_link_libraries(email_ctl_test PRIVATE nlohmann_json::nlohmann_json)
target_compile_definitions(email_ctl_test PRIVATE BACKINSTOCKCTL_BINARY="$<TARGET_FILE:backinstockctl>")
add_dependencies(email_ctl_test backinstockctl)
backinstock_test(email_etcd_test email_api/email_etcd_test.cc)
target_link_libraries(email_etcd_test PRIVATE backinstock_etcd_test_support)
backinstock_test(email_e2e_test email_api/email_e2e_test.cc)
# SendTestEmail through the aiosmtpd relay of tests/support (email.cmake).
backinstock_test(email_send_e2e_test email_api/email_send_e2e_test.cc)
target_link_libraries(email_send_e2e_test PRIVATE backinstock_email_test_support)
