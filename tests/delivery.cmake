# Background email delivery end to end against a real SMTP relay
# (aiosmtpd): one email per address, retries that hold nobody up, permanent
# refusals, a relay down for a while or slow; and SIGKILLs of the real server
# binary mid-delivery with --data_dir, every email resumed after the restart.
add_library(backinstock_delivery_test_support STATIC delivery/delivery_test_util.cc)
target_link_libraries(backinstock_delivery_test_support PUBLIC backinstock_email_test_support
  nlohmann_json::nlohmann_json)

backinstock_test(delivery_relay_e2e_test delivery/relay_delivery_e2e_test.cc)
target_link_libraries(delivery_relay_e2e_test PRIVATE backinstock_delivery_test_support)

backinstock_test(delivery_crash_test delivery/delivery_crash_test.cc)
target_link_libraries(delivery_crash_test PRIVATE backinstock_delivery_test_support)
