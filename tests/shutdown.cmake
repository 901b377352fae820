# Shutdown under load: the work queues answer what has not started once the
# grace period is over (the process-level test with a hung etcd cluster is
# etcd_shutdown_test in etcd.cmake).
backinstock_test(work_queue_test shutdown/work_queue_test.cc)
target_link_libraries(work_queue_test PRIVATE backinstock_requests_api)
