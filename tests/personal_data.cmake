# Personal data (SPEC 12): no customer email address in the server log, the
# audit log or the metrics page.
backinstock_test(personal_data_logs_test personal_data/no_emails_in_logs_test.cc)
target_link_libraries(personal_data_logs_test PRIVATE backinstock_retention_test_support
  backinstock_email_test_support)
