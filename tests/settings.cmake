# The settings service: store, domain, errors, logging units, and end to end.
backinstock_test(settings_unit_test
  settings/memory_settings_store_test.cc
  settings/settings_manager_test.cc
  settings/errors_test.cc
  settings/line_writer_test.cc)
backinstock_test(settings_e2e_test
  settings/settings_e2e_test.cc
  settings/gating_e2e_test.cc
  settings/watch_settings_e2e_test.cc
  settings/concurrency_e2e_test.cc)
target_link_libraries(settings_e2e_test PRIVATE backinstock_reflection_proto)
backinstock_test(server_process_test settings/server_process_test.cc)
