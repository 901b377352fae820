# Security and reliability under pressure: streams whose credentials lapse,
# audit and call logs that stall or fail, caps on open watch streams.
backinstock_test(stream_credentials_test security/stream_credentials_test.cc)
backinstock_test(call_log_test security/call_log_test.cc security/call_registry_test.cc)
backinstock_test(audit_pressure_test security/audit_pressure_test.cc)
backinstock_test(watch_limits_test security/watch_limits_test.cc)
backinstock_test(audit_writer_test security/audit_writer_test.cc)
