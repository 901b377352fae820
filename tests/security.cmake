# Security and reliability under pressure: streams whose credentials lapse,
# audit and call logs that stall or fail, caps on open watch streams.
backinstock_test(call_log_test security/call_log_test.cc security/call_registry_test.cc)
