# Personal data: no customer email address in the server log, the
# audit log or the metrics page.
backinstock_test(personal_data_logs_test personal_data/no_emails_in_logs_test.cc)
target_link_libraries(personal_data_logs_test PRIVATE backinstock_retention_test_support
  backinstock_email_test_support)

# Customers' personal data: EraseCustomerData and ExportCustomerData over a
# real channel (memory store), with --data_dir (no file holds an erased
# address; a restart keeps the rest), with etcd (the history is compacted),
# and through the HTTP front.
backinstock_test(personal_data_e2e_test personal_data/customer_data_e2e_test.cc)

backinstock_test(personal_data_durable_test personal_data/erase_durable_test.cc)

backinstock_test(personal_data_etcd_test personal_data/erase_etcd_test.cc)
target_link_libraries(personal_data_etcd_test PRIVATE backinstock_etcd_test_support
  backinstock_etcd_store)

backinstock_test(personal_data_http_test personal_data/customer_data_http_test.cc)
target_link_libraries(personal_data_http_test PRIVATE backinstock_http_test_support)
