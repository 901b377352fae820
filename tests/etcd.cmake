# --store=etcd: a real 3-member etcd cluster (Debian's etcd binary,
# loopback ports chosen at run time) and backinstock-server replicas over it.
add_library(backinstock_etcd_test_support STATIC support/etcd_cluster.cc)
target_link_libraries(backinstock_etcd_test_support PUBLIC backinstock_etcd_proto gRPC::grpc++
  absl::status absl::statusor absl::strings absl::time)
target_include_directories(backinstock_etcd_test_support PUBLIC ${PROJECT_SOURCE_DIR})

backinstock_test(etcd_replicas_test etcd/replicas_test.cc)
target_link_libraries(etcd_replicas_test PRIVATE backinstock_etcd_test_support)

backinstock_test(etcd_failover_test etcd/failover_test.cc)
target_link_libraries(etcd_failover_test PRIVATE backinstock_etcd_test_support)

backinstock_test(etcd_cache_test etcd/cache_test.cc)
target_link_libraries(etcd_cache_test PRIVATE backinstock_etcd_test_support backinstock_etcd_store)

# The cache's state and writer registry, fed by hand (no etcd needed).
backinstock_test(etcd_cache_state_test etcd/cache_state_test.cc etcd/writer_registry_test.cc)
target_link_libraries(etcd_cache_state_test PRIVATE backinstock_etcd_store)

backinstock_test(etcd_keys_test etcd/keys_test.cc)
target_link_libraries(etcd_keys_test PRIVATE backinstock_etcd_store)

backinstock_test(etcd_flags_test etcd/flags_test.cc)

backinstock_test(etcd_committer_test etcd/committer_test.cc)
target_link_libraries(etcd_committer_test PRIVATE backinstock_etcd_test_support backinstock_etcd_store)

backinstock_test(etcd_claims_test etcd/claims_test.cc)
target_link_libraries(etcd_claims_test PRIVATE backinstock_etcd_test_support)

backinstock_test(etcd_claim_keys_test etcd/claim_keys_test.cc)
target_link_libraries(etcd_claim_keys_test PRIVATE backinstock_etcd_test_support backinstock_etcd_store)

# Group commit: the batcher against a scripted etcd, then against a real one.
backinstock_test(etcd_txn_batcher_test etcd/txn_batcher_test.cc)
target_link_libraries(etcd_txn_batcher_test PRIVATE backinstock_etcd_store)

backinstock_test(etcd_txn_batcher_etcd_test etcd/txn_batcher_etcd_test.cc)
target_link_libraries(etcd_txn_batcher_etcd_test PRIVATE backinstock_etcd_test_support backinstock_etcd_store)

# Refused Creates share their confirming etcd reads (no etcd needed).
backinstock_test(etcd_shared_catch_up_test etcd/shared_catch_up_test.cc)
target_link_libraries(etcd_shared_catch_up_test PRIVATE backinstock_etcd_store)

# SIGTERM while writes wait on a hung etcd cluster: exit within the grace period plus a bound.
backinstock_test(etcd_shutdown_test etcd/shutdown_test.cc)
target_link_libraries(etcd_shutdown_test PRIVATE backinstock_etcd_test_support)

# A flood of refused Creates and another site's write latency (reported, not asserted).
backinstock_test(etcd_refused_create_flood_test etcd/refused_create_flood_test.cc)
target_link_libraries(etcd_refused_create_flood_test PRIVATE backinstock_etcd_test_support)

# Losing etcd's leader under load: no write fails; prints the longest gap.
backinstock_test(etcd_leader_loss_test etcd/leader_loss_test.cc)
target_link_libraries(etcd_leader_loss_test PRIVATE backinstock_etcd_test_support)
