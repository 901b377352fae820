# Clients: the C++ client library, backinstockctl, and the Python and
# Node clients, each against a real server.

# --- Python (client/python/tests, unittest, Debian's python with grpcio) ----
set(BACKINSTOCK_PYTHON "/usr/bin/python3" CACHE FILEPATH
    "Python with grpcio and protobuf, for the Python client tests")
set(_python_tests ${PROJECT_SOURCE_DIR}/client/python/tests)
set(_python_env
  "BACKINSTOCK_SERVER_BINARY=$<TARGET_FILE:backinstock-server>"
  "PYTHONPATH=${BACKINSTOCK_PYTHON_GEN_DIR}:${BACKINSTOCK_PYTHON_SRC_DIR}:${_python_tests}"
  "PYTHONDONTWRITEBYTECODE=1")
add_test(NAME python_client.settings
  COMMAND ${BACKINSTOCK_PYTHON} ${_python_tests}/test_settings.py -v)
add_test(NAME python_client.notification_requests
  COMMAND ${BACKINSTOCK_PYTHON} ${_python_tests}/test_notification_requests.py -v)
set_tests_properties(python_client.settings python_client.notification_requests PROPERTIES
  ENVIRONMENT "${_python_env}" TIMEOUT 120)

# --- C++ client library (tests/client) ---------------------------------------
backinstock_test(client_test
  client/deadline_test.cc
  client/idempotency_test.cc
  client/mock_connection_test.cc
  client/notification_requests_client_test.cc
  client/retry_test.cc
  client/settings_client_test.cc
  client/subprocess.cc
  client/tls_test.cc)
target_link_libraries(client_test PRIVATE backinstock_client nlohmann_json::nlohmann_json)

# --- backinstockctl (a child process against a server in the test) ----------
backinstock_test(ctl_test client/ctl_test.cc client/subprocess.cc)
target_link_libraries(ctl_test PRIVATE nlohmann_json::nlohmann_json)
target_compile_definitions(ctl_test PRIVATE
  BACKINSTOCKCTL_BINARY="$<TARGET_FILE:backinstockctl>")
add_dependencies(ctl_test backinstockctl)

# --- Installation: find_package(backinstock) from a separate project ---------
include(GNUInstallDirs)
backinstock_test(client_install_test client/install_test.cc client/subprocess.cc)
set(_consumer_flags "")
if(BACKINSTOCK_SANITIZE)
  # The installed libraries are instrumented; so must the program linking them.
  set(_consumer_flags "-fsanitize=address,undefined")
endif()
target_compile_definitions(client_install_test PRIVATE
  BACKINSTOCK_CMAKE="${CMAKE_COMMAND}"
  BACKINSTOCK_BINARY_DIR="${CMAKE_BINARY_DIR}"
  BACKINSTOCK_INSTALL_LIBDIR="${CMAKE_INSTALL_LIBDIR}"
  BACKINSTOCK_CONSUMER_SOURCE="${CMAKE_CURRENT_SOURCE_DIR}/client/consumer"
  BACKINSTOCK_CXX_COMPILER="${CMAKE_CXX_COMPILER}"
  BACKINSTOCK_CONSUMER_FLAGS="${_consumer_flags}")
# `cmake --install --component client` copies what these targets built.
add_dependencies(client_install_test backinstock_client backinstockctl)

# --- Node (client/node/test, node --test; `make deps` runs npm ci) -----------
find_program(BACKINSTOCK_NODE node)
if(BACKINSTOCK_NODE)
  set(_node_dir ${PROJECT_SOURCE_DIR}/client/node)
  add_test(NAME node_client.settings
    COMMAND ${BACKINSTOCK_NODE} --test --test-reporter=tap ${_node_dir}/test/settings.test.mjs
    WORKING_DIRECTORY ${_node_dir})
  add_test(NAME node_client.notification_requests
    COMMAND ${BACKINSTOCK_NODE} --test --test-reporter=tap
      ${_node_dir}/test/notification_requests.test.mjs
    WORKING_DIRECTORY ${_node_dir})
  set_tests_properties(node_client.settings node_client.notification_requests PROPERTIES
    ENVIRONMENT "BACKINSTOCK_SERVER_BINARY=$<TARGET_FILE:backinstock-server>" TIMEOUT 120)
else()
  message(WARNING "node not found: the Node client tests are not registered (make deps installs it)")
endif()
