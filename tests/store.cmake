# The store contracts (settings, email templates), each run against the
# memory, durable and etcd backends by one typed suite.
add_library(backinstock_store_test_support STATIC store/store_backends.cc)
target_link_libraries(backinstock_store_test_support PUBLIC backinstock_test_support
  backinstock_durable_store backinstock_etcd_store backinstock_etcd_test_support)

backinstock_test(store_contract_test store/store_contract_test.cc)
target_link_libraries(store_contract_test PRIVATE backinstock_store_test_support)

# The open-request index the memory store and the etcd cache share.
backinstock_test(open_index_test store/open_index_test.cc)
target_link_libraries(open_index_test PRIVATE backinstock_request_store)
