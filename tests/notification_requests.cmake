# Notification requests: query language, validation, ids, store, domain, and
# the service end to end.
backinstock_test(query_test
  query/cursor_test.cc
  query/filter_evaluator_test.cc
  query/filter_parser_test.cc
  query/sort_page_test.cc)

backinstock_test(notification_requests_test
  notification_requests/ids_test.cc
  notification_requests/manager_test.cc
  notification_requests/record_update_test.cc
  notification_requests/store_test.cc
  notification_requests/validation_test.cc)

backinstock_test(notification_requests_e2e_test
  notification_requests/query_e2e_test.cc
  notification_requests/report_e2e_test.cc
  notification_requests/service_e2e_test.cc
  notification_requests/watch_e2e_test.cc)

backinstock_test(notification_requests_process_test notification_requests/server_flags_test.cc)

# The query evaluation against a naive filter + full sort reference on random
# data (the evaluator reads in place and keeps only a page).
backinstock_test(query_reference_test query/page_reference_test.cc)
