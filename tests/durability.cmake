# Durability (--data_dir): the journal's record codec, replay, snapshots and
# group commit; the memory stores' restore entry points; the durable settings
# and notification request stores; the real server killed with SIGKILL in the
# middle of a settings or requests write load; health after a storage failure.
backinstock_test(durability_test
  durability/record_test.cc
  durability/journal_test.cc
  durability/journal_sync_test.cc
  durability/journal_recovery_test.cc
  durability/durable_settings_store_test.cc
  durability/memory_restore_test.cc
  durability/durable_notification_request_store_test.cc)
target_link_libraries(durability_test PRIVATE backinstock_journal backinstock_durable_store)
backinstock_test(crash_test durability/crash_test.cc)
backinstock_test(request_crash_test durability/request_crash_test.cc)
backinstock_test(storage_health_test durability/storage_health_test.cc)
